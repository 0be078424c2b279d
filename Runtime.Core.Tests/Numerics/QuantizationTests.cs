using Accel.Numerics;

namespace Accel.Tests.Numerics;

/// <summary>
/// TFLite's fixed-point requantization (docs/numerics.md §Quantized execution) against values worked out by hand from
/// the definitions in TFLite's quantization_util.cc and gemmlowp's fixedpoint.h.
/// </summary>
public sealed class QuantizationTests
{
    [TestCase(0.5, 1 << 30, 0)]
    [TestCase(1.0, 1 << 30, 1)]
    [TestCase(0.25, 1 << 30, -1)]
    [TestCase(3.0, 3 << 29, 2)]          // 3 = 0.75 · 2^2
    [TestCase(0.1, 1717986918, -3)]      // 0.1 = 0.8 · 2^-3; 0.8 · 2^31 = 1717986918.4 → 1717986918
    [TestCase(0.0, 0, 0)]
    public void QuantizeMultiplier_splits_a_real_multiplier_into_a_Q31_mantissa_and_a_shift(double real, int mantissa, int shift) =>
        Assert.That(Quantization.QuantizeMultiplier(real), Is.EqualTo(new QuantizedMultiplier(mantissa, shift)));

    [Test]
    public void QuantizeMultiplier_carries_a_mantissa_that_rounds_to_2_pow_31_into_the_exponent()
    {
        // 1 − 2^-40 = (1 − 2^-40) · 2^0: its mantissa rounds to 2^31, which becomes 2^30 with the exponent one higher.
        Assert.That(Quantization.QuantizeMultiplier(1 - Math.Pow(2, -40)), Is.EqualTo(new QuantizedMultiplier(1 << 30, 1)));
    }

    [Test]
    public void QuantizeMultiplier_flushes_multipliers_below_2_pow_minus_32_to_zero()
    {
        Assert.That(Quantization.QuantizeMultiplier(Math.Pow(2, -33)), Is.EqualTo(new QuantizedMultiplier(0, 0)));
        Assert.That(Quantization.QuantizeMultiplier(Math.Pow(2, -32)), Is.EqualTo(new QuantizedMultiplier(1 << 30, -31)));
    }

    [Test]
    public void QuantizeMultiplier_rounds_the_mantissa_half_away_from_zero()
    {
        // (2^30 + 0.5) / 2^31 is a tie in the mantissa's last place: TfLiteRound (std::round) goes up.
        double tie = (Math.Pow(2, 30) + 0.5) / Math.Pow(2, 31);
        Assert.That(Quantization.QuantizeMultiplier(tie), Is.EqualTo(new QuantizedMultiplier((1 << 30) + 1, 0)));
    }

    [Test]
    public void QuantizeMultiplier_refuses_negative_and_non_finite_multipliers()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantization.QuantizeMultiplier(-0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantization.QuantizeMultiplier(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Quantization.QuantizeMultiplier(double.PositiveInfinity));
    }

    [TestCase(1 << 30, 1 << 30, 1 << 29)]     // 2 · 2^60 / 2^32
    [TestCase(1, 1 << 30, 1)]                 // +0.5 rounds up
    [TestCase(-1, 1 << 30, 0)]                // −0.5: nudge 1 − 2^30, then truncation toward zero
    [TestCase(3, 1 << 30, 2)]                 // 1.5 → 2
    [TestCase(-3, 1 << 30, -1)]               // −1.5 → −1 (the nudge is one short of a half)
    [TestCase(int.MinValue, int.MinValue, int.MaxValue)]   // the one overflow saturates
    [TestCase(int.MaxValue, int.MaxValue, int.MaxValue - 1)]
    public void SaturatingRoundingDoublingHighMul_is_the_nudged_high_word_of_the_doubled_product(int a, int b, int expected) =>
        Assert.That(Quantization.SaturatingRoundingDoublingHighMul(a, b), Is.EqualTo(expected));

    [TestCase(5, 1, 3)]
    [TestCase(-5, 1, -3)]
    [TestCase(4, 1, 2)]
    [TestCase(-4, 1, -2)]
    [TestCase(7, 2, 2)]
    [TestCase(-6, 2, -2)]      // −1.5 → −2: halves away from zero
    [TestCase(6, 2, 2)]        // 1.5 → 2
    [TestCase(123, 0, 123)]
    [TestCase(int.MinValue, 31, -1)]
    public void RoundingDivideByPOT_rounds_halves_away_from_zero(int x, int exponent, int expected) =>
        Assert.That(Quantization.RoundingDivideByPOT(x, exponent), Is.EqualTo(expected));

    [Test]
    public void MultiplyByQuantizedMultiplier_rounds_twice_as_TFLites_default_build()
    {
        // 0.4999999 = 0.9999998 · 2^-1: the high multiply rounds 1 · 0.9999998 to 1, the shift then rounds 0.5 up, so the
        // result is 1 where a single rounding of 0.4999999 would give 0. TFLite (LiteRT.js) agrees: the QUANTIZE cases
        // source=uint8,inputScale=0.004999999 are identical to it.
        var m = Quantization.QuantizeMultiplier(0.4999999);
        Assert.That(m.Shift, Is.EqualTo(-1));
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(1, m), Is.EqualTo(1));
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(-1, m), Is.EqualTo(-1));
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(2, m), Is.EqualTo(1));
    }

    [TestCase(1.0, 37, 37)]
    [TestCase(2.0, 5, 10)]              // a left shift
    [TestCase(3.0, -7, -21)]
    [TestCase(0.1, 125, 13)]            // 12.5 → 13
    [TestCase(0.1, -125, -13)]
    [TestCase(1.0 / 3, 100, 34)]        // 33.33: the high multiply gives 67 (66.67), the shift rounds 33.5 up: double rounding
    public void MultiplyByQuantizedMultiplier_scales_by_the_real_multiplier(double real, int x, int expected) =>
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(x, Quantization.QuantizeMultiplier(real)), Is.EqualTo(expected));

    [Test]
    public void ActivationRange_quantizes_the_bounds_with_halves_away_from_zero_and_clips_to_the_type()
    {
        // uint8, scale 0.08, zero point 130: Q(−1) = 130 + round(−12.5) = 117, Q(1) = 143, Q(6) = 130 + 75 = 205.
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.ReluN1To1, 0.08f, 130, 0, 255), Is.EqualTo((117, 143)));
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.Relu6, 0.08f, 130, 0, 255), Is.EqualTo((130, 205)));
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.Relu, 0.08f, 130, 0, 255), Is.EqualTo((130, 255)));
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.None, 0.08f, 130, 0, 255), Is.EqualTo((0, 255)));
        // int8, scale 0.01, zero point −100: Q(6) = 500 clips to 127; Q(−1) = −200 clips to −128.
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.Relu6, 0.01f, -100, -128, 127), Is.EqualTo((-100, 127)));
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.ReluN1To1, 0.01f, -100, -128, 127), Is.EqualTo((-128, 0)));
        Assert.That(Quantization.ActivationRange(ActivationFunctionType.Tanh, 0.01f, 0, -128, 127), Is.Null);
    }
}
