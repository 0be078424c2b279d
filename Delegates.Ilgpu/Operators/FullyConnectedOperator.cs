using Accel.Kernels.Reference;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// FULLY_CONNECTED (float32, DEFAULT dense weights, optional bias, keep_num_dims, fused clamps): output [b, u] =
/// clamp(fma chain over k = 0..depth−1 of input[b, k]·weights[u, k] from +0, then + bias[u] when there is a bias),
/// the reference's order.
/// </summary>
internal sealed class FullyConnectedOperator : IIlgpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count is < 2 or > 3 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return NodeSupport.Refuse("FULLY_CONNECTED needs input, weights, optional bias and one output");
        if (node.Options is not FullyConnectedOptions options)
            return NodeSupport.Refuse("FULLY_CONNECTED without options");
        if (options.WeightsFormat != 0)
            return NodeSupport.Refuse($"FULLY_CONNECTED weights_format {options.WeightsFormat}; only DEFAULT (0)");
        if (FusedClamp.Refusal(node, options.FusedActivation) is { } why) return NodeSupport.Refuse(why);
        var weights = node.Inputs[1]!;
        if (weights.Rank != 2 || weights.Sparsity is not null)
            return NodeSupport.Refuse("FULLY_CONNECTED: weights must be dense rank 2");
        int units = weights.Dim(0), depth = weights.Dim(1);
        long elements = node.Inputs[0]!.ElementCount;
        if (depth <= 0 || elements % depth != 0)
            return NodeSupport.Refuse("FULLY_CONNECTED: input does not flatten to rows of the weights' depth");
        if (node.Inputs.Count > 2 && node.Inputs[2] is { } bias && bias.ElementCount != units)
            return NodeSupport.Refuse("FULLY_CONNECTED: bias size differs from the number of units");
        if (node.Outputs[0].ElementCount != elements / depth * units)
            return NodeSupport.Refuse("FULLY_CONNECTED: output size does not match batch × units");
        return NodeSupport.Supported;
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var weights = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var shape = new FullyConnectedShape(weights.Dim(0), weights.Dim(1), bias is null ? 0 : 1);
        var range = FusedClamp.RangeOf(((FullyConnectedOptions)node.Options!).FusedActivation);
        var input = c.View(node.Inputs[0]!);
        var weightsView = c.View(weights);
        // Without a bias the kernel never reads this view; any valid view will do.
        var biasView = bias is null ? weightsView : c.View(bias);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, shape.Depth);
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
