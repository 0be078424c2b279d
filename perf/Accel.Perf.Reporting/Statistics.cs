using Perfolizer.Mathematics.OutlierDetection;
using Perfolizer.Mathematics.QuantileEstimators;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace Accel.Perf.Reporting;

/// <summary>Count, min, median, mean, p90, p99, max and standard deviation of a set of latency samples (ms).</summary>
public sealed record LatencySummary(int Count, double Min, double Median, double Mean, double P90, double P99, double Max, double Std)
{
    /// <summary>Lower end of the median's 95 % confidence interval (<see cref="Statistics.MedianConfidenceInterval"/>); null in older records and below 3 samples.</summary>
    public double? MedianCiLower { get; init; }

    /// <summary>Upper end of the median's 95 % confidence interval.</summary>
    public double? MedianCiUpper { get; init; }

    /// <summary>Samples above Tukey's upper fence (Q3 + 1.5·IQR): counted, never dropped, so every figure still uses every sample.</summary>
    public int? UpperOutliers { get; init; }

    public static LatencySummary Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        var ci = sorted.Length >= 3 ? Statistics.MedianConfidenceInterval(sorted) : ((double, double)?)null;
        return new LatencySummary(sorted.Length, sorted[0], Statistics.PercentileOfSorted(sorted, 50), samples.Average(),
            Statistics.PercentileOfSorted(sorted, 90), Statistics.PercentileOfSorted(sorted, 99), sorted[^1], Statistics.StandardDeviation(samples))
        {
            MedianCiLower = ci?.Item1,
            MedianCiUpper = ci?.Item2,
            UpperOutliers = sorted.Length >= 4 ? Statistics.UpperOutliers(sorted) : null,
        };
    }
}

/// <summary>
/// Descriptive statistics used by bench, compare and the dashboard, computed by Perfolizer (the statistics library
/// BenchmarkDotNet uses): quantiles, the median's confidence interval, Tukey's outlier fences.
/// </summary>
public static class Statistics
{
    /// <summary>
    /// The p-th percentile (0..100) by linear interpolation between closest ranks (Hyndman-Fan type 7, the default of
    /// NumPy and R): rank h = (n-1)·p/100, value = x[⌊h⌋] + (h-⌊h⌋)·(x[⌊h⌋+1]-x[⌊h⌋]).
    /// </summary>
    public static double Percentile(IEnumerable<double> samples, double percent) =>
        PercentileOfSorted(samples.Order().ToArray(), percent);

    /// <summary><see cref="Percentile"/> of an already ascending array.</summary>
    public static double PercentileOfSorted(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) throw new ArgumentException("no samples", nameof(sorted));
        if (percent is < 0 or > 100 || double.IsNaN(percent)) throw new ArgumentOutOfRangeException(nameof(percent));
        return HyndmanFanQuantileEstimator.Type7.Quantile(new Sample([.. sorted]), percent / 100).NominalValue;
    }

    public static double Median(IEnumerable<double> samples) => Percentile(samples, 50);

    /// <summary>Sample standard deviation (n-1 in the denominator); 0 for fewer than two samples.</summary>
    public static double StandardDeviation(IReadOnlyList<double> samples)
    {
        if (samples.Count < 2) return 0;
        double mean = samples.Average();
        double sum = 0;
        foreach (double x in samples) sum += (x - mean) * (x - mean);
        return Math.Sqrt(sum / (samples.Count - 1));
    }

    /// <summary>
    /// A confidence interval of the median at <paramref name="level"/> (default 95 %): the Harrell-Davis median with
    /// its Maritz-Jarrett standard error (Perfolizer), distribution-free like the median itself. Needs 3 samples.
    /// </summary>
    public static (double Lower, double Upper) MedianConfidenceInterval(IReadOnlyList<double> samples, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 3) throw new ArgumentException("a confidence interval needs at least 3 samples", nameof(samples));
        if (!(level is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "a confidence level is in (0, 1)");
        var ci = HarrellDavisQuantileEstimator.Instance.QuantileConfidenceIntervalEstimator(new Sample([.. samples]), Probability.Median).ConfidenceInterval(level);
        return (ci.Lower, ci.Upper);
    }

    /// <summary>How many samples lie above Tukey's upper fence Q3 + 1.5·IQR (quartiles of type 7). Needs 4 samples.</summary>
    public static int UpperOutliers(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count < 4) throw new ArgumentException("outlier fences need at least 4 samples", nameof(samples));
        var fences = TukeyOutlierDetector.Create(samples, 1.5, HyndmanFanQuantileEstimator.Type7);
        return samples.Count(fences.IsUpperOutlier);
    }
}

/// <summary>Which way the alternative hypothesis of a one-sided test points.</summary>
public enum Alternative
{
    /// <summary>The second sample tends to be larger than the first (current slower than baseline).</summary>
    Greater,
    /// <summary>The second sample tends to be smaller than the first (current faster than baseline).</summary>
    Less,
    TwoSided,
}

/// <summary>The outcome of a Mann-Whitney U test of <c>x</c> (first sample) against <c>y</c> (second sample).</summary>
/// <param name="U">U of the second sample: pairs (x, y) with y &gt; x, ties counted as one half.</param>
/// <param name="PValue">p-value for the requested alternative.</param>
public sealed record MannWhitneyResult(double U, double PValue);

/// <summary>
/// The Mann-Whitney U (Wilcoxon rank-sum) test, computed by Perfolizer: distribution-free, so it suits latency samples
/// with their long right tails and occasional outliers from a shared machine. Perfolizer takes the exact distribution
/// of U (Löffler's recurrence) while it is affordable and an Edgeworth expansion beyond; ties share their average rank.
/// </summary>
public static class MannWhitney
{
    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count == 0 || y.Count == 0) throw new ArgumentException("both samples need at least one value");
        // Perfolizer's "greater" means its first sample is larger: the second sample here goes first.
        var result = MannWhitneyTest.Instance.Perform(new Sample([.. y]), new Sample([.. x]), alternative switch
        {
            Alternative.Greater => AlternativeHypothesis.Greater,
            Alternative.Less => AlternativeHypothesis.Less,
            _ => AlternativeHypothesis.TwoSides,
        }, Threshold.Zero);
        // Ux is always U of Perfolizer's first sample, whatever the alternative: here the second sample's.
        return new MannWhitneyResult(result.Ux, Math.Clamp(result.PValue.Value, 0, 1));
    }
}
