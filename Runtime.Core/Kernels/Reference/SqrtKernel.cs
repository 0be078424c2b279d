using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SQRT, float32 (docs/numerics.md §Math operators): the correctly rounded IEEE square root, TFLite's std::sqrt bit for
/// bit; x &lt; 0 → NaN, −0 → −0. int8: the definition's table; int16: TFLite's SqrtEvalQuantized per element
/// (<see cref="QuantizedSqrtParams"/>). Every quantized input is checked first: one below the zero point (a negative real
/// value) is an error naming the node with nothing written.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Sqrt).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (p.QuantizedInputMinimum is { } minimum)
        {
            QuantizedDomain.Check(context, context.Input(0), minimum, "SQRT");
            if (p.Int16Sqrt is { } sqrt)
            {
                ReadOnlySpan<short> quantized = context.Input(0).Read<short>();
                Span<short> result = context.Output(0).Write<short>();
                for (int i = 0; i < quantized.Length; i++) result[i] = (short)sqrt.Apply(quantized[i]);
            }
            else QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = MathF.Sqrt(input[i]);
    }
}
