using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Accel.Perf.Reporting;

/// <summary>
/// github-action-benchmark's <c>customSmallerIsBetter</c> input: a JSON array of
/// <c>{"name", "unit", "value", "range", "extra"}</c>, one entry per series (the median invoke latency in ms;
/// range = ± the standard deviation; extra = min/p90/p99 and the sample count), so an existing dashboard takes
/// Accel's numbers without glue.
/// </summary>
public static class GithubBenchmarkJson
{
    public static string Write(IEnumerable<BenchRecord> records)
    {
        var inv = CultureInfo.InvariantCulture;
        var latest = new Dictionary<SeriesKey, BenchRecord>();
        foreach (var r in records)
            if (!latest.TryGetValue(r.Key, out var seen) || r.Date >= seen.Date) latest[r.Key] = r;
        var array = new JsonArray();
        foreach (var (key, r) in latest.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
        {
            array.Add(new JsonObject
            {
                ["name"] = Name(key),
                ["unit"] = "ms",
                ["value"] = Math.Round(r.Latency.Median, 6),
                ["range"] = "± " + r.Latency.Std.ToString("0.######", inv),
                ["extra"] = $"min {r.Latency.Min.ToString("0.###", inv)} ms, p90 {r.Latency.P90.ToString("0.###", inv)} ms, p99 {r.Latency.P99.ToString("0.###", inv)} ms, n={r.Latency.Count}"
                    + (r.Commit is null ? "" : $", commit {r.Commit[..Math.Min(12, r.Commit.Length)]}"),
            });
        }
        // Relaxed escaping keeps "±" readable; the output is a file, never embedded in HTML.
        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>e.g. <c>face_detection_short_range [accel cpu, 1 thread]</c>.</summary>
    public static string Name(SeriesKey key) =>
        $"{key.Model} [{key.Runtime} {key.Backend}, {key.Threads} thread{(key.Threads == 1 ? "" : "s")}]";
}
