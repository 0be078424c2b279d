using Accel.Numerics;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// LOGISTIC (float32, any shape): the reference's own sequence, <see cref="SpecMath.Logistic{TArithmetic}"/>, with
/// the accelerator's FMA and round-to-even (inline PTX on CUDA). Its only product that feeds a sum is
/// p · 2^k in 1 + Exp(−x); that product is exact or below 2^-126 (where 1 + it rounds to 1 either way), so even a
/// contracted FMA there gives the same bits. int8/uint8: the definition's 256-entry table; int16: the reference over
/// every int16 value as a 65,536-entry table (<see cref="Int16LookupKernel"/>).
/// </summary>
[OpCodes(BuiltinOperator.Logistic)]
internal sealed class LogisticKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Logistic];

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
            // int8/uint8: the definition's 256-entry table.
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
        for (int i = start; i < end; i++) output[i] = SpecMath.Logistic<TArithmetic>(input[i]);
    }
}
