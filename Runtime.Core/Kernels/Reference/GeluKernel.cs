using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// GELU, float32 (docs/numerics.md §GELU): <see cref="SpecMath.GeluExact"/> ((0.5·x)·Erfc(−x/√2)) or, with
/// approximate, <see cref="SpecMath.GeluApproximate"/> ((0.5·x)·(1 + Tanh(√(2/π)·(x + 0.044715·x³)))), TFLite's
/// gelu.h operation order with Accel's own Erfc and Tanh. int8/uint8: the definition's 256-entry table of that function.
/// </summary>
[OpCodes(BuiltinOperator.Gelu)]
internal sealed class GeluKernel : ReferenceKernel<GeluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Gelu];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Gelu).Types;

    protected override void Invoke(KernelContext context, GeluParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        if (p.Approximate)
            for (int i = 0; i < input.Length; i++) output[i] = SpecMath.GeluApproximate(input[i]);
        else
            for (int i = 0; i < input.Length; i++) output[i] = SpecMath.GeluExact(input[i]);
    }
}
