using Accel.Numerics;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// EXP (float32, any shape): the reference's own sequence, <see cref="SpecMath.Exp{TArithmetic}"/>, with the
/// accelerator's FMA and round-to-even (inline PTX on CUDA). No product feeds a sum outside Exp's FMAs (its last
/// product p · 2^k is the result), so contraction cannot change a bit. int8: the definition's 256-entry table
/// (<see cref="QuantizedLookupKernel"/>); int16: the reference's interpolated EXP over every int16 value as a table
/// (<see cref="Int16LookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (Int16LookupKernel.Applies(node))
        {
            Int16LookupKernel.Compile(node, c);
            return;
        }
        if (QuantizedLookupKernel.Applies(node))
        {
            QuantizedLookupKernel.Compile(node, c);
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 20);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = SpecMath.Exp<TArithmetic>(input[i]);
    }
}
