using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>
/// Expm1, Tanh, Erf, Erfc and the two GELU forms (docs/numerics.md §SpecMath): special values, symmetry, and the
/// documented ulp bounds checked on a deterministic sample of bit patterns (every binade, tiny values included). The
/// bounds are the maxima measured on a denser sample (docs/numerics.md); this sparser one must not exceed them.
/// </summary>
public sealed class ActivationSpecMathTests
{
    /// <summary>Every <paramref name="stride"/>-th positive bit pattern up to <paramref name="limit"/>, and its negation.</summary>
    private static IEnumerable<float> Sample(float limit, int stride)
    {
        uint top = BitConverter.SingleToUInt32Bits(limit);
        for (uint bits = 0; bits <= top; bits += (uint)stride)
        {
            float x = BitConverter.UInt32BitsToSingle(bits);
            yield return x;
            yield return -x;
        }
    }

    private static (double Worst, float At) WorstError(IEnumerable<float> inputs, Func<float, float> got, Func<double, double> exact)
    {
        double worst = 0;
        float at = 0;
        foreach (float x in inputs)
        {
            double error = Ulp.Error(got(x), exact(x));
            if (error > worst) (worst, at) = (error, x);
        }
        return (worst, at);
    }

    [Test]
    public void Expm1_of_special_values_keeps_signed_zeros_and_saturates_at_minus_one()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Expm1(float.NaN)), Is.True);
            Assert.That(Ulp.Bits(SpecMath.Expm1(0f)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Expm1(-0f)), Is.EqualTo(0x80000000u));
            Assert.That(SpecMath.Expm1(float.Epsilon), Is.EqualTo(float.Epsilon));
            Assert.That(SpecMath.Expm1(float.PositiveInfinity), Is.EqualTo(float.PositiveInfinity));
            Assert.That(SpecMath.Expm1(float.NegativeInfinity), Is.EqualTo(-1f));
            Assert.That(SpecMath.Expm1(-30f), Is.EqualTo(-1f));
            Assert.That(SpecMath.Expm1(100f), Is.EqualTo(float.PositiveInfinity));
            Assert.That(Ulp.Error(SpecMath.Expm1(1f), Math.E - 1), Is.LessThan(1.0));
        });
    }

    [Test]
    public void Expm1_is_within_1_3_ulp_on_a_sample_of_every_binade()
    {
        var (worst, at) = WorstError(Sample(SpecMath.ExpOverflowThreshold, 1021), SpecMath.Expm1, x => DoubleReference.Expm1(x));
        Assert.That(worst, Is.LessThanOrEqualTo(1.28), $"worst at x = {at:R}");
    }

    [Test]
    public void Expm1_beyond_the_direct_range_is_exp_minus_one()
    {
        foreach (float x in new[] { 16.500002f, 20f, 80f, -16.500002f, -50f, -103.9f })
            Assert.That(SpecMath.Expm1(x), Is.EqualTo(SpecMath.Exp(x) - 1f), $"x = {x:R}");
    }

    [Test]
    public void Tanh_of_special_values_and_saturation()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Tanh(float.NaN)), Is.True);
            Assert.That(Ulp.Bits(SpecMath.Tanh(0f)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Tanh(-0f)), Is.EqualTo(0x80000000u));
            Assert.That(SpecMath.Tanh(-float.Epsilon), Is.EqualTo(-float.Epsilon));
            Assert.That(SpecMath.Tanh(float.PositiveInfinity), Is.EqualTo(1f));
            Assert.That(SpecMath.Tanh(float.NegativeInfinity), Is.EqualTo(-1f));
            Assert.That(SpecMath.Tanh(MathF.BitIncrement(SpecMath.TanhSaturation)), Is.EqualTo(1f));
            Assert.That(SpecMath.Tanh(SpecMath.TanhSaturation), Is.EqualTo(1f), "tanh(9.1) rounds to 1 already");
            Assert.That(Ulp.Bits(SpecMath.TanhSaturation), Is.EqualTo(0x4111999Au));
        });
    }

    [Test]
    public void Tanh_is_odd()
    {
        foreach (float x in Sample(12f, 100_003))
            Assert.That(SpecMath.Tanh(-x), Is.EqualTo(-SpecMath.Tanh(x)), $"x = {x:R}");
    }

    [Test]
    public void Tanh_is_within_2_75_ulp_on_a_sample_of_every_binade()
    {
        var (worst, at) = WorstError(Sample(12f, 1021), SpecMath.Tanh, x => Math.Tanh(x));
        Assert.That(worst, Is.LessThanOrEqualTo(2.75), $"worst at x = {at:R}");
    }

    [Test]
    public void Erf_and_erfc_of_special_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(float.IsNaN(SpecMath.Erf(float.NaN)), Is.True);
            Assert.That(float.IsNaN(SpecMath.Erfc(float.NaN)), Is.True);
            Assert.That(Ulp.Bits(SpecMath.Erf(0f)), Is.EqualTo(0u));
            Assert.That(Ulp.Bits(SpecMath.Erf(-0f)), Is.EqualTo(0x80000000u));
            Assert.That(SpecMath.Erf(float.PositiveInfinity), Is.EqualTo(1f));
            Assert.That(SpecMath.Erf(float.NegativeInfinity), Is.EqualTo(-1f));
            Assert.That(SpecMath.Erfc(0f), Is.EqualTo(1f));
            Assert.That(SpecMath.Erfc(float.PositiveInfinity), Is.EqualTo(0f));
            Assert.That(SpecMath.Erfc(float.NegativeInfinity), Is.EqualTo(2f));
            Assert.That(SpecMath.Erfc(SpecMath.ErfcUnderflow), Is.EqualTo(0f));
            Assert.That(SpecMath.Erfc(10f), Is.GreaterThan(0f), "erfc(10) ≈ 2.1e-45 is a subnormal");
            Assert.That(SpecMath.Erfc(10.1f), Is.EqualTo(0f), "erfc(10.1) ≈ 2.8e-46 is below half the smallest subnormal");
        });
    }

    [Test]
    public void Erf_is_odd_and_within_one_ulp_on_a_sample_of_every_binade()
    {
        foreach (float x in Sample(12f, 100_003))
            Assert.That(SpecMath.Erf(-x), Is.EqualTo(-SpecMath.Erf(x)), $"x = {x:R}");
        var (worst, at) = WorstError(Sample(12f, 1021), SpecMath.Erf, DoubleReference.Erf);
        Assert.That(worst, Is.LessThanOrEqualTo(0.93), $"worst at x = {at:R}");
    }

    [Test]
    public void Erfc_is_within_3_7_ulp_where_its_result_is_normal()
    {
        // erfc(x) is normal up to x ≈ 9.19; beyond, the subnormal result keeps an absolute error below 2^-149 · 4.
        var (worst, at) = WorstError(Sample(9.19f, 1021).Where(x => x > -12f), SpecMath.Erfc, DoubleReference.Erfc);
        Assert.That(worst, Is.LessThanOrEqualTo(3.7), $"worst at x = {at:R}");
    }

    [Test]
    public void Gelu_exact_is_half_x_times_erfc_of_the_rounded_scaled_input()
    {
        // TFLite's form: the scaled input x · (−1/√2) is rounded once; only Erfc's own error may separate the result
        // from the exact product on that rounded argument (plus the final rounding).
        var (worst, at) = WorstError(Sample(12f, 4099),
            SpecMath.GeluExact, x => 0.5 * x * DoubleReference.Erfc((float)(x * SpecMath.GeluNegativeSqrtHalf)));
        Assert.That(worst, Is.LessThanOrEqualTo(4.5), $"worst at x = {at:R}");
        Assert.That(SpecMath.GeluExact(0f), Is.EqualTo(0f));
        Assert.That(SpecMath.GeluExact(20f), Is.EqualTo(20f));
        Assert.That(Ulp.Bits(SpecMath.GeluExact(-20f)), Is.EqualTo(0x80000000u), "−20 · erfc(14.1) → −0");
    }

    [Test]
    public void Gelu_approximate_follows_tflite_operation_order_with_spec_tanh()
    {
        foreach (float x in new[] { -5.5f, -1f, -0.25f, 0f, 0.3f, 1.7f, 4f, 9.5f })
        {
            float cube = 0.044715f * x * x * x;
            float inner = 0.7978846f * (x + cube);
            float expected = 0.5f * x * (1f + SpecMath.Tanh(inner));
            Assert.That(Ulp.Bits(SpecMath.GeluApproximate(x)), Is.EqualTo(Ulp.Bits(expected)), $"x = {x:R}");
            Assert.That(SpecMath.GeluApproximate(x),
                Is.EqualTo(0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))).Within(4e-7 * Math.Max(1, Math.Abs(x))),
                $"x = {x:R}");
        }
        Assert.That(float.IsNaN(SpecMath.GeluApproximate(float.NegativeInfinity)), Is.True, "(0.5·−∞)·(1 + −1) = −∞·0 = NaN, as TFLite");
    }
}
