using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RELU_0_TO_1, float32 (docs/numerics.md §Activations): the clamp to [0, 1], NaN and −0 passing through, as
/// TFLite's <c>Relu0To1</c> (std::min/std::max).
/// </summary>
[OpCodes(BuiltinOperator.Relu0To1)]
internal sealed class Relu0To1Kernel : ReferenceKernel<ElementwiseParams>
{
    private static readonly ActivationRange Range = new(0f, 1f);

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu0To1];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = Range.Apply(input[i]);
    }
}
