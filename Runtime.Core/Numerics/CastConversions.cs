using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    [MethodImpl(JitHints.Hot)]
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

    /// <summary>
    /// Elements [<paramref name="start"/>, <paramref name="end"/>) of CAST from <paramref name="from"/> to
    /// <paramref name="to"/> (two different dtypes; the same dtype is a copy of the bits), raw little-endian bytes in and
    /// out: each element read as a float (float32, float16 widened exactly) or an integer (bool as 0 or 1), then
    /// converted by the rules above. The reference kernel and the CPU delegate both run this.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Convert(TensorType from, TensorType to, ReadOnlySpan<byte> input, Span<byte> output, int start, int end)
    {
        bool fromHalf = from == TensorType.Float16;
        for (int i = start; i < end; i++)
        {
            switch (from)
            {
                case TensorType.Float32:
                case TensorType.Float16:
                    float f = fromHalf ? CastConversions.HalfBitsToFloat32(Element<ushort>(input, i)) : Element<float>(input, i);
                    FromFloat(output, i, to, f, fromHalf);
                    break;
                default:
                    FromInteger(output, i, to, ReadInteger(input, i, from));
                    break;
            }
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static T Element<T>(ReadOnlySpan<byte> bytes, int i) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes)[i];

    private static void Store<T>(Span<byte> bytes, int i, T value) where T : unmanaged => MemoryMarshal.Cast<byte, T>(bytes)[i] = value;

    /// <summary>An integer or bool element as a long (bool: any nonzero byte is 1).</summary>
    [MethodImpl(JitHints.Hot)]
    private static long ReadInteger(ReadOnlySpan<byte> input, int i, TensorType type) => type switch
    {
        TensorType.Int32 => Element<int>(input, i),
        TensorType.Int64 => Element<long>(input, i),
        TensorType.Int16 => Element<short>(input, i),
        TensorType.Int8 => Element<sbyte>(input, i),
        TensorType.UInt8 => input[i],
        _ => input[i] != 0 ? 1 : 0, // bool
    };

    [MethodImpl(JitHints.Hot)]
    private static void FromFloat(Span<byte> output, int i, TensorType to, float f, bool fromHalf)
    {
        switch (to)
        {
            case TensorType.Float32: Store(output, i, f); break;
            case TensorType.Float16: Store(output, i, Float32ToHalfBits(f)); break;
            case TensorType.Bool: output[i] = f != 0f ? (byte)1 : (byte)0; break;
            case TensorType.Int64: Store(output, i, TruncateSaturatedInt64(f)); break;
            // float32 → int32, int16, uint8: TFLite's clamped conversions; float16 → those and → int8, float32 → int8:
            // its plain static_cast, the low bits of the int32 truncation.
            case TensorType.Int32:
                Store(output, i, fromHalf ? TruncateSaturatedInt32(f) : Float32ToInt32(f));
                break;
            case TensorType.Int16:
                Store(output, i, fromHalf ? unchecked((short)TruncateSaturatedInt32(f)) : Float32ToInt16(f));
                break;
            case TensorType.UInt8:
                output[i] = fromHalf ? unchecked((byte)TruncateSaturatedInt32(f)) : Float32ToUInt8(f);
                break;
            default: // int8
                Store(output, i, unchecked((sbyte)TruncateSaturatedInt32(f)));
                break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void FromInteger(Span<byte> output, int i, TensorType to, long v)
    {
        switch (to)
        {
            case TensorType.Float32: Store(output, i, (float)v); break;
            case TensorType.Float16: Store(output, i, Float32ToHalfBits(v)); break;
            case TensorType.Bool: output[i] = v != 0 ? (byte)1 : (byte)0; break;
            case TensorType.Int64: Store(output, i, v); break;
            case TensorType.Int32: Store(output, i, unchecked((int)v)); break;
            case TensorType.Int16: Store(output, i, unchecked((short)v)); break;
            case TensorType.UInt8: output[i] = unchecked((byte)v); break;
            default: Store(output, i, unchecked((sbyte)v)); break; // int8
        }
    }
}
