using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// PRELU (float32): x ≥ 0 ? x : x · alpha with the definition's broadcast laid out as <see cref="Broadcast6"/> (the
/// definition refuses broadcasts beyond rank 4; an alpha of the input's own shape is indexed flat, any rank).
/// </summary>
[OpCodes(BuiltinOperator.Prelu)]
internal sealed class PreluKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Prelu];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<PreluParams>();
        int total = checked((int)node.Outputs[0].ElementCount);
        // Same shapes: one flat dimension, so ranks above 6 need no broadcast layout.
        BroadcastPlan.TryCreate([total], [total], out var flat);
        var plan = Broadcast6.Of(p.AlphaMatchesInput ? flat! : p.Broadcast);
        var x = c.View(node.Inputs[0]!);
        var alpha = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, Broadcast6, int, int>(Kernel);
        c.Add(() => kernel(chunks, x, alpha, output, plan, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> alpha, ArrayView<float> output,
        Broadcast6 plan, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int xOffset, out int alphaOffset);
            float x = input[xOffset];
            float a = alpha[alphaOffset];
            output[i] = x >= 0f ? x : x * a;
        }
    }
}
