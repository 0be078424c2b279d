using Accel.Numerics;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// TANH (float32, any shape): the reference's own sequence, <see cref="SpecMath.Tanh{TArithmetic}"/>, with the
/// accelerator's FMA and round-to-even (inline PTX on CUDA). No product feeds a sum except Expm1's far branch
/// Exp(x) − 1, whose last product p · 2^k is exact or subnormal (where −1 absorbs it), so a contracted FMA there
/// gives the same bits. int8/uint8: the definition's 256-entry table (<see cref="QuantizedLookupKernel"/>); int16:
/// the reference over every int16 value as a 65,536-entry table (<see cref="Int16LookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (Int16LookupKernel.Applies(node))
        {
            // int16: the reference run over every int16 value, as a table.
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
        var (chunks, chunkSize) = c.Split(total, 40);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = SpecMath.Tanh<TArithmetic>(input[i]);
    }
}
