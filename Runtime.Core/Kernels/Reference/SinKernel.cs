using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>SIN, float32 (docs/numerics.md §Math operators): SpecMath Sin per element (exact argument reduction, so huge arguments are accurate).</summary>
[OpCodes(BuiltinOperator.Sin)]
internal sealed class SinKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sin];

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Sin(input[i]);
    }
}
