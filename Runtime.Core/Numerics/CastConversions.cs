namespace Accel.Numerics;

/// <summary>
/// CAST's element conversions (docs/numerics.md §CAST), written once for every backend. Integer → integer wraps (two's
/// complement, the low bits), anything → bool is <c>x != 0</c>, bool → anything is 0 or 1, integer → float32 rounds to
/// nearest even, float32 → float16 rounds to nearest even (overflow → ±∞). Float → integer truncates toward zero with
/// the out-of-range and NaN results below, which are TFLite's (cast.cc) where it defines them and Accel's choice where
/// its <c>static_cast</c> is undefined.
/// </summary>
public static class CastConversions
{
    /// <summary>The largest float32 below 2³¹ (2³¹ − 128): TFLite's upper bound for float32 → int32.</summary>
    public const float Int32UpperBound = 2147483520f;

    /// <summary>
    /// float32 → int32 as TFLite's clamped copyCast: x ≤ 2³¹ − 128 truncates (below −2³¹ gives −2³¹); above it, +∞ and
    /// NaN give int32.MaxValue.
    /// </summary>
    public static int Float32ToInt32(float x) => x <= Int32UpperBound ? (int)(x < -2147483648f ? -2147483648f : x) : int.MaxValue;

    /// <summary>float32 → int16 as TFLite's clamped copyCast: clamp to [−32768, 32767], truncate; NaN → 0.</summary>
    public static short Float32ToInt16(float x) =>
        float.IsNaN(x) ? (short)0 : (short)(x > 32767f ? 32767f : (x < -32768f ? -32768f : x));

    /// <summary>float32 → uint8 as TFLite's clamped copyCast: clamp to [0, 255], truncate; NaN → 0.</summary>
    public static byte Float32ToUInt8(float x) =>
        float.IsNaN(x) ? (byte)0 : (byte)(x > 255f ? 255f : (x < 0f ? 0f : x));

    /// <summary>
    /// Truncation toward zero saturated to int32, NaN → 0: the first step of a float → int8 (and float16 → int8, int16,
    /// uint8, int32) conversion, whose low bits are then kept, as TFLite's <c>static_cast</c> computes in range.
    /// </summary>
    public static int TruncateSaturatedInt32(float x) =>
        float.IsNaN(x) ? 0 : (x >= 2147483648f ? int.MaxValue : (x <= -2147483648f ? int.MinValue : (int)x));

    /// <summary>float → int64: truncation toward zero saturated to int64, NaN → 0.</summary>
    public static long TruncateSaturatedInt64(float x) =>
        float.IsNaN(x) ? 0 : (x >= 9223372036854775808f ? long.MaxValue : (x <= -9223372036854775808f ? long.MinValue : (long)x));

    /// <summary>float32 → float16 bits: IEEE round to nearest even, overflow → ±∞, NaN stays NaN.</summary>
    public static ushort Float32ToHalfBits(float x) => BitConverter.HalfToUInt16Bits((Half)x);

    /// <summary>float16 bits → float32: exact.</summary>
    public static float HalfBitsToFloat32(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);
}
