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

    [TestCase(0.0, 1.0)]
    [TestCase(0.5, 0.4795001222)]
    [TestCase(1.0, 0.1572992070)]
    [TestCase(2.0, 0.0046777350)]
    [TestCase(-1.0, 1.8427007930)]
    public void ErfcMatchesTabulatedValues(double x, double expected) =>
        Assert.That(Statistics.Erfc(x), Is.EqualTo(expected).Within(2e-7 * Math.Max(1, expected)));

    [Test]
    public void NormalCdfGivesTheFamiliarQuantiles()
    {
        Assert.That(Statistics.NormalCdf(1.959963985), Is.EqualTo(0.975).Within(1e-6));
        Assert.That(Statistics.NormalCdf(0), Is.EqualTo(0.5).Within(1e-7));
        Assert.That(Statistics.NormalCdf(-2.326347874), Is.EqualTo(0.01).Within(1e-6));
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
            Assert.That(greater.Exact, Is.True);
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
    public void LargeSamplesUseTheNormalApproximation()
    {
        var baseline = Samples.Normal(200, 10, 0.5, seed: 1);
        var current = Samples.Normal(200, 11, 0.5, seed: 2);
        var result = MannWhitney.Test(baseline, current, Alternative.Greater);
        Assert.That(result.Exact, Is.False);
        Assert.That(result.Z, Is.GreaterThan(10));
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
        Assert.That(result.PValue, Is.EqualTo(1.0));
    }

    [Test]
    public void TiesShareTheirAverageRank()
    {
        // Every current value ties with a baseline value: U = 0.5 per tied pair, 1 per strictly larger pair.
        var result = MannWhitney.Test([1, 2, 3], [2, 3], Alternative.Greater);
        Assert.That(result.U, Is.EqualTo(1 + 0.5 + 2 + 0.5));
        Assert.That(result.Exact, Is.False, "ties need the tie-corrected normal approximation");
    }

    [Test]
    public void NormalApproximationAgreesWithTheExactTailNearTheLimit()
    {
        // 30 vs 30 without ties is still exact; one tied value added to each side switches to the approximation.
        var baseline = Samples.Normal(30, 10, 1, seed: 5);
        var current = Samples.Normal(30, 10.6, 1, seed: 6);
        var exact = MannWhitney.Test(baseline, current, Alternative.Greater);
        var withTies = MannWhitney.Test(baseline.Append(baseline[0]).ToArray(), current.Append(baseline[0]).ToArray(), Alternative.Greater);
        Assert.That(exact.Exact, Is.True);
        Assert.That(withTies.Exact, Is.False);
        Assert.That(withTies.PValue, Is.EqualTo(exact.PValue).Within(Math.Max(0.01, exact.PValue * 0.3)));
    }
}
