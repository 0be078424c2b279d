using System.Numerics;
using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>SpecMath Log, Sin, Cos, Pow and Rsqrt: constants, special values, and the documented error bounds.</summary>
public sealed class SpecMathLogTrigPowTests
{
    /// <summary>Every <paramref name="step"/>-th float bit pattern in [from, to), and the last one.</summary>
    private static IEnumerable<float> BitSweep(uint from, uint to, uint step)
    {
        for (ulong bits = from; bits < to; bits += step) yield return BitConverter.UInt32BitsToSingle((uint)bits);
        yield return BitConverter.UInt32BitsToSingle(to - 1);
    }

    private static void Nearest(float constant, double exact, string name) =>
        Assert.That(constant, Is.EqualTo((float)exact), $"{name} is the float nearest {exact:R}");

    private static double Factorial(int n) => Enumerable.Range(1, n).Aggregate(1.0, (p, k) => p * k);

    [Test]
    public void Polynomial_and_reduction_constants_are_the_floats_nearest_their_exact_values()
    {
        Assert.Multiple(() =>
        {
            Nearest(SpecMath.SinS3, -1 / Factorial(3), "SinS3");
            Nearest(SpecMath.SinS5, 1 / Factorial(5), "SinS5");
            Nearest(SpecMath.SinS7, -1 / Factorial(7), "SinS7");
            Nearest(SpecMath.SinS9, 1 / Factorial(9), "SinS9");
            Nearest(SpecMath.SinS11, -1 / Factorial(11), "SinS11");
            Nearest(SpecMath.CosC2, -1 / Factorial(2), "CosC2");
            Nearest(SpecMath.CosC4, 1 / Factorial(4), "CosC4");
            Nearest(SpecMath.CosC6, -1 / Factorial(6), "CosC6");
            Nearest(SpecMath.CosC8, 1 / Factorial(8), "CosC8");
            Nearest(SpecMath.CosC10, -1 / Factorial(10), "CosC10");
            Nearest(SpecMath.CosC12, 1 / Factorial(12), "CosC12");
            Nearest(SpecMath.Atanh5, 2.0 / 5, "Atanh5");
            Nearest(SpecMath.Atanh7, 2.0 / 7, "Atanh7");
            Nearest(SpecMath.Atanh9, 2.0 / 9, "Atanh9");
            Nearest(SpecMath.Atanh11, 2.0 / 11, "Atanh11");
            Nearest(SpecMath.Atanh13, 2.0 / 13, "Atanh13");
            Nearest(SpecMath.Atanh15, 2.0 / 15, "Atanh15");
            Nearest(SpecMath.TwoThirdsHi, 2.0 / 3, "TwoThirdsHi");
            Assert.That((double)SpecMath.TwoThirdsHi + SpecMath.TwoThirdsLo, Is.EqualTo(2.0 / 3).Within(1e-15));
            Nearest(SpecMath.HalfPiHi, Math.PI / 2, "HalfPiHi");
            Nearest(SpecMath.HalfPiLo, Math.PI / 2 - SpecMath.HalfPiHi, "HalfPiLo");
            Nearest(SpecMath.QuarterPi, Math.PI / 4, "QuarterPi");
            Assert.That(Ulp.Bits(BitConverter.Int32BitsToSingle(SpecMath.SqrtTwoBits)), Is.EqualTo(0x3FB504F3u));
            Assert.That(BitConverter.Int32BitsToSingle(SpecMath.SqrtTwoBits), Is.LessThan(Math.Sqrt(2)));
            Assert.That(MathF.BitIncrement(BitConverter.Int32BitsToSingle(SpecMath.SqrtTwoBits)), Is.GreaterThan(Math.Sqrt(2)));
        });
    }

    [Test]
    public void The_two_over_pi_table_holds_the_binary_expansion_of_two_over_pi()
    {
        // 2/π to 320 bits from Machin's formula π = 16·atan(1/5) − 4·atan(1/239), in integers scaled by 2^400.
        int scaleBits = 400;
        BigInteger one = BigInteger.One << scaleBits;
        BigInteger pi = 16 * ArctanReciprocal(5, one) - 4 * ArctanReciprocal(239, one);
        BigInteger twoOverPi = (one * one * 2) / pi;              // scaled by 2^400
        for (int word = 1; word <= 8; word++)
        {
            ulong expected = (ulong)((twoOverPi >> (scaleBits - 32 * word)) & 0xFFFFFFFF);
            Assert.That(SpecMath.TwoOverPiBits(word), Is.EqualTo(expected), $"word {word}");
        }
        Assert.Multiple(() =>
        {
            Assert.That(SpecMath.TwoOverPiBits(0), Is.Zero, "padding");
            Assert.That(SpecMath.TwoOverPiBits(9), Is.Zero, "beyond the window of any float");
        });
    }

    private static BigInteger ArctanReciprocal(int x, BigInteger one)
    {
        BigInteger term = one / x, sum = term, x2 = x * x;
        for (int k = 1; term != 0; k++)
        {
            term /= x2;
            BigInteger part = term / (2 * k + 1);
            sum += k % 2 == 1 ? -part : part;
        }
        return sum;
    }

    [Test]
    public void Log_of_special_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Log(float.NaN)));
            Assert.That(float.IsNaN(SpecMath.Log(-1f)));
            Assert.That(float.IsNaN(SpecMath.Log(-float.Epsilon)), "negative subnormal");
            Assert.That(float.IsNaN(SpecMath.Log(float.NegativeInfinity)));
            Assert.That(SpecMath.Log(0f), Is.EqualTo(float.NegativeInfinity));
            Assert.That(SpecMath.Log(-0f), Is.EqualTo(float.NegativeInfinity));
            Assert.That(SpecMath.Log(float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity));
            Assert.That(Ulp.Bits(SpecMath.Log(1f)), Is.EqualTo(0u), "log 1 = +0");
            Assert.That(SpecMath.Log(float.Epsilon), Is.EqualTo((float)Math.Log(float.Epsilon)));
            Assert.That(SpecMath.Log(float.MaxValue), Is.EqualTo((float)Math.Log(float.MaxValue)));
            Assert.That(SpecMath.Log(2f), Is.EqualTo((float)Math.Log(2)));
            Assert.That(SpecMath.Log((float)Math.E), Is.EqualTo((float)Math.Log((float)Math.E)), "correctly rounded: 0.99999994");
        });
    }

    [Test]
    public void Log_is_within_0_51_ulp_over_a_sweep_of_every_binade_subnormals_included()
    {
        double worst = 0;
        float worstX = 0;
        foreach (float x in BitSweep(1, 0x7F800000, 1021))
        {
            double error = Ulp.Error(SpecMath.Log(x), Math.Log(x));
            if (error > worst) (worst, worstX) = (error, x);
        }
        // Measured over every 61st float (35 million): 0.5008 ulp (docs/numerics.md §Log).
        Assert.That(worst, Is.LessThanOrEqualTo(0.51), $"worst at x = {worstX:R}");
    }

    [Test]
    public void LogExtended_carries_about_33_bits_more_than_its_high_part()
    {
        double worst = 0;
        foreach (float x in BitSweep(1, 0x7F800000, 4099))
        {
            float hi = SpecMath.LogExtended<HostSpecArithmetic>(x, out float lo);
            double exact = Math.Log(x);
            if (exact == 0) continue;
            Assert.That(Math.Abs(lo), Is.LessThanOrEqualTo(Math.Abs(MathF.BitIncrement(Math.Abs(hi)) - Math.Abs(hi)) / 2), $"x = {x:R}");
            worst = Math.Max(worst, Math.Abs(((double)hi + lo - exact) / exact));
        }
        Assert.That(worst, Is.LessThanOrEqualTo(1.5e-10));
    }

    [Test]
    public void Sin_and_cos_of_special_values()
    {
        Assert.Multiple(() =>
        {
            foreach (float v in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                Assert.That(float.IsNaN(SpecMath.Sin(v)), $"sin {v}");
                Assert.That(float.IsNaN(SpecMath.Cos(v)), $"cos {v}");
            }
            Assert.That(Ulp.Bits(SpecMath.Sin(0f)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Sin(-0f)), Is.EqualTo(0x80000000u), "sin −0 = −0");
            Assert.That(SpecMath.Cos(0f), Is.EqualTo(1f));
            Assert.That(SpecMath.Cos(-0f), Is.EqualTo(1f));
            Assert.That(SpecMath.Sin(float.Epsilon), Is.EqualTo(float.Epsilon));
            Assert.That(SpecMath.Sin(-1e-20f), Is.EqualTo(-1e-20f));
            Assert.That(SpecMath.Cos(1e-20f), Is.EqualTo(1f));
        });
    }

    [TestCase(0u, 0x3F490FDBu, 211u)]            // |x| ≤ π/4: no reduction
    [TestCase(0x3F490FDBu, 0x4B000000u, 307u)]   // up to 2^23
    [TestCase(0x4B000000u, 0x7F800000u, 1009u)]  // up to FLT_MAX: exact reduction of huge arguments
    public void Sin_and_cos_are_within_1_5_ulp_on_a_sweep_of_both_signs(uint from, uint to, uint step)
    {
        double worstSin = 0, worstCos = 0;
        foreach (float magnitude in BitSweep(from, to, step))
        {
            foreach (float x in new[] { magnitude, -magnitude })
            {
                worstSin = Math.Max(worstSin, Ulp.Error(SpecMath.Sin(x), Math.Sin(x)));
                worstCos = Math.Max(worstCos, Ulp.Error(SpecMath.Cos(x), Math.Cos(x)));
            }
        }
        // Measured over every 61st float: 1.45 (sin), 1.48 (cos) ulp (docs/numerics.md §Sin, Cos).
        Assert.Multiple(() =>
        {
            Assert.That(worstSin, Is.LessThanOrEqualTo(1.5), "sin");
            Assert.That(worstCos, Is.LessThanOrEqualTo(1.5), "cos");
        });
    }

    [Test]
    public void Sin_and_cos_are_accurate_next_to_multiples_of_half_pi()
    {
        // The floats nearest kπ/2 leave the smallest reduced arguments: the exact reduction keeps them accurate.
        for (int k = 1; k < 20000; k++)
        {
            float x = (float)(k * Math.PI / 2);
            foreach (float v in new[] { MathF.BitDecrement(x), x, MathF.BitIncrement(x) })
            {
                Assert.That(Ulp.Error(SpecMath.Sin(v), Math.Sin(v)), Is.LessThanOrEqualTo(1.5), $"sin {v:R}");
                Assert.That(Ulp.Error(SpecMath.Cos(v), Math.Cos(v)), Is.LessThanOrEqualTo(1.5), $"cos {v:R}");
            }
        }
    }

    private static readonly float[] PowSpecials =
    [
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 3f, -3f, 2.5f, -2.5f, 1e-3f, 1e30f, -1e30f, 16777216f, -16777217f,
        float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
    ];

    [Test]
    public void Pow_special_cases_are_IEEE_pow()
    {
        // .NET's Math.Pow implements IEEE 754 / C99 pow's special cases; for these pairs its double result, rounded,
        // is the correctly rounded float, which Pow must give bit for bit (NaN as any NaN).
        Assert.Multiple(() =>
        {
            foreach (float x in PowSpecials)
            foreach (float y in PowSpecials)
            {
                float expected = (float)Math.Pow(x, y);
                float actual = SpecMath.Pow(x, y);
                if (float.IsNaN(expected)) Assert.That(float.IsNaN(actual), $"pow({x:R}, {y:R}) = {actual:R}, expected NaN");
                else if (expected == 0f || float.IsInfinity(expected) || MathF.Abs(expected) == 1f)
                    Assert.That(Ulp.Bits(actual), Is.EqualTo(Ulp.Bits(expected)), $"pow({x:R}, {y:R}) = {actual:R}, expected {expected:R}");
                else
                    Assert.That(Ulp.Error(actual, Math.Pow(x, y)), Is.LessThanOrEqualTo(1.5), $"pow({x:R}, {y:R})");
            }
        });
    }

    [Test]
    public void Pow_is_within_1_5_ulp_on_random_arguments_whose_result_is_finite()
    {
        var random = new Random(12);
        double worst = 0;
        string worstCase = "";
        for (int i = 0; i < 300_000; i++)
        {
            float x, y;
            switch (i % 4)
            {
                case 0: x = (float)Math.Exp(random.NextDouble() * 40 - 20); y = (float)(random.NextDouble() * 20 - 10); break;
                case 1: x = 1f + (float)(random.NextDouble() - 0.5) * 1e-3f; y = (float)((random.NextDouble() - 0.5) * 2e5); break;
                case 2: x = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(1, 0x7F800000)); y = (float)(random.NextDouble() * 4 - 2); break;
                default: x = -(float)(random.NextDouble() * 100); y = random.Next(-20, 21); break;
            }
            double exact = Math.Pow(x, y);
            if (double.IsInfinity(exact) || exact == 0 || double.IsNaN(exact) || Math.Abs(exact) > float.MaxValue) continue;
            double error = Ulp.Error(SpecMath.Pow(x, y), exact);
            if (error > worst) (worst, worstCase) = (error, $"pow({x:R}, {y:R})");
        }
        // Measured over 20 million such arguments: 1.3778 ulp (docs/numerics.md §Pow).
        Assert.That(worst, Is.LessThanOrEqualTo(1.5), worstCase);
    }

    [Test]
    public void Pow_overflows_and_underflows_to_the_IEEE_limits()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SpecMath.Pow(2f, 128f), Is.EqualTo(float.PositiveInfinity));
            Assert.That(SpecMath.Pow(-2f, 129f), Is.EqualTo(float.NegativeInfinity));
            Assert.That(SpecMath.Pow(2f, 127f), Is.EqualTo(MathF.ScaleB(1f, 127)));
            Assert.That(SpecMath.Pow(2f, -149f), Is.EqualTo(float.Epsilon));
            Assert.That(Ulp.Bits(SpecMath.Pow(2f, -151f)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Pow(-2f, -151f)), Is.EqualTo(0x80000000u), "odd exponent keeps the sign");
            Assert.That(SpecMath.Pow(10f, 38f), Is.EqualTo((float)1e38));
            Assert.That(SpecMath.Pow(3f, 5f), Is.EqualTo(243f));
            Assert.That(SpecMath.Pow(4f, 0.5f), Is.EqualTo(2f));
        });
    }

    [Test]
    public void Rsqrt_is_one_over_the_correctly_rounded_square_root()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SpecMath.Rsqrt(4f), Is.EqualTo(0.5f));
            Assert.That(SpecMath.Rsqrt(0f), Is.EqualTo(float.PositiveInfinity));
            Assert.That(SpecMath.Rsqrt(-0f), Is.EqualTo(float.NegativeInfinity));
            Assert.That(Ulp.Bits(SpecMath.Rsqrt(float.PositiveInfinity)), Is.EqualTo(0u));
            Assert.That(float.IsNaN(SpecMath.Rsqrt(-1f)));
            Assert.That(float.IsNaN(SpecMath.Rsqrt(float.NaN)));
            foreach (float x in BitSweep(1, 0x7F800000, 100_003))
                {
                Assert.That(Ulp.Bits(SpecMath.Rsqrt(x)), Is.EqualTo(Ulp.Bits(1f / (float)Math.Sqrt(x))), $"two roundings, x = {x:R}");
                Assert.That(Ulp.Error(SpecMath.Rsqrt(x), 1 / Math.Sqrt(x)), Is.LessThanOrEqualTo(1.5), $"x = {x:R}");
            }
        });
    }
}
