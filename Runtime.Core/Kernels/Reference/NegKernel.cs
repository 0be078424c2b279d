using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// NEG (docs/numerics.md §Exact unary operators). Mirrors TFLite's neg.cc <c>out = -in</c>: float32 flips the sign bit
/// (+0 → −0, NaN stays NaN); int32 and int64 negate with two's-complement wrap (MinValue stays MinValue).
/// </summary>
[OpCodes(BuiltinOperator.Neg)]
internal sealed class NegKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Neg];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Neg).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        switch (input.Type)
        {
            case TensorType.Float32:
            {
                ReadOnlySpan<float> x = input.Read<float>();
                Span<float> y = output.Write<float>();
                for (int i = 0; i < x.Length; i++) y[i] = -x[i];
                break;
            }
            case TensorType.Int32:
            {
                ReadOnlySpan<int> x = input.Read<int>();
                Span<int> y = output.Write<int>();
                for (int i = 0; i < x.Length; i++) y[i] = unchecked(-x[i]);
                break;
            }
            default:
            {
                ReadOnlySpan<long> x = input.Read<long>();
                Span<long> y = output.Write<long>();
                for (int i = 0; i < x.Length; i++) y[i] = unchecked(-x[i]);
                break;
            }
        }
    }
}
