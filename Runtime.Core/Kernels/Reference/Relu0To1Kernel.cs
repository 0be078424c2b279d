using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RELU_0_TO_1, float32 (docs/numerics.md §Activations): the clamp to [0, 1], NaN and −0 passing through, as
/// TFLite's <c>Relu0To1</c> (std::min/std::max). int8/uint8: the definition's table (QuantizedReluX over [0, 1]).
/// </summary>
[OpCodes(BuiltinOperator.Relu0To1)]
internal sealed class Relu0To1Kernel : ReferenceKernel<ElementwiseParams>
{
    private static readonly ActivationRange Range = new(0f, 1f);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu0To1];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Relu0To1).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = Range.Apply(input[i]);
    }
}
