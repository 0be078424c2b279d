namespace Accel.Perf.Reporting;

/// <summary>Count, min, median, mean, p90, p99, max and standard deviation of a set of latency samples (ms).</summary>
public sealed record LatencySummary(int Count, double Min, double Median, double Mean, double P90, double P99, double Max, double Std)
{
    public static LatencySummary Of(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no samples", nameof(samples));
        var sorted = samples.Order().ToArray();
        return new LatencySummary(sorted.Length, sorted[0], Statistics.PercentileOfSorted(sorted, 50), samples.Average(),
            Statistics.PercentileOfSorted(sorted, 90), Statistics.PercentileOfSorted(sorted, 99), sorted[^1], Statistics.StandardDeviation(samples));
    }
}

/// <summary>Descriptive statistics used by bench, compare and the dashboard.</summary>
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
        double rank = (sorted.Count - 1) * percent / 100.0;
        int below = (int)Math.Floor(rank);
        if (below >= sorted.Count - 1) return sorted[^1];
        double fraction = rank - below;
        return sorted[below] + fraction * (sorted[below + 1] - sorted[below]);
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

    /// <summary>Standard normal cumulative distribution Φ(z), via <see cref="Erfc"/>.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>
    /// Complementary error function with a Chebyshev-fitted exponential (fractional error below 1.2e-7 everywhere),
    /// plenty for p-values. .NET has no Math.Erfc.
    /// </summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double result = t * Math.Exp(poly);
        return x >= 0 ? result : 2.0 - result;
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
/// <param name="Z">Normal approximation's z (with tie and continuity corrections); 0 when exact.</param>
/// <param name="PValue">p-value for the requested alternative.</param>
/// <param name="Exact">True when the p-value comes from the exact distribution of U (small samples, no ties).</param>
public sealed record MannWhitneyResult(double U, double Z, double PValue, bool Exact);

/// <summary>
/// The Mann-Whitney U (Wilcoxon rank-sum) test: distribution-free, so it suits latency samples with their long right
/// tails and occasional outliers from a shared machine. Exact p-values for small samples without ties; otherwise
/// the normal approximation with tie correction and continuity correction.
/// </summary>
public static class MannWhitney
{
    /// <summary>Samples up to this size (each) without ties get the exact distribution.</summary>
    public const int ExactLimit = 30;

    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n1 = x.Count, n2 = y.Count;
        if (n1 == 0 || n2 == 0) throw new ArgumentException("both samples need at least one value");

        // Ranks of the pooled samples, ties sharing their average rank.
        var pooled = x.Select(v => (Value: v, FromY: false)).Concat(y.Select(v => (Value: v, FromY: true)))
            .OrderBy(p => p.Value).ToArray();
        int n = pooled.Length;
        double rankSumY = 0, tieTerm = 0;
        bool ties = false;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && pooled[j + 1].Value == pooled[i].Value) j++;
            double averageRank = (i + j) / 2.0 + 1;
            int tied = j - i + 1;
            if (tied > 1)
            {
                ties = true;
                tieTerm += (double)tied * tied * tied - tied;
            }
            for (int k = i; k <= j; k++)
                if (pooled[k].FromY) rankSumY += averageRank;
            i = j + 1;
        }
        double u = rankSumY - n2 * (n2 + 1) / 2.0;

        if (!ties && n1 <= ExactLimit && n2 <= ExactLimit)
        {
            var cdf = ExactCdf(n1, n2);
            int uInt = (int)Math.Round(u);
            double pGreater = 1 - (uInt > 0 ? cdf[uInt - 1] : 0); // P(U >= u)
            double pLess = cdf[uInt];                               // P(U <= u)
            double p = alternative switch
            {
                Alternative.Greater => pGreater,
                Alternative.Less => pLess,
                _ => Math.Min(1, 2 * Math.Min(pGreater, pLess)),
            };
            return new MannWhitneyResult(u, 0, p, true);
        }

        double mean = n1 * (double)n2 / 2;
        double variance = n1 * (double)n2 / 12 * ((n + 1) - tieTerm / ((double)n * (n - 1)));
        if (variance <= 0) return new MannWhitneyResult(u, 0, 1, false); // every value equal: no evidence either way
        double sigma = Math.Sqrt(variance);
        double z;
        double pValue;
        switch (alternative)
        {
            case Alternative.Greater:
                z = (u - mean - 0.5) / sigma;
                pValue = 1 - Statistics.NormalCdf(z);
                break;
            case Alternative.Less:
                z = (u - mean + 0.5) / sigma;
                pValue = Statistics.NormalCdf(z);
                break;
            default:
                z = (Math.Abs(u - mean) - 0.5) / sigma;
                pValue = Math.Min(1, 2 * (1 - Statistics.NormalCdf(Math.Max(z, 0))));
                break;
        }
        return new MannWhitneyResult(u, z, Math.Clamp(pValue, 0, 1), false);
    }

    /// <summary>P(U ≤ k) for k = 0..n1·n2 under the null hypothesis, by counting rank arrangements.</summary>
    private static double[] ExactCdf(int n1, int n2)
    {
        // counts[i][j][u]: arrangements of i x-values and j y-values with U = u; built up one element at a time.
        int max = n1 * n2;
        var previous = new double[n2 + 1][];
        for (int j = 0; j <= n2; j++)
        {
            previous[j] = new double[max + 1];
            previous[j][0] = 1; // with no x-values U is 0
        }
        for (int i = 1; i <= n1; i++)
        {
            var current = new double[n2 + 1][];
            current[0] = new double[max + 1];
            current[0][0] = 1;
            for (int j = 1; j <= n2; j++)
            {
                current[j] = new double[max + 1];
                // The largest element is a y (it beats all i x-values: U grows by i) or an x (U unchanged).
                for (int k = 0; k <= max; k++)
                {
                    double viaY = k - i >= 0 ? current[j - 1][k - i] : 0;
                    current[j][k] = viaY + previous[j][k];
                }
            }
            previous = current;
        }
        var counts = previous[n2];
        double total = counts.Sum();
        var cdf = new double[max + 1];
        double running = 0;
        for (int k = 0; k <= max; k++)
        {
            running += counts[k];
            cdf[k] = running / total;
        }
        return cdf;
    }
}
