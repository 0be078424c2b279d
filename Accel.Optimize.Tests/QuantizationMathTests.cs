namespace Accel.Optimize.Tests;

public sealed class QuantizationMathTests
{
    [Test]
    public void AsymmetricRange_MinusOneToThree_GivesScale4Over255AndZeroPointMinus64()
    {
        // scale = 4/255; zero point from min = −128 + 1/(4/255) = −64.25 → −64.
        var p = QuantizationMath.ChooseAsymmetric(-1, 3, -128, 127);
        Assert.That(p.Scale, Is.EqualTo((float)(4.0 / 255)));
        Assert.That(p.ZeroPoint, Is.EqualTo(-64));
    }

    [Test]
    public void AsymmetricRange_IsWidenedToContainZero()
    {
        // [0.5, 2] becomes [0, 2]: scale 2/255, zero point −128.
        var p = QuantizationMath.ChooseAsymmetric(0.5, 2, -128, 127);
        Assert.That(p.Scale, Is.EqualTo((float)(2.0 / 255)));
        Assert.That(p.ZeroPoint, Is.EqualTo(-128));
        var negative = QuantizationMath.ChooseAsymmetric(-3, -1, -128, 127);
        Assert.That(negative.Scale, Is.EqualTo((float)(3.0 / 255)));
        Assert.That(negative.ZeroPoint, Is.EqualTo(127));
    }

    [Test]
    public void AsymmetricRange_OfWidthZero_GivesScaleOne()
    {
        Assert.That(QuantizationMath.ChooseAsymmetric(0, 0, -128, 127), Is.EqualTo(new AffineParams(1f, 0)));
    }

    [Test]
    public void AsymmetricRange_NotFinite_IsAnOptimizationError()
    {
        Assert.Throws<OptimizationException>(() => QuantizationMath.ChooseAsymmetric(double.NaN, 1, -128, 127));
    }

    [Test]
    public void SymmetricPerChannel_ScalesEachOutputChannelByItsMaxAbs()
    {
        // Channel 0: max |w| = 4 → scale 4/127, 1 → 31.75 → 32, −4 → −127. Channel 1: 0.5/127, 0.5 → 127, −0.1 → −25.4 → −25.
        var (q, scales) = QuantizationMath.QuantizeSymmetric([1f, -4f, 0.5f, -0.1f], [2, 2], channelAxis: 0);
        Assert.That(scales, Is.EqualTo(new[] { (float)(4.0 / 127), (float)(0.5 / 127) }));
        Assert.That(q, Is.EqualTo(new sbyte[] { 32, -127, 127, -25 }));
    }

    [Test]
    public void SymmetricPerChannel_AlongTheLastAxis_ForDepthwiseFilters()
    {
        // Shape [1,2,2]: channel = index % 2. Channel 0 holds 2 and −1 (scale 2/127), channel 1 holds 0.5 and 0.25.
        var (q, scales) = QuantizationMath.QuantizeSymmetric([2f, 0.5f, -1f, 0.25f], [1, 2, 2], channelAxis: 2);
        Assert.That(scales, Is.EqualTo(new[] { (float)(2.0 / 127), (float)(0.5 / 127) }));
        Assert.That(q, Is.EqualTo(new sbyte[] { 127, 127, -64, 64 })); // −63.5 → −64, 63.5 → 64 (halves away from zero)
    }

    [Test]
    public void SymmetricWeights_AllZeroChannel_GetsScaleOne()
    {
        var (q, scales) = QuantizationMath.QuantizeSymmetric([0f, 0f, 1f, 0f], [2, 2], channelAxis: 0);
        Assert.That(scales[0], Is.EqualTo(1f));
        Assert.That(q, Is.EqualTo(new sbyte[] { 0, 0, 127, 0 }));
    }

    [Test]
    public void Bias_UsesInputScaleTimesWeightScale()
    {
        // input scale 0.5, weight scales 0.25 and 0.125 → bias scales 0.125 and 0.0625; 1 → 8, −0.3 → −4.8 → −5.
        var (q, scales) = QuantizationMath.QuantizeBias([1f, -0.3f], 0.5f, [0.25f, 0.125f]);
        Assert.That(scales, Is.EqualTo(new[] { 0.125f, 0.0625f }));
        Assert.That(q, Is.EqualTo(new[] { 8, -5 }));
    }
}
