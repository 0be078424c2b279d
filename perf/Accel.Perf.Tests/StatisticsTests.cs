using Accel.Perf.Reporting;

namespace Accel.Perf.Tests;

public sealed class StatisticsTests
{
    private static readonly double[] OneToTen = [7, 3, 10, 1, 5, 2, 9, 4, 8, 6];

    [TestCase(0, 1.0)]
    [TestCase(50, 5.5)]
    [TestCase(90, 9.1)]
    [TestCase(99, 9.91)]
    [TestCase(100, 10.0)]
    public void PercentileInterpolatesBetweenClosestRanksLikeNumPy(double percent, double expected) =>
        Assert.That(Statistics.Percentile(OneToTen, percent), Is.EqualTo(expected).Within(1e-12));

    [Test]
    public void PercentileOfOneSampleIsThatSample() =>
        Assert.That(Statistics.Percentile([4.25], 99), Is.EqualTo(4.25));

    [Test]
    public void PercentileOutsideZeroToHundredIsRejected() =>
        Assert.That(() => Statistics.Percentile(OneToTen, 101), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void StandardDeviationUsesTheSampleDenominator() =>
        Assert.That(Statistics.StandardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), Is.EqualTo(Math.Sqrt(32.0 / 7)).Within(1e-12));

    [Test]
    public void SummaryHasCountMinMedianMeanP90P99MaxStd()
    {
        var s = LatencySummary.Of(OneToTen);
        Assert.Multiple(() =>
        {
            Assert.That(s.Count, Is.EqualTo(10));
            Assert.That(s.Min, Is.EqualTo(1));
            Assert.That(s.Median, Is.EqualTo(5.5));
            Assert.That(s.Mean, Is.EqualTo(5.5));
            Assert.That(s.P90, Is.EqualTo(9.1).Within(1e-12));
            Assert.That(s.P99, Is.EqualTo(9.91).Within(1e-12));
            Assert.That(s.Max, Is.EqualTo(10));
            Assert.That(s.Std, Is.EqualTo(Math.Sqrt(82.5 / 9)).Within(1e-12));
        });
    }

    [Test]
    public void MedianConfidenceIntervalHoldsTheMedianAndNarrowsWithMoreSamples()
    {
        var few = Samples.Normal(10, 10, 1, seed: 11);
        var many = Samples.Normal(400, 10, 1, seed: 12);
        var (fewLow, fewHigh) = Statistics.MedianConfidenceInterval(few);
        var (manyLow, manyHigh) = Statistics.MedianConfidenceInterval(many);
        Assert.Multiple(() =>
        {
            Assert.That(Statistics.Median(few), Is.InRange(fewLow, fewHigh));
            Assert.That(Statistics.Median(many), Is.InRange(manyLow, manyHigh));
            Assert.That(manyLow, Is.LessThanOrEqualTo(10.0), "400 samples of N(10, 1): the interval holds the true median");
            Assert.That(manyHigh, Is.GreaterThanOrEqualTo(10.0), "400 samples of N(10, 1): the interval holds the true median");
            Assert.That(manyHigh - manyLow, Is.LessThan((fewHigh - fewLow) / 3));
        });
    }

    [Test]
    public void SummaryCountsTukeyOutliersAndKeepsThemInEveryFigure()
    {
        double[] samples = [10, 10.2, 9.9, 10.1, 10, 10.3, 9.8, 10.1, 25, 40];
        var s = LatencySummary.Of(samples);
        Assert.That(s.UpperOutliers, Is.EqualTo(2));
        Assert.That(s.Max, Is.EqualTo(40), "outliers are counted, not dropped");
        Assert.That(s.MedianCiLower, Is.LessThan(s.Median));
        Assert.That(s.MedianCiUpper, Is.GreaterThan(s.Median));
    }

    [Test]
    public void TooFewSamplesForAnIntervalOrFencesAreRejected()
    {
        Assert.That(() => Statistics.MedianConfidenceInterval([1, 2]), Throws.ArgumentException);
        Assert.That(() => Statistics.UpperOutliers([1, 2, 3]), Throws.ArgumentException);
        Assert.That(LatencySummary.Of([1, 2]).MedianCiLower, Is.Null);
    }
}

public sealed class MannWhitneyTests
{
    [Test]
    public void CompletelySeparatedSmallSamplesGetTheExactProbabilityOfThatArrangement()
    {
        double[] baseline = [1, 2, 3, 4, 5], current = [6, 7, 8, 9, 10];
        var greater = MannWhitney.Test(baseline, current, Alternative.Greater);
        Assert.Multiple(() =>
        {
            Assert.That(greater.U, Is.EqualTo(25));
            // One arrangement of C(10,5) = 252 puts all five current values on top.
            Assert.That(greater.PValue, Is.EqualTo(1.0 / 252).Within(1e-12));
            Assert.That(MannWhitney.Test(baseline, current, Alternative.Less).PValue, Is.EqualTo(1.0).Within(1e-12));
            Assert.That(MannWhitney.Test(baseline, current, Alternative.TwoSided).PValue, Is.EqualTo(2.0 / 252).Within(1e-12));
        });
    }

    [Test]
    public void UCountsPairsWhereTheSecondSampleIsLarger()
    {
        var result = MannWhitney.Test([1, 2, 3], [1.5, 3.5], Alternative.Greater);
        // 1.5 beats 1; 3.5 beats 1, 2 and 3.
        Assert.That(result.U, Is.EqualTo(4));
        // n1 = 3, n2 = 2: C(5,2) = 10 arrangements, U = 0..6 with counts 1,1,2,2,2,1,1.
        Assert.That(result.PValue, Is.EqualTo(4.0 / 10).Within(1e-12));
        Assert.That(MannWhitney.Test([1, 2, 3], [1.5, 3.5], Alternative.Less).PValue, Is.EqualTo(8.0 / 10).Within(1e-12));
    }

    [Test]
    public void ExactDistributionMatchesHandCountForThreeAgainstThree()
    {
        // n1 = n2 = 3: U takes 0..9 over C(6,3) = 20 arrangements with counts 1,1,2,3,3,3,3,2,1,1.
        var p = MannWhitney.Test([1, 2, 4], [3, 5, 6], Alternative.Greater); // pairs: 3>1,2; 5>1,2,4; 6>1,2,4
        Assert.That(p.U, Is.EqualTo(8));
        Assert.That(p.PValue, Is.EqualTo(2.0 / 20).Within(1e-12)); // U = 8 or 9
    }

    [Test]
    public void LargeSamplesWithAClearShiftAreSignificant()
    {
        var baseline = Samples.Normal(200, 10, 0.5, seed: 1);
        var current = Samples.Normal(200, 11, 0.5, seed: 2);
        var result = MannWhitney.Test(baseline, current, Alternative.Greater);
        Assert.That(result.PValue, Is.LessThan(1e-10));
        Assert.That(MannWhitney.Test(baseline, current, Alternative.Less).PValue, Is.GreaterThan(0.999));
    }

    [Test]
    public void SamplesFromOneDistributionAreNotSignificant()
    {
        var baseline = Samples.Normal(100, 10, 0.5, seed: 3);
        var current = Samples.Normal(100, 10, 0.5, seed: 4);
        Assert.That(MannWhitney.Test(baseline, current, Alternative.TwoSided).PValue, Is.GreaterThan(0.05));
    }

    [Test]
    public void AllEqualValuesGiveNoEvidence()
    {
        var result = MannWhitney.Test([2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2], Alternative.Greater);
        Assert.That(result.PValue, Is.GreaterThan(0.5));
    }

    [Test]
    public void TiesShareTheirAverageRank()
    {
        // Every current value ties with a baseline value: U = 0.5 per tied pair, 1 per strictly larger pair.
        var result = MannWhitney.Test([1, 2, 3], [2, 3], Alternative.Greater);
        Assert.That(result.U, Is.EqualTo(1 + 0.5 + 2 + 0.5));
    }
}
