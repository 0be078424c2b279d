using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// TANH, float32 (docs/numerics.md §TANH): <see cref="SpecMath.Tanh"/> per element, Accel's own fixed-operation
/// sequence (within 2.75 ulp of exact). TFLite uses Eigen's / the platform's tanh, so results agree to a few ulp.
/// </summary>
internal sealed class TanhKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Tanh(input[i]);
    }
}
