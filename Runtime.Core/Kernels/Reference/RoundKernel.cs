using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ROUND, float32 (docs/numerics.md §Exact unary operators): TFLite's <c>reference_ops::RoundToNearest</c>
/// (kernels/internal/reference/round.h) operation for operation — round half to even built from floor, one rounded
/// subtraction and comparisons, so x in [−0.5, 0) gives +0 (not IEEE roundeven's −0) while −0 stays −0.
/// </summary>
[OpCodes(BuiltinOperator.Round)]
internal sealed class RoundKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Round];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> x = context.Input(0).Read<float>();
        Span<float> y = context.Output(0).Write<float>();
        for (int i = 0; i < x.Length; i++) y[i] = RoundToNearest(x[i]);
    }

    /// <summary>
    /// f = floor(x), d = x − f; d &lt; 0.5, or d == 0.5 with f even, gives f, anything else (d &gt; 0.5, an odd f, NaN)
    /// f + 1. (int)f is only taken when d == 0.5, i.e. |x| &lt; 2²³, where the conversion is exact.
    /// </summary>
    public static float RoundToNearest(float x)
    {
        float floor = MathF.Floor(x);
        float diff = x - floor;
        if (diff < 0.5f || (diff == 0.5f && (int)floor % 2 == 0)) return floor;
        return floor + 1f;
    }
}
