using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// Vector forms of the common CAST pairs (float32 ↔ int32, int32 ↔ int64, uint8/int8/bool → float32, float32 → bool),
/// each computing per lane exactly CastConversions' scalar function: integer → float32 conversions round to nearest
/// (exact for 8-bit inputs), float32 → int32 is TFLite's clamp then truncation (NaN → int.MaxValue), int64 → int32 keeps
/// the low 32 bits, bool bytes read as 0/1. The tail of a range runs CastConversions itself. Other pairs: null, and
/// the caller keeps the scalar conversion.
/// </summary>
internal static unsafe class CastLanes
{
    /// <summary>Converts elements [start, end) of a supported pair; false for a pair without a vector form.</summary>
    [MethodImpl(JitHints.Hot)]
    public static bool TryConvert(SimdWidth width, TensorType from, TensorType to, byte* input, byte* output, int start, int end)
    {
        bool wide = width is SimdWidth.W256 or SimdWidth.W512;
        bool narrow = width == SimdWidth.W128;
        if (!wide && !narrow) return false;
        int i = start;
        switch (from, to)
        {
            case (TensorType.Float32, TensorType.Int32):
            {
                var x = (float*)input;
                var y = (int*)output;
                if (wide) for (; i <= end - 8; i += 8) FloatToInt32(Vector256.Load(x + i)).Store(y + i);
                else for (; i <= end - 4; i += 4) FloatToInt32(Vector128.Load(x + i)).Store(y + i);
                for (; i < end; i++) y[i] = CastConversions.Float32ToInt32(x[i]);
                return true;
            }
            case (TensorType.Int32, TensorType.Float32):
            {
                var x = (int*)input;
                var y = (float*)output;
                if (wide) for (; i <= end - 8; i += 8) Vector256.ConvertToSingle(Vector256.Load(x + i)).Store(y + i);
                else for (; i <= end - 4; i += 4) Vector128.ConvertToSingle(Vector128.Load(x + i)).Store(y + i);
                for (; i < end; i++) y[i] = x[i];
                return true;
            }
            case (TensorType.Int32, TensorType.Int64):
            {
                var x = (int*)input;
                var y = (long*)output;
                if (wide) for (; i <= end - 8; i += 8) StorePair(Vector256.Widen(Vector256.Load(x + i)), y + i);
                else for (; i <= end - 4; i += 4) StorePair(Vector128.Widen(Vector128.Load(x + i)), y + i);
                for (; i < end; i++) y[i] = x[i];
                return true;
            }
            case (TensorType.Int64, TensorType.Int32):
            {
                var x = (long*)input;
                var y = (int*)output;
                if (wide) for (; i <= end - 8; i += 8) Vector256.Narrow(Vector256.Load(x + i), Vector256.Load(x + i + 4)).Store(y + i);
                else for (; i <= end - 4; i += 4) Vector128.Narrow(Vector128.Load(x + i), Vector128.Load(x + i + 2)).Store(y + i);
                for (; i < end; i++) y[i] = unchecked((int)x[i]);
                return true;
            }
            case (TensorType.UInt8, TensorType.Float32):
            case (TensorType.Int8, TensorType.Float32):
            case (TensorType.Bool, TensorType.Float32):
            {
                var y = (float*)output;
                bool signed = from == TensorType.Int8, truth = from == TensorType.Bool;
                // 8 bytes at a time, widened to int32 lanes (zero- or sign-extended; bool bytes to 0/1 first).
                for (; i <= end - 8; i += 8)
                {
                    var bytes = Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(input + i)).AsByte();
                    if (truth) bytes = Vector128.Min(bytes, Vector128<byte>.One);
                    Vector128<int> lo, hi;
                    if (signed)
                    {
                        var shorts = Vector128.WidenLower(bytes.AsSByte());
                        (lo, hi) = (Vector128.WidenLower(shorts), Vector128.WidenUpper(shorts));
                    }
                    else
                    {
                        var shorts = Vector128.WidenLower(bytes);
                        (lo, hi) = (Vector128.WidenLower(shorts).AsInt32(), Vector128.WidenUpper(shorts).AsInt32());
                    }
                    if (wide) Vector256.ConvertToSingle(Vector256.Create(lo, hi)).Store(y + i);
                    else
                    {
                        Vector128.ConvertToSingle(lo).Store(y + i);
                        Vector128.ConvertToSingle(hi).Store(y + i + 4);
                    }
                }
                for (; i < end; i++)
                    y[i] = signed ? (sbyte)input[i] : truth ? (input[i] != 0 ? 1f : 0f) : input[i];
                return true;
            }
            case (TensorType.Float32, TensorType.Bool):
            {
                var x = (float*)input;
                // f != 0 (NaN included) → 1: per 8 lanes, the compare's sign bits to bytes.
                for (; i <= end - 8; i += 8)
                {
                    uint zeros = wide
                        ? Vector256.Equals(Vector256.Load(x + i), Vector256<float>.Zero).ExtractMostSignificantBits()
                        : Vector128.Equals(Vector128.Load(x + i), Vector128<float>.Zero).ExtractMostSignificantBits()
                          | (Vector128.Equals(Vector128.Load(x + i + 4), Vector128<float>.Zero).ExtractMostSignificantBits() << 4);
                    TruthBytes.Store(output + i, ~zeros & 0xFFu, 8);
                }
                for (; i < end; i++) output[i] = x[i] != 0f ? (byte)1 : (byte)0;
                return true;
            }
            default:
                return false;
        }
    }

    /// <summary>CastConversions.Float32ToInt32 per lane: x ≤ 2147483520 ? (int)max(x, −2^31) : int.MaxValue (NaN too).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> FloatToInt32(Vector256<float> x)
    {
        var low = Vector256.Create(-2147483648f);
        var clamped = Vector256.ConditionalSelect(Vector256.LessThan(x, low), low, x);
        var inRange = Vector256.LessThanOrEqual(x, Vector256.Create(CastConversions.Int32UpperBound)).AsInt32();
        return Vector256.ConditionalSelect(inRange, Vector256.ConvertToInt32(clamped), Vector256.Create(int.MaxValue));
    }

    /// <inheritdoc cref="FloatToInt32(Vector256{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> FloatToInt32(Vector128<float> x)
    {
        var low = Vector128.Create(-2147483648f);
        var clamped = Vector128.ConditionalSelect(Vector128.LessThan(x, low), low, x);
        var inRange = Vector128.LessThanOrEqual(x, Vector128.Create(CastConversions.Int32UpperBound)).AsInt32();
        return Vector128.ConditionalSelect(inRange, Vector128.ConvertToInt32(clamped), Vector128.Create(int.MaxValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(in (Vector256<long> Lower, Vector256<long> Upper) pair, long* destination)
    {
        pair.Lower.Store(destination);
        pair.Upper.Store(destination + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair(in (Vector128<long> Lower, Vector128<long> Upper) pair, long* destination)
    {
        pair.Lower.Store(destination);
        pair.Upper.Store(destination + 2);
    }
}
