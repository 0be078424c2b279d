using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RELU, float32 (docs/numerics.md §Activations): out = x &lt; 0 ? 0 : x — the clamp to [0, +∞], so NaN and −0 pass
/// through unchanged, as in TFLite's <c>reference_ops::Relu</c>.
/// </summary>
[OpCodes(BuiltinOperator.Relu)]
internal sealed class ReluKernel : ReferenceKernel<ElementwiseParams>
{
    private static readonly ActivationRange Range = new(0f, float.PositiveInfinity);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Relu).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            // int8/uint8: the table built at AllocateTensors (docs/numerics.md §Quantized execution).
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        if (p.Int16Activation is { } int16)
        {
            // int16x8: TFLite's requantizing rescale and clamp (docs/numerics.md §Quantized execution, int16x8).
            Int16x8Kernels.RescaleActivation(context.Input(0).Read<short>(), context.Output(0).Write<short>(), int16);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = Range.Apply(input[i]);
    }
}
