using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>The zero-denominator check of the integer divisions (TFLite checks input 1 whole before dividing).</summary>
internal static class DenominatorCheck
{
    public static void NoZero<T>(KernelContext context, ReadOnlySpan<T> denominator) where T : unmanaged, IEquatable<T>
    {
        int zero = denominator.IndexOf(default(T));
        if (zero >= 0)
            throw context.Error(IntegerDivision.DivisionByZeroMessage(zero, context.Input(1).Name, "0"));
    }

    /// <summary>float32: ±0 (FLOOR_DIV refuses both, as TFLite's <c>std::equal_to(x, 0)</c>).</summary>
    public static void NoZero(KernelContext context, ReadOnlySpan<float> denominator)
    {
        for (int i = 0; i < denominator.Length; i++)
            if (denominator[i] == 0f)
                throw context.Error(IntegerDivision.DivisionByZeroMessage(i, context.Input(1).Name, denominator[i].ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}

/// <summary>
/// DIV, float32 and int32 (docs/numerics.md §DIV): out = activation(a / b) with NumPy broadcasting — one correctly
/// rounded binary32 division; int32 truncating toward zero (−2³¹ / −1 saturates to 2³¹ − 1), a zero denominator an error;
/// int8/uint8 TFLite's fixed-point DivElementwise, a denominator at its zero point an error.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : ReferenceKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Div).Types;

    protected override void Invoke(KernelContext context, BinaryArithmeticParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type == TensorType.Float32)
        {
            p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp(p.FloatActivation));
            return;
        }
        if (p.QuantizedDiv is { } q)
        {
            if (a.Type == TensorType.Int16)
            {
                // Zero points are 0, so a stored 0 is the real 0 TFLite's CheckNonZero refuses.
                DenominatorCheck.NoZero(context, b.Read<short>());
                p.Broadcast.Apply(a.Read<short>(), b.Read<short>(), output.Write<short>(), new Int16Op(q));
                return;
            }
            bool signed = a.Type == TensorType.Int8;
            QuantizedNoZero(context, b.Bytes, signed, -q.Input2Offset);
            p.Broadcast.Apply(a.Bytes, b.Bytes, output.WritableBytes, new QuantizedOp(q, signed));
            return;
        }
        DenominatorCheck.NoZero(context, b.Read<int>());
        p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op(p.Int32Activation));
    }

    /// <summary>TFLite's CheckNonZero for quantized DIV: no stored denominator equal to its zero point (a real 0).</summary>
    internal static void QuantizedNoZero(KernelContext context, ReadOnlySpan<byte> denominator, bool signed, int zeroPoint)
    {
        for (int i = 0; i < denominator.Length; i++)
            if ((signed ? (sbyte)denominator[i] : denominator[i]) == zeroPoint)
                throw context.Error(IntegerDivision.DivisionByZeroMessage(i, context.Input(1).Name, $"{zeroPoint} (its zero point, a real 0)"));
    }

    /// <summary>int8/uint8: <see cref="Quantization.Divide"/> per element (TFLite's DivElementwise).</summary>
    private readonly struct QuantizedOp(QuantizedMulParams q, bool signed) : IBinaryElementOp<byte>
    {
        public byte Apply(byte a, byte b) => (byte)Quantization.Divide(signed ? (sbyte)a : a, signed ? (sbyte)b : b, q);
    }

    /// <summary>int16: the same <see cref="Quantization.Divide"/> (offsets 0, clamp to the int16 activation range).</summary>
    private readonly struct Int16Op(QuantizedMulParams q) : IBinaryElementOp<short>
    {
        public short Apply(short a, short b) => (short)Quantization.Divide(a, b, q);
    }

    private readonly struct FloatOp(ActivationRange range) : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => range.Apply(a / b);
    }

    private readonly struct Int32Op(Int32ActivationRange range) : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => range.Apply(IntegerDivision.Truncated(a, b));
    }
}

/// <summary>
/// FLOOR_DIV, float32 and int32 (docs/numerics.md §FLOOR_DIV): float32 floor(a / b) with the quotient in binary64, as
/// TFLite's floor_div.cc, rounded once to binary32; int32 the exact floor of the quotient (−2³¹ // −1 saturates to 2³¹ − 1).
/// Any zero denominator (±0 for float32) is an error.
/// </summary>
[OpCodes(BuiltinOperator.FloorDiv)]
internal sealed class FloorDivKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FloorDiv];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.FloorDiv).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        if (a.Type == TensorType.Float32)
        {
            DenominatorCheck.NoZero(context, b.Read<float>());
            p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp());
            return;
        }
        DenominatorCheck.NoZero(context, b.Read<int>());
        p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op());
    }

    private readonly struct FloatOp : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => IntegerDivision.FloorDivide(a, b);
    }

    private readonly struct Int32Op : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => IntegerDivision.Floored(a, b);
    }
}

/// <summary>
/// FLOOR_MOD, float32, int32 and int64 (docs/numerics.md §FLOOR_MOD): t = a mod b truncated (C's <c>%</c> / <c>fmodf</c>,
/// exact), then t + b when t ≠ 0 and its sign differs from b's — TFLite's reference_ops::FloorMod. An integer zero
/// denominator is an error; float32 b = ±0 gives NaN.
/// </summary>
[OpCodes(BuiltinOperator.FloorMod)]
internal sealed class FloorModKernel : ReferenceKernel<BinaryElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FloorMod];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.FloorMod).Types;

    protected override void Invoke(KernelContext context, BinaryElementwiseParams p)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        var output = context.Output(0);
        switch (a.Type)
        {
            case TensorType.Float32:
                p.Broadcast.Apply(a.Read<float>(), b.Read<float>(), output.Write<float>(), new FloatOp());
                break;
            case TensorType.Int32:
                DenominatorCheck.NoZero(context, b.Read<int>());
                p.Broadcast.Apply(a.Read<int>(), b.Read<int>(), output.Write<int>(), new Int32Op());
                break;
            default:
                DenominatorCheck.NoZero(context, b.Read<long>());
                p.Broadcast.Apply(a.Read<long>(), b.Read<long>(), output.Write<long>(), new Int64Op());
                break;
        }
    }

    private readonly struct FloatOp : IBinaryElementOp<float>
    {
        public float Apply(float a, float b) => IntegerDivision.FloorModulo(a, b);
    }

    private readonly struct Int32Op : IBinaryElementOp<int>
    {
        public int Apply(int a, int b) => IntegerDivision.FloorModulo(a, b);
    }

    private readonly struct Int64Op : IBinaryElementOp<long>
    {
        public long Apply(long a, long b) => IntegerDivision.FloorModulo(a, b);
    }
}
