using Accel.Numerics;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>HARD_SWISH (float32, any shape): the reference's own <see cref="SpecMath.HardSwish"/> per element.</summary>
[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (QuantizedLookupKernel.Applies(node))
        {
            // int8/uint8: the definition's 256-entry table.
            QuantizedLookupKernel.Compile(node, c);
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 3);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    /// <summary>x + 3, a clamp, then two multiplies: no product feeds a sum, so no contraction can occur.</summary>
    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = SpecMath.HardSwish(input[i]);
    }
}
