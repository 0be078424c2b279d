using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOGISTIC (sigmoid), float32 (docs/numerics.md §LOGISTIC): <see cref="SpecMath.Logistic"/> per element, Accel's own
/// fixed-operation-sequence 1/(1 + e^−x) (within 2.5 ulp of exact). TFLite uses the platform's std::exp, whose bits
/// vary by library, so results agree with TFLite to a few ulp rather than bit for bit. int8/uint8: a table; int16x8:
/// TFLite's reference_integer_ops::Logistic (<see cref="Int16x8Kernels.Logistic"/>).
/// </summary>
[OpCodes(BuiltinOperator.Logistic)]
internal sealed class LogisticKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Logistic];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Logistic).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (p.Int16Sigmoid is { } int16)
        {
            // int16x8: TFLite's reference_integer_ops Logistic (docs/numerics.md §Quantized execution, int16x8).
            Int16x8Kernels.Logistic(context.Input(0).Read<short>(), context.Output(0).Write<short>(), int16);
            return;
        }
        if (!p.QuantizedTable.IsEmpty)
        {
            // int8/uint8: the table built at AllocateTensors (docs/numerics.md §Quantized execution).
            ReadOnlySpan<byte> table = p.QuantizedTable.Span;
            ReadOnlySpan<byte> quantized = context.Input(0).Bytes;
            Span<byte> result = context.Output(0).WritableBytes;
            for (int i = 0; i < quantized.Length; i++) result[i] = table[quantized[i]];
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Logistic(input[i]);
    }
}
