using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RELU_N1_TO_1, float32 (docs/numerics.md §Activations): the clamp to [−1, 1], NaN and −0 passing through, as
/// TFLite's <c>Relu1</c> (std::min/std::max).
/// </summary>
[OpCodes(BuiltinOperator.ReluN1To1)]
internal sealed class ReluN1To1Kernel : ReferenceKernel<ElementwiseParams>
{
    private static readonly ActivationRange Range = new(-1f, 1f);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ReluN1To1];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.ReluN1To1).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            // int8/uint8: the table built at AllocateTensors (docs/numerics.md §Quantized execution).
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = Range.Apply(input[i]);
    }
}
