using System.Globalization;
using System.Text;

namespace Accel.Perf.Reporting;

public enum Verdict
{
    /// <summary>Slower, significantly (one-sided Mann-Whitney p &lt; alpha) and by at least the minimum effect.</summary>
    Regression,
    /// <summary>Faster, significantly and by at least the minimum effect.</summary>
    Improvement,
    /// <summary>Neither: the difference is not significant, or smaller than the minimum effect.</summary>
    NoChange,
    /// <summary>Too few samples on one side to decide.</summary>
    Insufficient,
    /// <summary>The series is only in the current results.</summary>
    New,
    /// <summary>The series is only in the baseline.</summary>
    Missing,
}

/// <param name="Alpha">Significance level of the one-sided Mann-Whitney tests.</param>
/// <param name="MinEffect">Smallest relative change of the median that counts (0.05 = 5 %): statistically real but tiny shifts are not flagged.</param>
/// <param name="MinSamples">Fewer samples than this on either side gives <see cref="Verdict.Insufficient"/>.</param>
public sealed record ComparisonOptions(double Alpha = 0.01, double MinEffect = 0.05, int MinSamples = 5);

/// <summary>One series compared: medians, their ratio (current ÷ baseline), both one-sided p-values and the verdict.</summary>
public sealed record ComparisonRow(SeriesKey Key, LatencySummary? Baseline, LatencySummary? Current, double Ratio,
    double PSlower, double PFaster, Verdict Verdict);

/// <summary>
/// Decides whether current results are slower than a baseline, series by series (model × runtime × backend ×
/// threads): a regression needs BOTH a significant one-sided Mann-Whitney U test on the raw samples (current larger
/// than baseline, p &lt; alpha) AND a median slowdown of at least the minimum effect. Neither alone is enough: on a
/// shared machine tiny shifts are often significant, and big shifts of a few noisy samples often are not.
/// </summary>
public static class BenchComparison
{
    public static IReadOnlyList<ComparisonRow> Compare(IEnumerable<BenchRecord> baseline, IEnumerable<BenchRecord> current, ComparisonOptions? options = null)
    {
        options ??= new ComparisonOptions();
        // With several records of one series (a history file), the latest stands for it.
        var before = Latest(baseline);
        var after = Latest(current);
        var rows = new List<ComparisonRow>();
        foreach (var key in before.Keys.Union(after.Keys).OrderBy(k => k.ToString(), StringComparer.Ordinal))
        {
            before.TryGetValue(key, out var b);
            after.TryGetValue(key, out var c);
            if (b is null) rows.Add(new ComparisonRow(key, null, c!.Latency, double.NaN, double.NaN, double.NaN, Verdict.New));
            else if (c is null) rows.Add(new ComparisonRow(key, b.Latency, null, double.NaN, double.NaN, double.NaN, Verdict.Missing));
            else rows.Add(CompareSamples(key, b.SamplesMs, c.SamplesMs, options));
        }
        return rows;
    }

    /// <summary>The verdict on two sample sets of one series.</summary>
    public static ComparisonRow CompareSamples(SeriesKey key, IReadOnlyList<double> baseline, IReadOnlyList<double> current, ComparisonOptions? options = null)
    {
        options ??= new ComparisonOptions();
        var b = LatencySummary.Of(baseline);
        var c = LatencySummary.Of(current);
        double ratio = c.Median / b.Median;
        if (baseline.Count < options.MinSamples || current.Count < options.MinSamples)
            return new ComparisonRow(key, b, c, ratio, double.NaN, double.NaN, Verdict.Insufficient);
        double pSlower = MannWhitney.Test(baseline, current, Alternative.Greater).PValue;
        double pFaster = MannWhitney.Test(baseline, current, Alternative.Less).PValue;
        var verdict = Verdict.NoChange;
        if (pSlower < options.Alpha && ratio - 1 >= options.MinEffect) verdict = Verdict.Regression;
        else if (pFaster < options.Alpha && 1 - ratio >= options.MinEffect) verdict = Verdict.Improvement;
        return new ComparisonRow(key, b, c, ratio, pSlower, pFaster, verdict);
    }

    private static Dictionary<SeriesKey, BenchRecord> Latest(IEnumerable<BenchRecord> records)
    {
        var latest = new Dictionary<SeriesKey, BenchRecord>();
        foreach (var record in records)
            if (!latest.TryGetValue(record.Key, out var seen) || record.Date >= seen.Date)
                latest[record.Key] = record;
        return latest;
    }

    /// <summary>The comparison as a plain text table.</summary>
    public static string Format(IReadOnlyList<ComparisonRow> rows, ComparisonOptions options)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine($"regression = one-sided Mann-Whitney U p < {options.Alpha.ToString(inv)} AND median slower by >= {(options.MinEffect * 100).ToString("0.#", inv)}%");
        var table = new List<string[]> { new[] { "series", "baseline median", "current median", "change", "p(slower)", "p(faster)", "verdict" } };
        foreach (var row in rows)
            table.Add([
                row.Key.ToString(),
                row.Baseline is null ? "-" : $"{Ms(row.Baseline.Median)} (n={row.Baseline.Count})",
                row.Current is null ? "-" : $"{Ms(row.Current.Median)} (n={row.Current.Count})",
                double.IsNaN(row.Ratio) ? "-" : ((row.Ratio - 1) * 100).ToString("+0.0;-0.0;0.0", inv) + "%",
                P(row.PSlower), P(row.PFaster), VerdictText(row.Verdict),
            ]);
        AppendTable(text, table);
        int regressions = rows.Count(r => r.Verdict == Verdict.Regression);
        text.AppendLine(regressions == 0 ? "no regression" : $"{regressions} regression{(regressions == 1 ? "" : "s")}");
        return text.ToString();
    }

    public static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Regression => "REGRESSION",
        Verdict.Improvement => "improvement",
        Verdict.NoChange => "no change",
        Verdict.Insufficient => "too few samples",
        Verdict.New => "new",
        _ => "missing",
    };

    internal static string Ms(double ms) => ms.ToString(ms < 10 ? "0.000" : ms < 1000 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    private static string P(double p) => double.IsNaN(p) ? "-" : p < 1e-4 ? "<1e-4" : p.ToString("0.0000", CultureInfo.InvariantCulture);

    internal static void AppendTable(StringBuilder text, List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        foreach (var row in rows)
            text.AppendLine("  " + string.Join("  ", row.Select((cell, i) => i == 0 || i == row.Length - 1 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
    }
}
