using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SQUARE, float32 (docs/numerics.md §Exact unary operators): <c>x * x</c>, one rounded binary32 multiplication, as
/// TFLite's elementwise.cc SquareEval (so −0 → +0, overflow → +∞, NaN → NaN).
/// </summary>
[OpCodes(BuiltinOperator.Square)]
internal sealed class SquareKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Square];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> x = context.Input(0).Read<float>();
        Span<float> y = context.Output(0).Write<float>();
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i];
    }
}
