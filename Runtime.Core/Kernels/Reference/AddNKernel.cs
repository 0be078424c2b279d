using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ADD_N, float32 and int32 (docs/numerics.md §ADD_N): s = x0[i], then s = clamp(s + xj[i]) for each further input in
/// order — one rounded binary32 addition, then the clamp to [−MaxValue, MaxValue] (NaN passes) that TFLite's
/// optimized_ops::AddN applies after every addition (it adds with the activation range lowest..max), so an overflow
/// gives ±float.MaxValue, not ±∞. int32: wrapping additions, no clamp.
/// </summary>
[OpCodes(BuiltinOperator.AddN)]
internal sealed class AddNKernel : ReferenceKernel<AddNParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AddN];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32];

    /// <summary>TFLite's clamp after each addition: [lowest, max] of float32.</summary>
    private static readonly ActivationRange Finite = new(float.MinValue, float.MaxValue);

    protected override void Invoke(KernelContext context, AddNParams p)
    {
        if (context.Input(0).Type == TensorType.Float32)
        {
            Span<float> sum = context.Output(0).Write<float>();
            context.Input(0).Read<float>().CopyTo(sum);
            for (int n = 1; n < p.InputCount; n++)
            {
                ReadOnlySpan<float> x = context.Input(n).Read<float>();
                for (int i = 0; i < p.ElementCount; i++) sum[i] = Finite.Apply(sum[i] + x[i]);
            }
            return;
        }
        Span<int> total = context.Output(0).Write<int>();
        context.Input(0).Read<int>().CopyTo(total);
        for (int n = 1; n < p.InputCount; n++)
        {
            ReadOnlySpan<int> x = context.Input(n).Read<int>();
            for (int i = 0; i < p.ElementCount; i++) total[i] = unchecked(total[i] + x[i]);
        }
    }
}
