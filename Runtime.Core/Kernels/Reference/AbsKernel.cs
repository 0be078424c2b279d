using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ABS (docs/numerics.md §Exact unary operators). Mirrors TFLite's elementwise.cc AbsEval: float32 <c>std::abs</c>
/// (the sign bit cleared: −0 → +0, −∞ → +∞), int32 <c>std::abs</c> with its two's-complement wrap: int32.MinValue has
/// no positive counterpart and stays int32.MinValue (.NET's Math.Abs would throw).
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Abs).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        if (input.Type == TensorType.Float32)
        {
            ReadOnlySpan<float> x = input.Read<float>();
            Span<float> y = output.Write<float>();
            for (int i = 0; i < x.Length; i++) y[i] = MathF.Abs(x[i]);
        }
        else
        {
            ReadOnlySpan<int> x = input.Read<int>();
            Span<int> y = output.Write<int>();
            for (int i = 0; i < x.Length; i++) y[i] = x[i] < 0 ? unchecked(-x[i]) : x[i];
        }
    }
}
