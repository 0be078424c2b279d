using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>EXP, float32 (docs/numerics.md §EXP): SpecMath Exp per element (within 0.94 ulp). TFLite uses the platform's exp (XNNPACK's in LiteRT), so results agree to about an ulp, not bit for bit.</summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Exp(input[i]);
    }
}
