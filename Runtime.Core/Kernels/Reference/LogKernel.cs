using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>LOG, float32 (docs/numerics.md §Math operators): SpecMath Log per element (within 0.51 ulp); x &lt; 0 → NaN, ±0 → −∞.</summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Log(input[i]);
    }
}
