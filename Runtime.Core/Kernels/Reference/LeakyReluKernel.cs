using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LEAKY_RELU, float32 (docs/numerics.md §LEAKY_RELU): out = x &gt; 0 ? x : x · alpha, one rounded multiply, as
/// TFLite's <c>reference_ops::LeakyRelu</c> (so NaN stays NaN and −0 becomes −0 · alpha).
/// </summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluKernel : ReferenceKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.LeakyRelu).Types;

    protected override void Invoke(KernelContext context, LeakyReluParams p)
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
        float alpha = p.Alpha;
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            output[i] = x > 0f ? x : x * alpha;
        }
    }
}
