using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOG, float32 (docs/numerics.md §Math operators): SpecMath Log per element (within 0.51 ulp); x &lt; 0 → NaN, ±0 → −∞.
/// int8: the definition's 256-entry table; int16: its 513-entry table with TFLite's interpolating lookup.
/// </summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Log).Types;

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
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Log(input[i]);
    }
}
