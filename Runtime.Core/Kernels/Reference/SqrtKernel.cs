using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>SQRT, float32 (docs/numerics.md §Math operators): the correctly rounded IEEE square root, TFLite's std::sqrt bit for bit; x &lt; 0 → NaN, −0 → −0.</summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = MathF.Sqrt(input[i]);
    }
}
