using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>Distances in units in the last place of binary32, for error-bound assertions.</summary>
internal static class Ulp
{
    /// <summary>|got − exact| in ulps of the binary32 value nearest <paramref name="exact"/> (subnormal spacing below 2^-126).</summary>
    public static double Error(float got, double exact)
    {
        float nearest = (float)exact;
        if (float.IsInfinity(nearest)) return got == nearest ? 0 : double.PositiveInfinity;
        float magnitude = Math.Abs(nearest);
        double ulp = magnitude < MinNormal
            ? Math.Pow(2, -149)
            : Math.Pow(2, ((BitConverter.SingleToInt32Bits(magnitude) >> 23) - 127) - 23);
        return Math.Abs(got - exact) / ulp;
    }

    private const float MinNormal = 1.17549435E-38f;

    /// <summary>Signed distance b − a counted in representable floats (same sign only).</summary>
    public static long Steps(float a, float b) => (long)BitConverter.SingleToInt32Bits(b) - BitConverter.SingleToInt32Bits(a);

    public static uint Bits(float x) => BitConverter.SingleToUInt32Bits(x);
}

public sealed class SpecMathTests
{
    private static IEnumerable<float> SweepAndRandom(float low, float high, float step, int randomCount, int seed)
    {
        for (float x = low; x <= high; x += step) yield return x;
        var random = new Random(seed);
        uint lowBits = BitConverter.SingleToUInt32Bits(low), highBits = BitConverter.SingleToUInt32Bits(high);
        for (int i = 0; i < randomCount; i++)
        {
            // Uniform over bit patterns within the range's two halves, so every binade (tiny values too) is hit.
            float x = random.Next(2) == 0
                ? BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, Math.Min(0x7F800000L, (long)highBits + 1)))
                : BitConverter.UInt32BitsToSingle(0x80000000u | (uint)random.NextInt64(0, Math.Min(0x7F800000L, (long)(lowBits & 0x7FFFFFFF) + 1)));
            if (x >= low && x <= high) yield return x;
        }
    }

    [Test]
    public void Documented_constants_have_the_documented_bit_patterns()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ulp.Bits(SpecMath.OneSixth), Is.EqualTo(0x3E2AAAABu));
            Assert.That(Ulp.Bits(SpecMath.ExpOverflowThreshold), Is.EqualTo(0x42B17217u));
            Assert.That(Ulp.Bits(SpecMath.ExpUnderflowThreshold), Is.EqualTo(0xC2D00000u));
            Assert.That(Ulp.Bits(SpecMath.LogisticLowerThreshold), Is.EqualTo(0xC2AE0000u));
            Assert.That((double)SpecMath.OneSixth, Is.EqualTo(1.0 / 6).Within(Math.Pow(2, -26)));
        });
    }

    [Test]
    public void Exp_of_special_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Exp(float.NaN)), Is.True);
            Assert.That(SpecMath.Exp(float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity));
            Assert.That(Ulp.Bits(SpecMath.Exp(float.NegativeInfinity)), Is.EqualTo(0u), "−∞ → +0");
            Assert.That(SpecMath.Exp(0f), Is.EqualTo(1f));
            Assert.That(SpecMath.Exp(-0f), Is.EqualTo(1f));
            Assert.That(SpecMath.Exp(float.Epsilon), Is.EqualTo(1f), "smallest subnormal");
            Assert.That(SpecMath.Exp(-float.Epsilon), Is.EqualTo(1f));
            Assert.That(SpecMath.Exp(1f), Is.EqualTo((float)Math.E));
        });
    }

    [Test]
    public void Exp_overflows_exactly_above_the_largest_finite_argument()
    {
        float largest = SpecMath.ExpOverflowThreshold;
        float next = MathF.BitIncrement(largest);
        Assert.Multiple(() =>
        {
            Assert.That(float.IsFinite(SpecMath.Exp(largest)), Is.True);
            Assert.That(Ulp.Error(SpecMath.Exp(largest), Math.Exp(largest)), Is.LessThanOrEqualTo(1.0));
            Assert.That(Math.Exp(next), Is.GreaterThan(float.MaxValue), "the true e^x of the next float overflows");
            Assert.That(SpecMath.Exp(next), Is.EqualTo(float.PositiveInfinity));
            Assert.That(SpecMath.Exp(float.MaxValue), Is.EqualTo(float.PositiveInfinity));
        });
    }

    [Test]
    public void Exp_underflows_gradually_through_the_subnormals_to_plus_zero()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Ulp.Bits(SpecMath.Exp(SpecMath.ExpUnderflowThreshold)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Exp(MathF.BitDecrement(SpecMath.ExpUnderflowThreshold))), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Exp(-float.MaxValue)), Is.EqualTo(0u));
            // e^-103.9 ≈ 1.07 · 2^-150 · … rounds to the smallest subnormal.
            Assert.That(SpecMath.Exp(-103.9f), Is.EqualTo(float.Epsilon));
            // Subnormal results are within one subnormal spacing of the exact value.
            for (float x = -103.9f; x < -87f; x += 0.01f)
            {
                float got = SpecMath.Exp(x);
                Assert.That(Math.Abs(got - Math.Exp(x)), Is.LessThanOrEqualTo(Math.Pow(2, -149)), $"x = {x:R}");
            }
        });
    }

    [Test]
    public void Exp_is_within_one_ulp_on_a_dense_sweep_and_random_inputs()
    {
        double worst = 0;
        float worstX = 0;
        foreach (float x in SweepAndRandom(-103.9f, SpecMath.ExpOverflowThreshold, 1f / 256, 200_000, seed: 1))
        {
            double error = Ulp.Error(SpecMath.Exp(x), Math.Exp(x));
            if (error > worst) (worst, worstX) = (error, x);
        }
        // Exhaustive measurement over every float gives 0.9386 ulp (docs/numerics.md); the sweep must not exceed it.
        Assert.That(worst, Is.LessThanOrEqualTo(0.9386), $"worst at x = {worstX:R}");
    }

    [Test]
    public void Exp_is_monotone_for_non_negative_arguments_on_consecutive_floats()
    {
        // Exhaustively verified for all x ≥ 0; here the binade [1, 2) and the region near the overflow threshold.
        foreach (var (from, to) in new[] { (1f, 2f), (80f, SpecMath.ExpOverflowThreshold) })
        {
            float previous = SpecMath.Exp(from);
            for (float x = MathF.BitIncrement(from); x <= to; x = MathF.BitIncrement(x))
            {
                float value = SpecMath.Exp(x);
                if (value < previous) Assert.Fail($"Exp decreases at x = {x:R}");
                previous = value;
            }
        }
        Assert.That(SpecMath.Exp(2f), Is.GreaterThan(SpecMath.Exp(1f)));
    }

    [Test]
    public void Reciprocal1To2_is_correctly_rounded_except_at_the_documented_input()
    {
        int mismatches = 0;
        for (uint bits = 0x3F800000u; bits <= 0x40000000u; bits += 7)
        {
            float d = BitConverter.UInt32BitsToSingle(bits);
            if (SpecMath.Reciprocal1To2(d) != (float)(1.0 / d)) mismatches++;
        }
        float exception = BitConverter.UInt32BitsToSingle(0x3FFFFFFFu);
        Assert.Multiple(() =>
        {
            Assert.That(mismatches, Is.Zero);
            Assert.That(SpecMath.Reciprocal1To2(1f), Is.EqualTo(1f));
            Assert.That(SpecMath.Reciprocal1To2(2f), Is.EqualTo(0.5f));
            Assert.That(SpecMath.Reciprocal1To2(1.25f), Is.EqualTo(0.8f));
            Assert.That(Ulp.Bits(SpecMath.Reciprocal1To2(exception)), Is.EqualTo(0x3F000000u));
            Assert.That(Ulp.Bits((float)(1.0 / exception)), Is.EqualTo(0x3F000001u));
        });
    }

    [Test]
    public void ReciprocalAtLeastOne_scales_by_the_exponent_exactly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SpecMath.ReciprocalAtLeastOne(4f), Is.EqualTo(0.25f));
            Assert.That(SpecMath.ReciprocalAtLeastOne(3f), Is.EqualTo(1f / 3f));
            Assert.That(SpecMath.ReciprocalAtLeastOne(1e30f), Is.EqualTo((float)(1.0 / 1e30f)));
            Assert.That(SpecMath.ReciprocalAtLeastOne(6e37f), Is.EqualTo((float)(1.0 / 6e37f)));
        });
    }

    [Test]
    public void Logistic_of_special_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Logistic(float.NaN)), Is.True);
            Assert.That(SpecMath.Logistic(float.PositiveInfinity), Is.EqualTo(1f));
            Assert.That(Ulp.Bits(SpecMath.Logistic(float.NegativeInfinity)), Is.EqualTo(0u));
            Assert.That(SpecMath.Logistic(0f), Is.EqualTo(0.5f));
            Assert.That(SpecMath.Logistic(-0f), Is.EqualTo(0.5f));
            Assert.That(SpecMath.Logistic(20f), Is.EqualTo(1f), "1 + e^-20 rounds to 1");
            Assert.That(SpecMath.Logistic(float.MaxValue), Is.EqualTo(1f));
            Assert.That(Ulp.Bits(SpecMath.Logistic(-float.MaxValue)), Is.EqualTo(0u));
            // Below −87 the result is Exp(x), subnormals included.
            Assert.That(SpecMath.Logistic(-100f), Is.EqualTo(SpecMath.Exp(-100f)));
            Assert.That(SpecMath.Logistic(-100f), Is.GreaterThan(0f));
        });
    }

    [Test]
    public void Logistic_is_within_two_and_a_half_ulp_on_a_dense_sweep_and_random_inputs()
    {
        double worst = 0;
        float worstX = 0;
        foreach (float x in SweepAndRandom(-103f, 30f, 1f / 256, 200_000, seed: 2))
        {
            double exact = 1.0 / (1.0 + Math.Exp(-(double)x));
            double error = Ulp.Error(SpecMath.Logistic(x), exact);
            if (error > worst) (worst, worstX) = (error, x);
        }
        // Exhaustive measurement gives 2.4807 ulp (x < 0) and 1.4983 ulp (x ≥ 0).
        Assert.That(worst, Is.LessThanOrEqualTo(2.4807), $"worst at x = {worstX:R}");
    }

    [Test]
    public void Logistic_is_monotone_on_a_sweep()
    {
        float previous = SpecMath.Logistic(-110f);
        for (float x = -110f; x <= 30f; x += 1f / 1024)
        {
            float value = SpecMath.Logistic(x);
            if (value < previous) Assert.Fail($"Logistic decreases at x = {x:R}");
            previous = value;
        }
        Assert.That(previous, Is.EqualTo(1f));
    }

    [Test]
    public void Logistic_never_decreases_between_consecutive_negative_floats()
    {
        // Exhaustively true for every x < 0; checked here on whole binades and across the x = −87 seam.
        foreach (var (from, to) in new[] { (-2f, -1f), (-0.25f, -0.125f), (-87.01f, -86.99f) })
        {
            float previous = SpecMath.Logistic(from);
            for (float x = MathF.BitIncrement(from); x <= to; x = MathF.BitIncrement(x))
            {
                float value = SpecMath.Logistic(x);
                if (value < previous) Assert.Fail($"Logistic decreases at x = {x:R}");
                previous = value;
            }
        }
        Assert.That(SpecMath.Logistic(-1f), Is.GreaterThan(SpecMath.Logistic(-2f)));
    }

    [Test]
    public void Logistic_steps_back_at_most_one_ulp_between_consecutive_positive_floats()
    {
        // For x ≥ 0 the rounding of 1 + Exp(−x) lets 920 adjacent pairs (of 2^31) step back by one ulp.
        long worstStepBack = 0;
        float previous = SpecMath.Logistic(0.5f);
        for (float x = MathF.BitIncrement(0.5f); x < 1f; x = MathF.BitIncrement(x))
        {
            float value = SpecMath.Logistic(x);
            worstStepBack = Math.Max(worstStepBack, Ulp.Steps(value, previous));
            previous = value;
        }
        Assert.That(worstStepBack, Is.LessThanOrEqualTo(1));
    }

    [Test]
    public void HardSwish_is_two_rounded_multiplies_after_the_clamp()
    {
        var random = new Random(3);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)(random.NextDouble() * 20 - 10);
            float clamped = Math.Clamp(x + 3f, 0f, 6f);
            float expected = x * clamped;
            expected *= 0.16666667f;
            Assert.That(Ulp.Bits(SpecMath.HardSwish(x)), Is.EqualTo(Ulp.Bits(expected)), $"x = {x:R}");
        }
    }

    [Test]
    public void HardSwish_is_within_one_ulp_of_tflite_division_and_close_to_the_exact_value()
    {
        var random = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)(random.NextDouble() * 40 - 20);
            float tflite = x * Math.Min(6f, Math.Max(0f, x + 3f)) / 6f;
            double exact = (double)x * Math.Min(6.0, Math.Max(0.0, (double)x + 3.0)) / 6.0;
            float got = SpecMath.HardSwish(x);
            if (tflite == 0f) { Assert.That(got, Is.EqualTo(0f)); continue; }
            Assert.That(Math.Abs(Ulp.Steps(tflite, got)), Is.LessThanOrEqualTo(1), $"x = {x:R}");
            // Four roundings (x + 3, x · r, RN(1/6), the last product), each ≤ 2^-24 relative: at most 3.5 ulp.
            Assert.That(Ulp.Error(got, exact), Is.LessThanOrEqualTo(3.5), $"x = {x:R}");
        }
    }

    [Test]
    public void HardSwish_of_special_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.HardSwish(float.NaN)), Is.True);
            Assert.That(SpecMath.HardSwish(float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity));
            Assert.That(float.IsNaN(SpecMath.HardSwish(float.NegativeInfinity)), Is.True, "−∞ · 0, as in TFLite");
            Assert.That(Ulp.Bits(SpecMath.HardSwish(-5f)), Is.EqualTo(0x80000000u), "−5 · 0 = −0");
            Assert.That(Ulp.Bits(SpecMath.HardSwish(0f)), Is.EqualTo(0u));
            Assert.That(SpecMath.HardSwish(-1.5f), Is.EqualTo(-1.5f * 1.5f * 0.16666667f));
        });
    }

    [Test]
    public void ReciprocalOfCount_is_the_correctly_rounded_reciprocal()
    {
        foreach (int n in new[] { 1, 2, 3, 5, 6, 7, 9, 49, 256, 1023, 16384, 1 << 24 })
            Assert.That(SpecMath.ReciprocalOfCount(n), Is.EqualTo((float)(1.0 / n)), $"n = {n}");
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecMath.ReciprocalOfCount(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpecMath.ReciprocalOfCount((1 << 24) + 1));
    }
}
