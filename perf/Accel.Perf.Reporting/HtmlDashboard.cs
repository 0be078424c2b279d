using System.Globalization;
using System.Net;
using System.Text;

namespace Accel.Perf.Reporting;

/// <summary>A peer ratio from one interleaved session: Accel's median ÷ the peer's (below 1: Accel is faster).</summary>
public sealed record PeerRatio(string Session, DateTimeOffset Date, string? Commit, string Model, int Threads,
    string AccelBackend, double AccelMedian, string Peer, double PeerMedian)
{
    public double Ratio => AccelMedian / PeerMedian;
}

/// <summary>A regression found between two consecutive results of one series in the history.</summary>
public sealed record HistoryRegression(string Machine, SeriesKey Key, BenchRecord Before, BenchRecord After, ComparisonRow Comparison);

/// <summary>
/// The self-contained HTML dashboard of <c>accel perf report</c>: one latency-over-commits plot per machine × model ×
/// runtime/backend × threads (inline SVG: median line, min–p90 band, a point per result with a tooltip, regressions
/// in red), the peers' ratios from interleaved sessions, and a table of regressions between consecutive results.
/// No scripts, no external files. Written as well-formed XHTML so any XML parser can check it.
/// </summary>
public static class HtmlDashboard
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Peer ratios: in each session, every Accel result against every other runtime's result for the same model and threads.</summary>
    public static IReadOnlyList<PeerRatio> PeerRatios(IEnumerable<BenchRecord> records)
    {
        var ratios = new List<PeerRatio>();
        foreach (var session in records.Where(r => r.Session is not null).GroupBy(r => r.Session!))
            foreach (var group in session.GroupBy(r => (r.Model, r.Threads)))
            {
                var accel = group.Where(r => r.Runtime == "accel").ToList();
                var peers = group.Where(r => r.Runtime != "accel").ToList();
                foreach (var a in accel)
                    foreach (var p in peers)
                        ratios.Add(new PeerRatio(session.Key, a.Date, a.Commit, group.Key.Model, group.Key.Threads, a.Backend,
                            a.Latency.Median, $"{p.Runtime}/{p.Backend}", p.Latency.Median));
            }
        return ratios.OrderBy(r => r.Date).ThenBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Threads).ToList();
    }

    /// <summary>
    /// Regressions between consecutive commits of each machine × series: each commit is represented by its latest
    /// result (repeated runs of one commit measure noise, not a change), commits in the order they were first measured.
    /// </summary>
    public static IReadOnlyList<HistoryRegression> Regressions(IEnumerable<BenchRecord> records, ComparisonOptions? options = null)
    {
        var found = new List<HistoryRegression>();
        foreach (var series in Series(records))
        {
            var perCommit = series.Points.Select((r, i) => (Record: r, Group: r.Commit ?? $"#{i}"))
                .GroupBy(p => p.Group).Select(g => g.Last().Record).OrderBy(r => r.Date).ToList();
            for (int i = 1; i < perCommit.Count; i++)
            {
                var before = perCommit[i - 1];
                var after = perCommit[i];
                var row = BenchComparison.CompareSamples(series.Key, before.SamplesMs, after.SamplesMs, options);
                if (row.Verdict == Verdict.Regression) found.Add(new HistoryRegression(series.Machine, series.Key, before, after, row));
            }
        }
        return found.OrderByDescending(r => r.After.Date).ToList();
    }

    /// <summary>Points of one line: a machine × series, standalone runs and interleaved peer sessions kept apart.</summary>
    private sealed record SeriesPoints(string Machine, SeriesKey Key, bool Interleaved, IReadOnlyList<BenchRecord> Points);

    private static IEnumerable<SeriesPoints> Series(IEnumerable<BenchRecord> records) =>
        records.GroupBy(r => (Machine: r.Machine?.Fingerprint ?? "unknown", r.Key, Interleaved: r.Session is not null))
            .OrderBy(g => g.Key.Machine, StringComparer.Ordinal).ThenBy(g => g.Key.Key.Model, StringComparer.Ordinal).ThenBy(g => g.Key.Interleaved)
            .ThenBy(g => g.Key.Key.Runtime, StringComparer.Ordinal).ThenBy(g => g.Key.Key.Backend, StringComparer.Ordinal).ThenBy(g => g.Key.Key.Threads)
            .Select(g => new SeriesPoints(g.Key.Machine, g.Key.Key, g.Key.Interleaved, g.OrderBy(r => r.Date).ToList()));

    public static string Render(IReadOnlyList<BenchRecord> records, string title = "Accel performance", ComparisonOptions? options = null)
    {
        options ??= new ComparisonOptions();
        var regressions = Regressions(records, options);
        var ratios = PeerRatios(records);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        html.Append($"<title>{E(title)}</title>\n<style>\n{Css}</style>\n</head>\n<body>\n");
        html.Append($"<h1>{E(title)}</h1>\n");
        var machines = records.Select(r => r.Machine).Where(m => m is not null).GroupBy(m => m!.Fingerprint).Select(g => g.First()!).ToList();
        html.Append($"<p class=\"meta\">{records.Count} results, {records.Select(r => r.Commit).Distinct().Count()} commits, generated {E(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv))}. ");
        html.Append("Latency = one Invoke, milliseconds; plots show the median (line) and the min–p90 band of each result.</p>\n<ul class=\"meta\">\n");
        foreach (var m in machines)
            html.Append($"<li>machine <code>{E(m.Fingerprint)}</code>: {E(m.Cpu)}, {m.LogicalCores} logical cores, {E(GiB(m.MemoryBytes))}, {E(m.Os)}, {E(m.VectorIsa)}, {E(m.DotNet)}</li>\n");
        html.Append("</ul>\n");

        html.Append($"<h2 id=\"regressions\">Regressions ({regressions.Count})</h2>\n");
        html.Append($"<p class=\"meta\">Between consecutive commits of a series (the latest result of each commit): one-sided Mann-Whitney U p &lt; {options.Alpha.ToString(Inv)} on the run samples and a median slowdown of at least {(options.MinEffect * 100).ToString("0.#", Inv)} %.</p>\n");
        if (regressions.Count == 0) html.Append("<p>None.</p>\n");
        else
        {
            html.Append("<table class=\"regressions\">\n<tr><th>series</th><th>machine</th><th>before</th><th>after</th><th>median before</th><th>median after</th><th>change</th><th>p</th></tr>\n");
            foreach (var r in regressions)
                html.Append($"<tr><td>{E(r.Key.ToString())}</td><td><code>{E(r.Machine)}</code></td><td>{E(CommitLabel(r.Before))}</td><td>{E(CommitLabel(r.After))}</td>"
                    + $"<td class=\"n\">{E(BenchComparison.Ms(r.Comparison.Baseline!.Median))}</td><td class=\"n\">{E(BenchComparison.Ms(r.Comparison.Current!.Median))}</td>"
                    + $"<td class=\"n bad\">{E(((r.Comparison.Ratio - 1) * 100).ToString("+0.0", Inv))} %</td><td class=\"n\">{E(r.Comparison.PSlower < 1e-4 ? "<1e-4" : r.Comparison.PSlower.ToString("0.0000", Inv))}</td></tr>\n");
            html.Append("</table>\n");
        }

        html.Append($"<h2 id=\"peers\">Peers ({ratios.Count} ratios)</h2>\n");
        html.Append("<p class=\"meta\">From interleaved sessions (A B A B … on one machine, same inputs). Ratio = Accel median ÷ peer median: below 1, Accel is faster.</p>\n");
        if (ratios.Count == 0) html.Append("<p>No peer sessions in these results (run the peer runner in perf/Accel.Perf.Peers).</p>\n");
        else
        {
            html.Append("<table class=\"peers\">\n<tr><th>date</th><th>commit</th><th>model</th><th>threads</th><th>accel backend</th><th>accel median</th><th>peer</th><th>peer median</th><th>ratio</th></tr>\n");
            foreach (var r in ratios)
                html.Append($"<tr><td>{E(r.Date.ToString("yyyy-MM-dd HH:mm", Inv))}</td><td><code>{E(Short(r.Commit))}</code></td><td>{E(r.Model)}</td><td class=\"n\">{r.Threads}</td><td>{E(r.AccelBackend)}</td>"
                    + $"<td class=\"n\">{E(BenchComparison.Ms(r.AccelMedian))}</td><td>{E(r.Peer)}</td><td class=\"n\">{E(BenchComparison.Ms(r.PeerMedian))}</td>"
                    + $"<td class=\"n {(r.Ratio <= 1 ? "good" : "bad")}\">{E(r.Ratio.ToString("0.00", Inv))}×</td></tr>\n");
            html.Append("</table>\n");
            foreach (var group in ratios.GroupBy(r => (r.Model, r.Threads, r.AccelBackend, r.Peer)).Where(g => g.Select(r => r.Session).Distinct().Count() > 1))
            {
                var points = group.OrderBy(r => r.Date).Select(r => new PlotPoint(Short(r.Commit), r.Date, r.Ratio, r.Ratio, r.Ratio, false,
                    $"{Short(r.Commit)} {r.Date:yyyy-MM-dd HH:mm}: ratio {r.Ratio.ToString("0.000", Inv)} ({BenchComparison.Ms(r.AccelMedian)} vs {BenchComparison.Ms(r.PeerMedian)})")).ToList();
                html.Append($"<figure>\n<figcaption>{E($"{group.Key.Model} · accel/{group.Key.AccelBackend} ÷ {group.Key.Peer} · {group.Key.Threads}t")}</figcaption>\n");
                html.Append(Plot(points, "ratio", referenceLine: 1.0));
                html.Append("</figure>\n");
            }
        }

        html.Append("<h2 id=\"latency\">Latency over commits</h2>\n");
        var regressionAfter = regressions.Select(r => r.After).ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var byModel in Series(records).GroupBy(s => (s.Machine, s.Key.Model)))
        {
            html.Append($"<h3>{E(byModel.Key.Model)} <span class=\"meta\">machine {E(byModel.Key.Machine)}</span></h3>\n<div class=\"plots\">\n");
            foreach (var series in byModel)
            {
                var points = series.Points.Select(r => new PlotPoint(Short(r.Commit), r.Date, r.Latency.Median, r.Latency.Min, r.Latency.P90,
                    regressionAfter.Contains(r), Tooltip(r))).ToList();
                var last = series.Points[^1];
                html.Append($"<figure>\n<figcaption>{E($"{series.Key.Runtime}/{series.Key.Backend} · {series.Key.Threads} thread{(series.Key.Threads == 1 ? "" : "s")}{(series.Interleaved ? " · interleaved peer sessions" : "")}")}"
                    + $" <span class=\"meta\">latest {E(BenchComparison.Ms(last.Latency.Median))} (n={last.Latency.Count})</span></figcaption>\n");
                html.Append(Plot(points, "ms"));
                html.Append("</figure>\n");
            }
            html.Append("</div>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string Tooltip(BenchRecord r) =>
        $"{Short(r.Commit)}{(r.Dirty == true ? "+dirty" : "")} {r.Date.ToString("yyyy-MM-dd HH:mm", Inv)}: median {BenchComparison.Ms(r.Latency.Median)}, "
        + $"min {BenchComparison.Ms(r.Latency.Min)}, p90 {BenchComparison.Ms(r.Latency.P90)}, n={r.Latency.Count}"
        + (r.Machine?.LoadAverage1Min is double load ? $", load {load.ToString("0.0", Inv)}" : "");

    private static string CommitLabel(BenchRecord r) => $"{Short(r.Commit)} {r.Date.ToString("yyyy-MM-dd HH:mm", Inv)}";

    private static string Short(string? commit) => commit is null ? "?" : commit[..Math.Min(8, commit.Length)];

    private static string GiB(long bytes) => (bytes / (double)(1L << 30)).ToString("0.#", Inv) + " GiB";

    /// <summary>A point of a plot: x label (commit), the central value, a band (low..high), whether to flag it, and its tooltip.</summary>
    private sealed record PlotPoint(string Label, DateTimeOffset Date, double Value, double Low, double High, bool Flagged, string Tooltip);

    /// <summary>An inline SVG line plot, points evenly spaced in date order (one per result), y from 0.</summary>
    private static string Plot(IReadOnlyList<PlotPoint> points, string unit, double? referenceLine = null)
    {
        const int width = 580, height = 220, left = 58, right = 48, top = 12, bottom = 52; // right: room for the last rotated label
        int plotWidth = width - left - right, plotHeight = height - top - bottom;
        double max = Math.Max(points.Max(p => p.High), referenceLine ?? 0);
        if (!(max > 0)) max = 1;
        double step = NiceStep(max / 4);
        double yMax = Math.Ceiling(max * 1.05 / step) * step;
        double X(int i) => left + (points.Count == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(points.Count - 1));
        double Y(double v) => top + plotHeight - v / yMax * plotHeight;
        string F(double v) => v.ToString("0.#", Inv);

        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">\n");
        // Axes and horizontal grid with labels.
        for (double v = 0; v <= yMax + step / 2; v += step)
        {
            svg.Append($"<line class=\"grid\" x1=\"{left}\" y1=\"{F(Y(v))}\" x2=\"{width - right}\" y2=\"{F(Y(v))}\"/>");
            svg.Append($"<text class=\"tick\" x=\"{left - 6}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{E(TickLabel(v, step))}</text>\n");
        }
        svg.Append($"<text class=\"tick\" x=\"12\" y=\"{F(top + plotHeight / 2.0)}\" transform=\"rotate(-90 12 {F(top + plotHeight / 2.0)})\" text-anchor=\"middle\">{E(unit)}</text>\n");
        if (referenceLine is double reference)
            svg.Append($"<line class=\"reference\" x1=\"{left}\" y1=\"{F(Y(reference))}\" x2=\"{width - right}\" y2=\"{F(Y(reference))}\"/>\n");
        // Band min..p90 as a polygon: lows left to right, highs right to left.
        if (points.Count > 1 && points.Any(p => p.High > p.Low))
        {
            var band = points.Select((p, i) => $"{F(X(i))},{F(Y(p.Low))}")
                .Concat(points.Select((p, i) => (p, i)).Reverse().Select(t => $"{F(X(t.i))},{F(Y(t.p.High))}"));
            svg.Append($"<polygon class=\"band\" points=\"{string.Join(" ", band)}\"/>\n");
        }
        svg.Append($"<polyline class=\"line\" points=\"{string.Join(" ", points.Select((p, i) => $"{F(X(i))},{F(Y(p.Value))}"))}\"/>\n");
        int labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count / 12.0));
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            svg.Append($"<circle class=\"{(p.Flagged ? "point flagged" : "point")}\" cx=\"{F(X(i))}\" cy=\"{F(Y(p.Value))}\" r=\"{(p.Flagged ? 5 : 3.5).ToString(Inv)}\"><title>{E(p.Tooltip)}</title></circle>");
            if (i % labelEvery == 0 || i == points.Count - 1)
                svg.Append($"<text class=\"tick\" x=\"{F(X(i))}\" y=\"{height - bottom + 14}\" transform=\"rotate(30 {F(X(i))} {height - bottom + 14})\">{E(p.Label)}</text>");
            svg.Append('\n');
        }
        svg.Append($"<line class=\"axis\" x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{width - right}\" y2=\"{top + plotHeight}\"/>");
        svg.Append($"<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotHeight}\"/>\n</svg>\n");
        return svg.ToString();
    }

    /// <summary>1, 2 or 5 × a power of ten, at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double m in new[] { 1.0, 2, 5, 10 })
            if (m * power >= rough) return m * power;
        return 10 * power;
    }

    private static string TickLabel(double v, double step) =>
        v.ToString(step >= 1 ? "0" : step >= 0.1 ? "0.0" : step >= 0.01 ? "0.00" : "0.000", Inv);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 22px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; } h3 { margin: 20px 0 4px; }
        .meta { color: #666; font-size: 12px; font-weight: normal; }
        table { border-collapse: collapse; font-size: 13px; } td, th { padding: 3px 8px; border-bottom: 1px solid #eee; text-align: left; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; } .good { color: #176f2c; } .bad { color: #b00020; font-weight: bold; }
        .plots { display: flex; flex-wrap: wrap; gap: 8px; } figure { margin: 4px; } figcaption { font-size: 13px; font-weight: 600; }
        svg.plot { background: #fcfcfc; border: 1px solid #eee; }
        .grid { stroke: #eee; } .axis { stroke: #999; } .reference { stroke: #888; stroke-dasharray: 4 3; }
        .band { fill: #4a7fd420; stroke: none; } .line { fill: none; stroke: #2f62b8; stroke-width: 2; }
        .point { fill: #2f62b8; } .point.flagged { fill: #d0021b; } .tick { font-size: 10px; fill: #555; }

        """;
}
