using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// FULLY_CONNECTED (float32, DEFAULT dense weights, optional bias, keep_num_dims, fused clamps): output [b, u] =
/// clamp(fma chain over k = 0..depth−1 of input[b, k]·weights[u, k] from +0, then + bias[u] when there is a bias),
/// the reference's order; batch, units, depth and clamp from the definition's <see cref="FullyConnectedParams"/>.
/// </summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.FullyConnected];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<FullyConnectedParams>();
        if (p.Quantized is { } q)
        {
            QuantizedKernels.FullyConnected(node, c, p, q);
            return;
        }
        var shape = new FullyConnectedShape(p.Units, p.Depth, p.HasBias ? 1 : 0);
        var range = p.Activation;
        var input = c.View(node.Inputs[0]!);
        var weightsView = c.View(node.Inputs[1]!);
        // Without a bias the kernel never reads this view; any valid view will do.
        var biasView = p.HasBias ? c.View(node.Inputs[2]!) : weightsView;
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, FullyConnectedShape,
            ActivationRange, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, weightsView, biasView, output, shape, range, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> output, FullyConnectedShape shape, ActivationRange range, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int u = i % shape.Units;
            int b = i / shape.Units;
            int inputOffset = b * shape.Depth;
            int weightsOffset = u * shape.Depth;
            float acc = 0f;
            for (int k = 0; k < shape.Depth; k++)
                acc = default(TArithmetic).FusedMultiplyAdd(input[inputOffset + k], weights[weightsOffset + k], acc);
            float value = shape.HasBias != 0 ? acc + bias[u] : acc;
            output[i] = range.Apply(value);
        }
    }
}

/// <summary>FULLY_CONNECTED geometry for the kernel.</summary>
internal readonly struct FullyConnectedShape(int units, int depth, int hasBias)
{
    public readonly int Units = units;
    public readonly int Depth = depth;
    public readonly int HasBias = hasBias;
}
