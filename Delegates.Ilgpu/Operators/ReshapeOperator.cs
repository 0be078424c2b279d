using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>RESHAPE: a device-side copy, bits unchanged (the shape input is read by the interpreter, never a kernel).</summary>
internal sealed class ReshapeOperator : IIlgpuOperator
{
    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count is < 1 or > 2 || node.Outputs.Count != 1 || node.Inputs[0] is null)
            return NodeSupport.Refuse("RESHAPE needs a data input, an optional shape and one output");
        if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse("RESHAPE: input and output sizes differ");
        return NodeSupport.Supported;
    }

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
