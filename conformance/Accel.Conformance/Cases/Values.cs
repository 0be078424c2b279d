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
    public static readonly IReadOnlyList<string> Names = ["uniform", "positive", "wide", "large", "special"];

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
