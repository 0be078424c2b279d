using Accel.Numerics;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// ELU (float32, any shape): x &lt; 0 ? <see cref="SpecMath.Expm1{TArithmetic}"/>(x) : x, the reference's sequence with
/// the accelerator's FMA and round-to-even (see <see cref="TanhKernel"/> on contraction). int8 (TFLite tabulates int8
/// ELU only): the definition's 256-entry table (<see cref="QuantizedLookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (QuantizedLookupKernel.Applies(node))
        {
            QuantizedLookupKernel.Compile(node, c);
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 30);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            float x = input[i];
            output[i] = x < 0f ? SpecMath.Expm1<TArithmetic>(x) : x;
        }
    }
}
