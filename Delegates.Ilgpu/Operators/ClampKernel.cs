using Accel.Kernels.Reference;
using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>RELU and RELU6 (float32, any shape): the reference's clamp to [0, +∞) or [0, 6] per element.</summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6)]
internal sealed class ClampKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var range = node.Builtin == BuiltinOperator.Relu ? new ActivationRange(0f, float.PositiveInfinity) : new ActivationRange(0f, 6f);
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ActivationRange, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, range, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ActivationRange range,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = range.Apply(input[i]);
    }
}
