using System.Runtime.CompilerServices;

namespace Accel.Numerics;

/// <summary>
/// A real multiplier as TFLite stores it for integer kernels: a Q0.31 mantissa in [2^30, 2^31) (or 0) and a power-of-two
/// exponent, real ≈ Multiplier · 2^(Shift − 31). Positive <see cref="Shift"/> is a left shift.
/// </summary>
public readonly record struct QuantizedMultiplier(int Multiplier, int Shift)
{
    /// <summary>The multiplier's value as a double (for messages and tests).</summary>
    public double ToDouble() => Multiplier * Math.Pow(2, Shift - 31);
}

/// <summary>
/// The fixed-point arithmetic of TFLite's integer kernels (docs/numerics.md §Quantized execution): the real multiplier
/// turned into mantissa and shift once at Prepare (<see cref="QuantizeMultiplier"/>), then per element a saturating
/// rounding doubling high multiply and a rounding right shift (<see cref="MultiplyByQuantizedMultiplier(int, int, int)"/>,
/// TFLite's default double-rounding form). Pure integer operations: every backend reproduces them exactly.
/// </summary>
public static partial class Quantization
{
    /// <summary>
    /// TFLite's QuantizeMultiplier: m = q · 2^e with q in [0.5, 1) (frexp), mantissa = round(q · 2^31) rounding halves
    /// away from zero; a mantissa of exactly 2^31 becomes 2^30 with the exponent one higher; an exponent below −31 flushes
    /// the multiplier to (0, 0). Zero gives (0, 0). <paramref name="realMultiplier"/> must be finite and non-negative.
    /// </summary>
    public static QuantizedMultiplier QuantizeMultiplier(double realMultiplier)
    {
        if (!(realMultiplier >= 0) || double.IsInfinity(realMultiplier))
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "a quantized multiplier must be finite and non-negative");
        if (realMultiplier == 0) return new QuantizedMultiplier(0, 0);
        var (fraction, exponent) = FrExp(realMultiplier);
        long mantissa = (long)Math.Round(fraction * (1L << 31), MidpointRounding.AwayFromZero);
        if (mantissa == 1L << 31)
        {
            mantissa /= 2;
            exponent++;
        }
        if (exponent < -31) return new QuantizedMultiplier(0, 0);
        if (mantissa > int.MaxValue || exponent > 62)
            throw new ArgumentOutOfRangeException(nameof(realMultiplier), realMultiplier, "multiplier too large for a 32-bit mantissa and shift");
        return new QuantizedMultiplier((int)mantissa, exponent);
    }

    /// <summary>C's frexp for a positive finite double: value = fraction · 2^exponent, fraction in [0.5, 1). Exact.</summary>
    private static (double Fraction, int Exponent) FrExp(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        int biased = (int)((bits >> 52) & 0x7FF);
        if (biased == 0)
        {
            // Subnormal: scale into the normal range first (exact), then correct the exponent.
            var (f, e) = FrExp(value * 18446744073709551616.0);
            return (f, e - 64);
        }
        int exponent = biased - 1022;
        double fraction = BitConverter.Int64BitsToDouble((bits & ~(0x7FFL << 52)) | (1022L << 52));
        return (fraction, exponent);
    }

    /// <summary>
    /// gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2·a·b, rounded to nearest with halves away from
    /// zero; the one overflowing case (a = b = int.MinValue) saturates to int.MaxValue.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == int.MinValue && b == int.MinValue) return int.MaxValue;
        long product = (long)a * b;
        long nudge = product >= 0 ? 1L << 30 : 1 - (1L << 30);
        // C++ integer division truncates toward zero, as C#'s does.
        return (int)((product + nudge) / (1L << 31));
    }

    /// <summary>
    /// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, halves away from zero
    /// (<paramref name="exponent"/> in [0, 31]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>
    /// TFLite's MultiplyByQuantizedMultiplier (the default, double-rounding form): a left shift by max(shift, 0)
    /// (wrapping as the int32 multiplication of the C++ code does), the saturating rounding doubling high multiply, then
    /// a rounding right shift by max(−shift, 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier), rightShift);
    }

    /// <inheritdoc cref="MultiplyByQuantizedMultiplier(int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(int x, QuantizedMultiplier multiplier) =>
        MultiplyByQuantizedMultiplier(x, multiplier.Multiplier, multiplier.Shift);

    /// <summary>
    /// TFLite's Quantize of one float for an activation bound (kernel_util's CalculateActivationRangeQuantizedImpl):
    /// zero point + round(f / scale), one binary32 division, rounding halves away from zero.
    /// </summary>
    public static int QuantizeBound(float value, float scale, int zeroPoint) =>
        zeroPoint + (int)MathF.Round(value / scale, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The clamp of a fused activation in the quantized domain (TFLite's CalculateActivationRangeQuantized): NONE the
    /// type's range; RELU [max(qmin, Q(0)), qmax]; RELU6 [max(qmin, Q(0)), min(qmax, Q(6))]; RELU_N1_TO_1
    /// [max(qmin, Q(−1)), min(qmax, Q(1))], with Q = <see cref="QuantizeBound"/>. Null for any other activation.
    /// </summary>
    public static (int Min, int Max)? ActivationRange(ActivationFunctionType activation, float scale, int zeroPoint, int typeMin, int typeMax) =>
        activation switch
        {
            ActivationFunctionType.None => (typeMin, typeMax),
            ActivationFunctionType.Relu => (Math.Max(typeMin, QuantizeBound(0f, scale, zeroPoint)), typeMax),
            ActivationFunctionType.Relu6 => (Math.Max(typeMin, QuantizeBound(0f, scale, zeroPoint)), Math.Min(typeMax, QuantizeBound(6f, scale, zeroPoint))),
            ActivationFunctionType.ReluN1To1 => (Math.Max(typeMin, QuantizeBound(-1f, scale, zeroPoint)), Math.Min(typeMax, QuantizeBound(1f, scale, zeroPoint))),
            _ => null,
        };

    /// <summary>The value range of an integer quantized dtype (int8, uint8, int16, int32); null for other dtypes.</summary>
    public static (int Min, int Max)? TypeRange(TensorType type) => type switch
    {
        TensorType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        TensorType.UInt8 => (byte.MinValue, byte.MaxValue),
        TensorType.Int16 => (short.MinValue, short.MaxValue),
        TensorType.Int32 => (int.MinValue, int.MaxValue),
        _ => null,
    };
}
