using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CEIL, float32 (docs/numerics.md §Exact unary operators): <c>std::ceil</c>, as TFLite's ceil.cc — the smallest
/// integral value ≥ x, exact; x in (−1, 0) gives −0; ±0, ±∞ and NaN map to themselves.
/// </summary>
[OpCodes(BuiltinOperator.Ceil)]
internal sealed class CeilKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Ceil];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> x = context.Input(0).Read<float>();
        Span<float> y = context.Output(0).Write<float>();
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Ceiling(x[i]);
    }
}
