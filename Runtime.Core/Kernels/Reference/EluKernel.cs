using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// ELU, float32 (docs/numerics.md §ELU): out = x &lt; 0 ? Expm1(x) : x, TFLite's <c>x &lt; 0 ? expm1(x) : x</c>
/// (alpha 1) with Accel's <see cref="SpecMath.Expm1"/>; NaN, −0 and positive values pass through unchanged.
/// </summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Elu).Types;

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
        for (int i = 0; i < input.Length; i++)
        {
            float x = input[i];
            output[i] = x < 0f ? SpecMath.Expm1(x) : x;
        }
    }
}
