using System.Security.Cryptography;
using System.Text;

namespace Accel.Conformance.Cases;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): the whole state is one 64-bit counter, so a seed fixes the sequence on every
/// platform forever. Every random input and weight of the suite comes from it.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        ulong z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The top 24 bits as a float in [0, 1): exact, a multiple of 2^-24.</summary>
    public float NextUnit() => (Next() >> 40) * (1.0f / (1 << 24));

    /// <summary><c>min + (max - min) * NextUnit()</c>, computed in double and rounded to float once.</summary>
    public float NextIn(double min, double max) => (float)(min + (max - min) * NextUnit());
}

/// <summary>
/// The named value sets op cases draw their inputs (and weights) from. Documented in conformance/README.md; changing
/// one changes goldens, which the manifest's input hashes catch.
/// </summary>
public static class ValueSets
{
    public static readonly IReadOnlyList<string> Names = ["uniform", "positive", "wide", "large", "special", "ties"];

    /// <summary>
    /// The specials cycled through by the <c>special</c> set: ±0, smallest and largest subnormals, smallest normal,
    /// ±inf, a quiet NaN, float.MaxValue in both signs, and 1 and -1 for clamps.
    /// </summary>
    public static readonly float[] Specials =
    [
        0f, -0f,
        float.Epsilon, -float.Epsilon,
        BitConverter.Int32BitsToSingle(0x007FFFFF), -BitConverter.Int32BitsToSingle(0x007FFFFF),
        BitConverter.Int32BitsToSingle(0x00800000),
        float.PositiveInfinity, float.NegativeInfinity,
        BitConverter.Int32BitsToSingle(0x7FC00000),
        float.MaxValue, -float.MaxValue,
        1f, -1f,
    ];

    /// <summary>
    /// The hard cases cycled through by the <c>ties</c> set, for FLOOR, CEIL and ROUND: ties at ±0.5, ±1.5, ±2.5 (half to
    /// even both ways), the floats adjacent to ±0.5, ties at the top of the range where halves exist (2²³ − 0.5,
    /// 2²² + 0.5), the integers 2²³ + 1 and 2²⁴ (no fraction), and −0.25 (in [−0.5, 0), where TFLite's ROUND gives +0).
    /// </summary>
    public static readonly float[] Ties =
    [
        0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f,
        BitConverter.Int32BitsToSingle(0x3EFFFFFF), -BitConverter.Int32BitsToSingle(0x3EFFFFFF),   // 0.49999997
        BitConverter.Int32BitsToSingle(0x3F000001), -BitConverter.Int32BitsToSingle(0x3F000001),   // 0.50000006
        8388607.5f, -8388607.5f, 4194304.5f, -4194304.5f,
        8388609f, 16777216f, -0.25f,
    ];

    /// <summary>
    /// The int32 extremes cycled through by the int32 <c>special</c> set: 0, ±1, MaxValue, MinValue and their neighbours
    /// (ABS and NEG wrap at MinValue; SQUARED_DIFFERENCE's difference and square wrap), ±46341 and 46340 (whose squares
    /// just overflow / just fit), ±65536 (square 2³²: wraps to 0).
    /// </summary>
    public static readonly int[] Int32Specials =
    [
        0, 1, -1, int.MaxValue, int.MinValue, int.MaxValue - 1, int.MinValue + 1,
        46340, 46341, -46341, 65536, -65536,
    ];

    /// <summary>
    /// The int64 extremes cycled through by the int64 <c>special</c> set: 0, ±1, MaxValue, MinValue, MinValue + 1, the
    /// int32 limits and their neighbours across 2³¹, and values that differ from small ones only in the upper 32 bits
    /// (2³², 2³² + 1, −2³², 2⁶²), so a comparison or negation that looks at one word only is caught.
    /// </summary>
    public static readonly long[] Int64Specials =
    [
        0, 1, -1, long.MaxValue, long.MinValue, long.MinValue + 1,
        int.MaxValue, int.MinValue, 1L << 31, -(1L << 31) - 1,
        1L << 32, (1L << 32) + 1, -(1L << 32), 1L << 62,
    ];

    /// <summary>The bytes cycled through by the bool <c>special</c> set: false, true and nonzero bytes other than 1 (all true).</summary>
    public static readonly byte[] BoolSpecials = [0, 1, 2, 0x80, 0xFF];

    /// <summary>
    /// The seed of a tensor: the first 8 bytes (little-endian) of SHA-256(UTF-8 of "caseId#tensorName"). Independent of
    /// every other case, so adding a case never moves another case's golden.
    /// </summary>
    public static ulong SeedFor(string caseId, string tensorName)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(caseId + "#" + tensorName));
        return BitConverter.ToUInt64(hash, 0);
    }

    /// <summary>
    /// <paramref name="count"/> float32 values of <paramref name="set"/>:
    /// <c>uniform</c> [-1, 1); <c>positive</c> [0, 1); <c>wide</c> [-8, 8);
    /// <c>large</c> ±[1e30, 3e38) with a random sign (log-uniform magnitude would need library math, so the magnitude is
    /// 1e30 + u·(3e38 − 1e30) in double);
    /// <c>special</c>: uniform [-1, 1), with every third element (i % 3 == 0) replaced by <see cref="Specials"/>[(i / 3) % 14].
    /// <c>ties</c>: multiples of 0.25 in [−32, 32] ((hi24 mod 257 − 128) / 4: a third integers, a quarter ties, many
    /// equal pairs for comparisons), with every third element (i % 3 == 0) replaced by <see cref="Ties"/>[(i / 3) % 17].
    /// One SplitMix64 draw per element in all sets (so the non-special elements of <c>special</c> equal <c>uniform</c>'s).
    /// </summary>
    public static float[] Float32(string set, int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = set switch
            {
                "uniform" => rng.NextIn(-1, 1),
                "positive" => rng.NextIn(0, 1),
                "wide" => rng.NextIn(-8, 8),
                "large" => Large(rng.Next()),
                "special" => Special(rng, i),
                "ties" => Tie(rng, i),
                _ => throw new ArgumentException($"unknown value set '{set}' (known: {string.Join(", ", Names)})", nameof(set)),
            };
        }
        return values;
    }

    private static float Large(ulong bits)
    {
        double unit = (bits >> 40) * (1.0 / (1 << 24));
        double magnitude = 1e30 + unit * (3e38 - 1e30);
        return (float)((bits & 1) == 0 ? magnitude : -magnitude);
    }

    private static float Special(SplitMix64 rng, int i)
    {
        float uniform = rng.NextIn(-1, 1);
        return i % 3 == 0 ? Specials[i / 3 % Specials.Length] : uniform;
    }

    private static float Tie(SplitMix64 rng, int i)
    {
        float quarter = ((int)((rng.Next() >> 40) % 257) - 128) / 4f;
        return i % 3 == 0 ? Ties[i / 3 % Ties.Length] : quarter;
    }

    /// <summary>
    /// int32 of a value set: <c>wide</c> uniform over the whole type; <c>special</c> uniform in [−1000, 1000] with every
    /// third element (i % 3 == 0) replaced by <see cref="Int32Specials"/>[(i / 3) % 12]; anything else uniform in
    /// [−1000, 1000]. One draw per element.
    /// </summary>
    public static int[] Int32(string set, int count, ulong seed)
    {
        var values = set == "wide" ? Integers(int.MinValue, int.MaxValue, count, seed) : Integers(-1000, 1000, count, seed);
        var result = new int[count];
        for (int i = 0; i < count; i++)
            result[i] = set == "special" && i % 3 == 0 ? Int32Specials[i / 3 % Int32Specials.Length] : (int)values[i];
        return result;
    }

    /// <summary>
    /// int64 of a value set: <c>wide</c> uniform over the whole type (the draw's 64 bits); <c>special</c> uniform in
    /// [−1000, 1000] with every third element replaced by <see cref="Int64Specials"/>[(i / 3) % 14]; anything else
    /// uniform in [−1000, 1000]. One draw per element.
    /// </summary>
    public static long[] Int64(string set, int count, ulong seed)
    {
        if (set == "wide")
        {
            var rng = new SplitMix64(seed);
            var all = new long[count];
            for (int i = 0; i < count; i++) all[i] = (long)rng.Next();
            return all;
        }
        var values = Integers(-1000, 1000, count, seed);
        if (set == "special")
            for (int i = 0; i < count; i += 3) values[i] = Int64Specials[i / 3 % Int64Specials.Length];
        return values;
    }

    /// <summary>
    /// bool bytes of a value set: 0 or 1 from each draw's top bit; <c>special</c> with every third element replaced by
    /// <see cref="BoolSpecials"/>[(i / 3) % 5] (nonzero bytes other than 1 are true, docs/numerics.md §General rules).
    /// </summary>
    public static byte[] Bool(string set, int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var values = new byte[count];
        for (int i = 0; i < count; i++)
        {
            byte bit = (byte)(rng.Next() >> 63);
            values[i] = set == "special" && i % 3 == 0 ? BoolSpecials[i / 3 % BoolSpecials.Length] : bit;
        }
        return values;
    }

    /// <summary>
    /// int8 <c>sweep</c>: element i is −128 + (i mod 256), so 256 elements hold every int8 value once, for table kernels
    /// whose every entry deserves a comparison (int8 LOG, SQRT).
    /// </summary>
    public static byte[] Int8Sweep(int count)
    {
        var values = new byte[count];
        for (int i = 0; i < count; i++) values[i] = (byte)(sbyte)(sbyte.MinValue + i % 256);
        return values;
    }

    /// <summary>
    /// int16 <c>sweep</c>: element i is −32768 + (i mod 65536), so 65,536 elements hold every int16 value once — zero,
    /// ±32767 and −32768 included — for kernels whose every input deserves a comparison (int16 LOGISTIC, TANH).
    /// </summary>
    public static short[] Int16Sweep(int count)
    {
        var values = new short[count];
        for (int i = 0; i < count; i++) values[i] = (short)(short.MinValue + i % 65536);
        return values;
    }

    /// <summary>Integers uniform over [min, max] (inclusive) from the top 32 bits of each draw: (hi32 mod (max-min+1)) + min.</summary>
    public static long[] Integers(long min, long max, int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        ulong span = (ulong)(max - min) + 1;
        var values = new long[count];
        for (int i = 0; i < count; i++) values[i] = min + (long)((rng.Next() >> 32) % span);
        return values;
    }
}
