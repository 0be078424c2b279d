using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>COS, float32 (docs/numerics.md §Math operators): SpecMath Cos per element (exact argument reduction).</summary>
[OpCodes(BuiltinOperator.Cos)]
internal sealed class CosKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Cos];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Cos(input[i]);
    }
}
