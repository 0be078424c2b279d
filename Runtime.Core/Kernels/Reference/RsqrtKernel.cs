using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RSQRT, float32 (docs/numerics.md §Math operators): 1 / sqrt(x), two IEEE roundings, as TFLite's elementwise.cc
/// computes it. int8: the definition's table of TFLite's fixed-point RsqrtEvalQuantizedInt8; int16: its 513-entry table
/// with TFLite's interpolating lookup. Every input is checked first, so an input below the zero point (a negative real
/// value) is an error naming the node with nothing written.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : ReferenceKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Rsqrt).Types;

    protected override void Invoke(KernelContext context, ElementwiseParams p)
    {
        if (p.QuantizedInputMinimum is { } minimum)
        {
            QuantizedDomain.Check(context, context.Input(0), minimum, "RSQRT");
            if (!p.Int16Table.IsEmpty)
                QuantizedLookup.ApplyInt16(p.Int16Table.Span, context.Input(0).Read<short>(), context.Output(0).Write<short>());
            else QuantizedLookup.Apply(p.QuantizedTable.Span, context.Input(0).Bytes, context.Output(0).WritableBytes);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        for (int i = 0; i < input.Length; i++) output[i] = SpecMath.Rsqrt(input[i]);
    }
}

/// <summary>
/// The Invoke-time domain check of quantized RSQRT and SQRT (TFLite: "Rsqrt is only defined for positive values",
/// "Sqrt is only defined for non-negative values"): every stored int8/int16 input at least the zero point.
/// </summary>
internal static class QuantizedDomain
{
    /// <summary>Throws a <see cref="KernelException"/> naming the first element below <paramref name="minimum"/>.</summary>
    public static void Check(KernelContext context, Tensor input, int minimum, string op)
    {
        if (input.Type == TensorType.Int16)
        {
            ReadOnlySpan<short> values = input.Read<short>();
            for (int i = 0; i < values.Length; i++)
                if (values[i] < minimum) throw context.Error(Message(op, i, values[i], minimum));
            return;
        }
        ReadOnlySpan<byte> bytes = input.Bytes;
        for (int i = 0; i < bytes.Length; i++)
            if ((sbyte)bytes[i] < minimum) throw context.Error(Message(op, i, (sbyte)bytes[i], minimum));
    }

    private static string Message(string op, int index, int value, int minimum) =>
        $"input element {index} is {value}, below the zero point {minimum}: {op} is only defined for non-negative values";
}
