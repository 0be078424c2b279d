using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json.Serialization;

namespace Accel.Conformance.Running;

/// <summary>
/// How one output differs from its expected bits. <see cref="Differing"/> counts elements whose bits differ (so −0
/// vs +0 counts; two NaNs never do, whatever their payloads). <see cref="MaxUlp"/> is over elements where neither side is NaN
/// (null when there are none, or for non-float types, where it is the largest integer difference);
/// <see cref="NanMismatches"/> counts elements where exactly one side is NaN.
/// </summary>
public sealed record OutputDiff(
    long Elements,
    long Differing,
    long? MaxUlp,
    double? MaxAbsDiff,
    long FirstIndex,
    string? Expected,
    string? Actual,
    long NanMismatches)
{
    public bool BitExact => Differing == 0;

    public string Describe() => BitExact
        ? $"bit-exact ({Elements} elements)"
        : $"{Differing} of {Elements} elements differ; max ULP {(MaxUlp?.ToString(CultureInfo.InvariantCulture) ?? "n/a")}, " +
          $"max |diff| {(MaxAbsDiff is { } d ? OutputComparer.FormatDouble(d) : "n/a")}" +
          (NanMismatches > 0 ? $", {NanMismatches} NaN vs number" : "") +
          $"; first at [{FirstIndex}]: expected {Expected}, got {Actual}";
}

/// <summary>
/// Element-wise, bit-level comparison of two tensors of the same dtype. Bit-exact means the same bits, NaN payloads
/// excepted: docs/numerics.md leaves a NaN result's sign and payload unspecified (x86 returns either operand's NaN
/// depending on the JIT's operand order), so any NaN equals any NaN, in comparisons and in hashes
/// (<see cref="CanonicalSha256"/>).
/// </summary>
public static class OutputComparer
{
    /// <summary>The quiet NaNs every NaN is replaced with before hashing.</summary>
    public const uint CanonicalNaN32 = 0x7FC0_0000;
    public const ushort CanonicalNaN16 = 0x7E00;

    /// <summary>
    /// SHA-256 (lower-case hex) of <paramref name="bytes"/> after replacing every float32/float16/bfloat16 NaN by the
    /// canonical quiet NaN (other dtypes: the bytes as they are). Goldens and outputs are compared by this hash.
    /// </summary>
    public static string CanonicalSha256(TensorType type, ReadOnlySpan<byte> bytes)
    {
        if (type is not (TensorType.Float32 or TensorType.Float16 or TensorType.BFloat16)) return SuiteContext.Sha256Hex(bytes);
        byte[] copy = bytes.ToArray();
        if (type == TensorType.Float32)
        {
            for (int i = 0; i + 4 <= copy.Length; i += 4)
                if (float.IsNaN(BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(i)))))
                    BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i), CanonicalNaN32);
        }
        else
        {
            for (int i = 0; i + 2 <= copy.Length; i += 2)
            {
                ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(i));
                bool nan = type == TensorType.Float16 ? (bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0 : (bits & 0x7F80) == 0x7F80 && (bits & 0x007F) != 0;
                if (nan) BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(i), type == TensorType.Float16 ? CanonicalNaN16 : (ushort)0x7FC0);
            }
        }
        return SuiteContext.Sha256Hex(copy);
    }

    /// <summary>
    /// The position of a float32 on the number line, as an integer: +0 is 0, the next float up is 1, and negative
    /// values mirror below with −0 at −1, so adjacent floats (including −0 and +0) are one apart and ±inf are the ends.
    /// </summary>
    public static long OrderedFloat32(uint bits) =>
        (bits & 0x8000_0000u) == 0 ? bits : -(long)(bits & 0x7FFF_FFFFu) - 1;

    /// <summary>As <see cref="OrderedFloat32"/>, for IEEE binary16.</summary>
    public static long OrderedFloat16(ushort bits) =>
        (bits & 0x8000) == 0 ? bits : -(long)(bits & 0x7FFF) - 1;

    /// <summary>ULP distance between two non-NaN float32 bit patterns (−0 and +0 are 1 apart).</summary>
    public static long UlpDistance(float expected, float actual) =>
        Math.Abs(OrderedFloat32(BitConverter.SingleToUInt32Bits(expected)) - OrderedFloat32(BitConverter.SingleToUInt32Bits(actual)));

    public static OutputDiff Compare(TensorType type, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        int size = type.ElementSize();
        if (size == 0) size = 1;
        if (expected.Length != actual.Length)
            throw new ArgumentException($"expected has {expected.Length} bytes, actual {actual.Length}");
        long elements = expected.Length / size;
        long differing = 0, nanMismatches = 0, firstIndex = -1;
        long? maxUlp = null;
        double? maxAbs = null;
        string? first = null, firstActual = null;
        for (long i = 0; i < elements; i++)
        {
            var e = expected.Slice((int)(i * size), size);
            var a = actual.Slice((int)(i * size), size);
            if (e.SequenceEqual(a) || BothNaN(type, e, a)) continue;
            differing++;
            if (firstIndex < 0)
            {
                firstIndex = i;
                first = FormatElement(type, e);
                firstActual = FormatElement(type, a);
            }
            switch (type)
            {
                case TensorType.Float32:
                {
                    uint eb = BinaryPrimitives.ReadUInt32LittleEndian(e), ab = BinaryPrimitives.ReadUInt32LittleEndian(a);
                    float ef = BitConverter.UInt32BitsToSingle(eb), af = BitConverter.UInt32BitsToSingle(ab);
                    if (float.IsNaN(ef) && float.IsNaN(af)) continue; // NaN payloads are unspecified: any NaN is NaN
                    if (float.IsNaN(ef) != float.IsNaN(af)) nanMismatches++;
                    if (float.IsNaN(ef) || float.IsNaN(af)) break;
                    maxUlp = Math.Max(maxUlp ?? 0, Math.Abs(OrderedFloat32(eb) - OrderedFloat32(ab)));
                    maxAbs = MaxAbs(maxAbs, (double)af - ef);
                    break;
                }
                case TensorType.Float16:
                {
                    ushort eb = BinaryPrimitives.ReadUInt16LittleEndian(e), ab = BinaryPrimitives.ReadUInt16LittleEndian(a);
                    Half eh = BitConverter.UInt16BitsToHalf(eb), ah = BitConverter.UInt16BitsToHalf(ab);
                    if (Half.IsNaN(eh) && Half.IsNaN(ah)) continue;
                    if (Half.IsNaN(eh) != Half.IsNaN(ah)) nanMismatches++;
                    if (Half.IsNaN(eh) || Half.IsNaN(ah)) break;
                    maxUlp = Math.Max(maxUlp ?? 0, Math.Abs(OrderedFloat16(eb) - OrderedFloat16(ab)));
                    maxAbs = MaxAbs(maxAbs, (double)ah - (double)eh);
                    break;
                }
                default:
                    if (IntegerValue(type, e) is { } ei && IntegerValue(type, a) is { } ai)
                    {
                        // For integers one "ULP" is one unit: the distance is the integer difference.
                        long distance = (long)Math.Min(Math.Abs((decimal)ai - ei), long.MaxValue);
                        maxUlp = Math.Max(maxUlp ?? 0, distance);
                        maxAbs = MaxAbs(maxAbs, (double)(ai - ei));
                    }
                    break;
            }
        }
        return new OutputDiff(elements, differing, maxUlp, maxAbs, firstIndex, first, firstActual, nanMismatches);
    }

    private static bool BothNaN(TensorType type, ReadOnlySpan<byte> e, ReadOnlySpan<byte> a) => type switch
    {
        TensorType.Float32 => float.IsNaN(BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(e))) &&
                              float.IsNaN(BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(a))),
        TensorType.Float16 => Half.IsNaN(BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(e))) &&
                              Half.IsNaN(BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(a))),
        _ => false,
    };

    private static double MaxAbs(double? current, double difference)
    {
        double d = Math.Abs(difference);
        return current is { } c ? Math.Max(c, d) : d;
    }

    private static decimal? IntegerValue(TensorType type, ReadOnlySpan<byte> b) => type switch
    {
        TensorType.Int8 => (sbyte)b[0],
        TensorType.UInt8 or TensorType.Bool => b[0],
        TensorType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        TensorType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        TensorType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        TensorType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        TensorType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        TensorType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => null,
    };

    /// <summary>A value as reports print it: the number (round-trip), and for floats its bit pattern, e.g. <c>-0 (0x80000000)</c>.</summary>
    public static string FormatElement(TensorType type, ReadOnlySpan<byte> b) => type switch
    {
        TensorType.Float32 => $"{FormatFloat(BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(b)))} (0x{BinaryPrimitives.ReadUInt32LittleEndian(b):X8})",
        TensorType.Float16 => $"{FormatFloat((float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b)))} (0x{BinaryPrimitives.ReadUInt16LittleEndian(b):X4})",
        _ when IntegerValue(type, b) is { } v => v.ToString(CultureInfo.InvariantCulture),
        _ => "0x" + Convert.ToHexString(b),
    };

    public static string FormatFloat(float f) =>
        f == 0 && float.IsNegative(f) ? "-0" : f.ToString("R", CultureInfo.InvariantCulture);

    public static string FormatDouble(double d) => d.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>Small facts about a tensor for the manifest and for spotting how an output moved: min, max, mean, NaN and ±inf counts.</summary>
public sealed record TensorSummary(double? Min, double? Max, double? Mean,
    [property: JsonPropertyName("nan")] long NaN, [property: JsonPropertyName("inf")] long Inf)
{
    /// <summary>Over the non-NaN elements (infinities included in min/max; mean over finite elements, summed in double in order).</summary>
    public static TensorSummary Of(TensorType type, ReadOnlySpan<byte> bytes)
    {
        int size = type.ElementSize();
        if (size == 0) return new(null, null, null, 0, 0);
        long count = bytes.Length / size, nan = 0, inf = 0, finite = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        bool any = false;
        for (long i = 0; i < count; i++)
        {
            var e = bytes.Slice((int)(i * size), size);
            double? value = type switch
            {
                TensorType.Float32 => BitConverter.UInt32BitsToSingle(BinaryPrimitives.ReadUInt32LittleEndian(e)),
                TensorType.Float16 => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(e)),
                _ => Integer(type, e),
            };
            if (value is not { } v) continue;
            if (double.IsNaN(v))
            {
                nan++;
                continue;
            }
            any = true;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            if (double.IsInfinity(v)) inf++;
            else
            {
                sum += v;
                finite++;
            }
        }
        return any ? new(min, max, finite > 0 ? sum / finite : null, nan, inf) : new(null, null, null, nan, inf);
    }

    private static double? Integer(TensorType type, ReadOnlySpan<byte> b) => type switch
    {
        TensorType.Int8 => (sbyte)b[0],
        TensorType.UInt8 or TensorType.Bool => b[0],
        TensorType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        TensorType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        TensorType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        _ => null,
    };

    public string Describe() =>
        $"min {Fmt(Min)} max {Fmt(Max)} mean {Fmt(Mean)}" + (NaN > 0 ? $" NaN×{NaN}" : "") + (Inf > 0 ? $" inf×{Inf}" : "");

    private static string Fmt(double? v) => v is { } d ? OutputComparer.FormatDouble(d) : "-";
}
