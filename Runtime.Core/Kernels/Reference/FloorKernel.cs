using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// FLOOR, float32 (docs/numerics.md §Exact unary operators): <c>std::floor</c>, as TFLite's floor.cc — the largest
/// integral value ≤ x, exact; ±0, ±∞ and NaN map to themselves.
/// </summary>
[OpCodes(BuiltinOperator.Floor)]
internal sealed class FloorKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Floor];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> x = context.Input(0).Read<float>();
        Span<float> y = context.Output(0).Write<float>();
        for (int i = 0; i < x.Length; i++) y[i] = MathF.Floor(x[i]);
    }
}
