using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>RSQRT, float32 (docs/numerics.md §Math operators): 1 / sqrt(x), two IEEE roundings, as TFLite's elementwise.cc computes it.</summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Rsqrt(input[i]);
    }
}
