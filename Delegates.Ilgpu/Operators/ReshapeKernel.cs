using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>RESHAPE: a device-side copy, bits unchanged (the shape input was read by the definition, never by a kernel).</summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(CopyKernel);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    /// <summary>The elements unchanged, in order (a plain load/store keeps every bit, NaN payloads included).</summary>
    public static void CopyKernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = input[i];
    }
}
