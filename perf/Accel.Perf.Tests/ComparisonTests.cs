using Accel.Perf.Reporting;

namespace Accel.Perf.Tests;

public sealed class ComparisonTests
{
    private static readonly SeriesKey Key = new("model", "accel", "cpu", 1);

    [Test]
    public void ATenPercentSlowdownIsARegression()
    {
        var row = BenchComparison.CompareSamples(Key, Samples.Normal(50, 10, 0.3, 1), Samples.Normal(50, 11, 0.3, 2));
        Assert.That(row.Verdict, Is.EqualTo(Verdict.Regression));
        Assert.That(row.Ratio, Is.EqualTo(1.1).Within(0.02));
        Assert.That(row.PSlower, Is.LessThan(0.01));
    }

    [Test]
    public void ASignificantButTinySlowdownIsNotARegression()
    {
        // 2 % slower with little noise: Mann-Whitney says "different", the minimum effect (5 %) says "too small to flag".
        var row = BenchComparison.CompareSamples(Key, Samples.Normal(200, 10, 0.05, 3), Samples.Normal(200, 10.2, 0.05, 4));
        Assert.That(row.PSlower, Is.LessThan(0.01));
        Assert.That(row.Verdict, Is.EqualTo(Verdict.NoChange));
    }

    [Test]
    public void ALargeButNoisyShiftOfFewSamplesIsNotARegression()
    {
        // Medians 20 % apart, but five samples each spread over the whole range: not significant at 1 %.
        double[] baseline = [8, 14, 10, 12, 9], current = [10, 15, 12, 9, 13];
        var row = BenchComparison.CompareSamples(Key, baseline, current);
        Assert.That(row.Ratio - 1, Is.GreaterThan(0.05));
        Assert.That(row.Verdict, Is.EqualTo(Verdict.NoChange));
    }

    [Test]
    public void AFasterCurrentIsAnImprovement() =>
        Assert.That(BenchComparison.CompareSamples(Key, Samples.Normal(50, 10, 0.3, 5), Samples.Normal(50, 8, 0.3, 6)).Verdict,
            Is.EqualTo(Verdict.Improvement));

    [Test]
    public void TheSameDistributionWithOutliersIsNoChange()
    {
        var baseline = Samples.Normal(60, 10, 0.5, 7).Concat([40.0, 55.0]).ToArray();
        var current = Samples.Normal(60, 10, 0.5, 8).Concat([90.0]).ToArray();
        Assert.That(BenchComparison.CompareSamples(Key, baseline, current).Verdict, Is.EqualTo(Verdict.NoChange));
    }

    [Test]
    public void TooFewSamplesAreNeverARegression() =>
        Assert.That(BenchComparison.CompareSamples(Key, [1, 1.1, 1.2], [5, 5.1, 5.2]).Verdict, Is.EqualTo(Verdict.Insufficient));

    [Test]
    public void SeriesAreMatchedByModelRuntimeBackendAndThreadsUsingTheLatestRecord()
    {
        var baseline = new[]
        {
            Samples.Record("m", "cpu", Samples.Normal(30, 20, 0.2, 9), "old", Samples.Day(0)),   // superseded
            Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 10), "base", Samples.Day(1)),
            Samples.Record("m", "reference", Samples.Normal(30, 100, 1, 11), "base", Samples.Day(1)),
        };
        var current = new[]
        {
            Samples.Record("m", "cpu", Samples.Normal(30, 12, 0.2, 12), "head", Samples.Day(2)),
            Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 13), "head", Samples.Day(2), threads: 2),
        };
        var rows = BenchComparison.Compare(baseline, current).ToDictionary(r => r.Key);
        Assert.Multiple(() =>
        {
            Assert.That(rows[new SeriesKey("m", "accel", "cpu", 1)].Verdict, Is.EqualTo(Verdict.Regression));
            Assert.That(rows[new SeriesKey("m", "accel", "cpu", 2)].Verdict, Is.EqualTo(Verdict.New));
            Assert.That(rows[new SeriesKey("m", "accel", "reference", 1)].Verdict, Is.EqualTo(Verdict.Missing));
        });
    }

    [Test]
    public void FormattedComparisonNamesTheRuleAndCountsRegressions()
    {
        var rows = new[] { BenchComparison.CompareSamples(Key, Samples.Normal(50, 10, 0.3, 1), Samples.Normal(50, 11, 0.3, 2)) };
        string text = BenchComparison.Format(rows, new ComparisonOptions());
        Assert.That(text, Does.Contain("Mann-Whitney").And.Contain("REGRESSION").And.Contain("1 regression"));
    }
}
