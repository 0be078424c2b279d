using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>
/// SpecMath.Remainder (fmodf by integer long division) and the integer/float element operations of DIV, FLOOR_DIV and
/// FLOOR_MOD (docs/numerics.md §DIV, FLOOR_DIV, FLOOR_MOD), each checked against an independent formulation.
/// </summary>
public sealed class DivisionMathTests
{
    private static readonly float[] Specials =
    [
        0f, -0f, float.Epsilon, -float.Epsilon, BitConverter.Int32BitsToSingle(0x007FFFFF), BitConverter.Int32BitsToSingle(0x00800000),
        1f, -1f, 0.1f, -3f, 7.5f, 1e-30f, 16777217f, 3e38f, -float.MaxValue, float.MaxValue, float.PositiveInfinity,
        float.NegativeInfinity, float.NaN,
    ];

    /// <summary>fmod in binary64 is exact, and its binary32 operands' remainder is representable in binary32.</summary>
    private static float FmodViaDouble(float x, float y) => (float)((double)x % y);

    private static void AssertSameFloat(float expected, float actual, string what)
    {
        if (float.IsNaN(expected)) Assert.That(float.IsNaN(actual), $"{what}: expected NaN, got {actual}");
        else Assert.That(BitConverter.SingleToInt32Bits(actual), Is.EqualTo(BitConverter.SingleToInt32Bits(expected)), $"{what}: {expected:R} vs {actual:R}");
    }

    [Test]
    public void Remainder_is_the_exact_fmod_for_special_pairs()
    {
        foreach (float x in Specials)
            foreach (float y in Specials)
                AssertSameFloat(FmodViaDouble(x, y), SpecMath.Remainder(x, y), $"fmod({x:R}, {y:R})");
    }

    [Test]
    public void Remainder_is_the_exact_fmod_for_random_bit_patterns()
    {
        var random = new Random(12345);
        for (int i = 0; i < 200_000; i++)
        {
            float x = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            float y = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
            AssertSameFloat(FmodViaDouble(x, y), SpecMath.Remainder(x, y), $"fmod({x:R}, {y:R})");
        }
    }

    [Test]
    public void Remainder_of_nearby_magnitudes_and_subnormals_is_exact()
    {
        var random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            float y = (float)(random.NextDouble() * Math.Pow(2, random.Next(-149, 20)));
            float x = (float)(random.NextDouble() * 64 - 32) * y;
            AssertSameFloat(FmodViaDouble(x, y), SpecMath.Remainder(x, y), $"fmod({x:R}, {y:R})");
        }
    }

    [Test]
    public void Integer_floor_division_and_modulo_match_the_mathematical_definitions()
    {
        var random = new Random(99);
        int[] edges = [int.MinValue, int.MinValue + 1, -7, -2, -1, 1, 2, 7, int.MaxValue - 1, int.MaxValue];
        var pairs = new List<(int, int)>();
        foreach (int a in edges) foreach (int b in edges) pairs.Add((a, b));
        for (int i = 0; i < 100_000; i++)
        {
            int b = random.Next(int.MinValue, int.MaxValue);
            pairs.Add((random.Next(int.MinValue, int.MaxValue), b == 0 ? 3 : b));
        }
        foreach (var (a, b) in pairs)
        {
            long floor = (long)Math.Floor((decimal)a / b);
            long truncated = (long)a / b;
            int saturate(long q) => q > int.MaxValue ? int.MaxValue : (int)q;
            Assert.That(IntegerDivision.Floored(a, b), Is.EqualTo(saturate(floor)), $"{a} // {b}");
            Assert.That(IntegerDivision.Truncated(a, b), Is.EqualTo(saturate(truncated)), $"{a} / {b}");
            Assert.That(IntegerDivision.FloorModulo(a, b), Is.EqualTo((int)(a - b * floor)), $"{a} mod {b}");
            Assert.That(IntegerDivision.FloorModulo((long)a << 20, (long)b), Is.EqualTo((long)(((decimal)a * (1 << 20)) - b * Math.Floor((decimal)a * (1 << 20) / b))), $"{a}·2^20 mod {b}");
        }
    }

    [Test]
    public void Min_value_over_minus_one_saturates_and_its_modulo_is_zero()
    {
        Assert.That(IntegerDivision.Truncated(int.MinValue, -1), Is.EqualTo(int.MaxValue));
        Assert.That(IntegerDivision.Floored(int.MinValue, -1), Is.EqualTo(int.MaxValue));
        Assert.That(IntegerDivision.FloorModulo(int.MinValue, -1), Is.EqualTo(0));
        Assert.That(IntegerDivision.FloorModulo(long.MinValue, -1L), Is.EqualTo(0L));
    }

    [Test]
    public void Float_floor_divide_divides_in_binary64_before_the_floor()
    {
        // (2^24 − 3) / (1 − 2^-24) = 16777213.99999988…: the binary32 quotient rounds up to 16777214, so a binary32
        // floor would give 16777214; TFLite's binary64 quotient floors to 16777213.
        float below = BitConverter.Int32BitsToSingle(0x3F7FFFFF);
        Assert.That(16777213f / below, Is.EqualTo(16777214f), "premise: the binary32 quotient rounds up");
        Assert.That(IntegerDivision.FloorDivide(16777213f, below), Is.EqualTo(16777213f));
        Assert.That(IntegerDivision.FloorDivide(-7f, 2f), Is.EqualTo(-4f));
        Assert.That(IntegerDivision.FloorDivide(7f, 2f), Is.EqualTo(3f));
        Assert.That(IntegerDivision.FloorDivide(1f, float.PositiveInfinity), Is.EqualTo(0f));
    }

    [TestCase(-7f, 2f, 1f)]
    [TestCase(7f, -2f, -1f)]
    [TestCase(-7f, -2f, -1f)]
    [TestCase(6f, -3f, 0f)]
    [TestCase(-1e-30f, 1f, 1f)]
    public void Float_floor_modulo_takes_the_sign_of_the_denominator(float a, float b, float expected) =>
        Assert.That(IntegerDivision.FloorModulo(a, b), Is.EqualTo(expected));

    [Test]
    public void Float_floor_modulo_of_zero_denominators_and_infinities_is_nan_or_the_numerator()
    {
        Assert.That(float.IsNaN(IntegerDivision.FloorModulo(3f, 0f)));
        Assert.That(float.IsNaN(IntegerDivision.FloorModulo(float.PositiveInfinity, 2f)));
        Assert.That(IntegerDivision.FloorModulo(3f, float.PositiveInfinity), Is.EqualTo(3f));
        Assert.That(IntegerDivision.FloorModulo(-3f, float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity), "−3 mod +∞: t = −3, t + ∞");
    }
}
