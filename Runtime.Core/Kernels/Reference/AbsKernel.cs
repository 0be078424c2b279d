using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ABS (docs/numerics.md §Exact unary operators). Mirrors TFLite's elementwise.cc AbsEval: float32 <c>std::abs</c>
/// (the sign bit cleared: −0 → +0, −∞ → +∞), int32 <c>std::abs</c> with its two's-complement wrap: int32.MinValue has
/// no positive counterpart and stays int32.MinValue (.NET's Math.Abs would throw). int8: the definition's table of
/// AbsEvalQuantized; int16: the same rescale per element, or (unquantized) std::abs wrapped to int16.
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
        switch (input.Type)
        {
            case TensorType.Float32:
            {
                ReadOnlySpan<float> x = input.Read<float>();
                Span<float> y = output.Write<float>();
                for (int i = 0; i < x.Length; i++) y[i] = MathF.Abs(x[i]);
                break;
            }
            case TensorType.Int8:
                QuantizedLookup.Apply(p.QuantizedTable.Span, input.Bytes, output.WritableBytes);
                break;
            case TensorType.Int16:
            {
                ReadOnlySpan<short> x = input.Read<short>();
                Span<short> y = output.Write<short>();
                if (p.Int16Abs is { } rescale)
                    for (int i = 0; i < x.Length; i++) y[i] = (short)rescale.Apply(x[i], 0, 0, short.MinValue, short.MaxValue);
                else
                    for (int i = 0; i < x.Length; i++) y[i] = unchecked((short)Math.Abs((int)x[i]));
                break;
            }
            default:
            {
                ReadOnlySpan<int> x = input.Read<int>();
                Span<int> y = output.Write<int>();
                for (int i = 0; i < x.Length; i++) y[i] = x[i] < 0 ? unchecked(-x[i]) : x[i];
                break;
            }
        }
    }
}
