using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// EXP, float32 (docs/numerics.md §EXP): SpecMath Exp per element (within 0.94 ulp). TFLite uses the platform's exp
/// (XNNPACK's in LiteRT), so results agree to about an ulp, not bit for bit. int8: the definition's 256-entry table;
/// int16: its 513-entry table with TFLite's interpolating lookup.
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Exp).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        if (!p.Int16Table.IsEmpty)
        {
            QuantizedLookup.ApplyInt16(p.Int16Table.Span, context.Input(0).Read<short>(), context.Output(0).Write<short>());
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Exp(input[i]);
    }
}
