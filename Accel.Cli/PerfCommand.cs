using System.Globalization;
using System.Text.Json.Nodes;
using Accel.Perf.Reporting;

namespace Accel.Cli;

/// <summary>
/// <c>accel perf report</c> (HTML dashboard from histories) and <c>accel perf compare</c> (a statistical regression
/// gate for CI: exit 3 on a regression).
/// </summary>
public static partial class PerfCommand
{
    /// <summary>Exit code of <c>accel perf compare</c> when at least one series regressed.</summary>
    public const int ExitRegression = 3;


    private static int Report(ParsedArgs parsed, TextWriter stdout)
    {
        if (parsed.Positionals.Count == 0) throw new UsageException("'perf report' needs at least one HISTORY file or directory", "perf");
        string? html = parsed.Value("--html");
        string? github = parsed.Value("--github-json");
        if (html is null && github is null) throw new UsageException("'perf report' needs --html FILE (and/or --github-json FILE)", "perf");
        var options = new ComparisonOptions(ParseFraction(parsed.Value("--alpha"), "--alpha", 0.01), ParseFraction(parsed.Value("--min-effect"), "--min-effect", 0.05));
        var records = Read(parsed.Positionals);
        if (records.Count == 0) throw new CliException($"no benchmark results in {string.Join(", ", parsed.Positionals)}");
        if (html is not null)
        {
            Write(html, HtmlDashboard.Render(records, parsed.Value("--title") ?? "Accel performance", options));
            var regressions = HtmlDashboard.Regressions(records, options);
            int series = records.Select(r => (r.Machine?.Fingerprint, r.Key, r.Session is null)).Distinct().Count();
            stdout.WriteLine($"wrote: {Path.GetFullPath(html)} ({records.Count} results, {series} series, {HtmlDashboard.PeerRatios(records).Count} peer ratios, {regressions.Count} regressions)");
        }
        if (github is not null)
        {
            Write(github, GithubBenchmarkJson.Write(records));
            stdout.WriteLine($"wrote: {Path.GetFullPath(github)} (github-action-benchmark customSmallerIsBetter)");
        }
        return AccelCli.ExitOk;
    }

    private static int Compare(ParsedArgs parsed, TextWriter stdout)
    {
        if (parsed.Positionals.Count != 2)
            throw new UsageException($"'perf compare' takes BASELINE and CURRENT, got {parsed.Positionals.Count} argument(s)", "perf");
        int minSamples = 5;
        if (parsed.Value("--min-samples") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out minSamples) || minSamples < 2))
            throw new UsageException($"--min-samples expects an integer >= 2, got '{text}'", "perf");
        var options = new ComparisonOptions(ParseFraction(parsed.Value("--alpha"), "--alpha", 0.01), ParseFraction(parsed.Value("--min-effect"), "--min-effect", 0.05), minSamples);
        var baseline = Read([parsed.Positionals[0]]);
        var current = Read([parsed.Positionals[1]]);
        if (baseline.Count == 0) throw new CliException($"no benchmark results in {parsed.Positionals[0]}");
        if (current.Count == 0) throw new CliException($"no benchmark results in {parsed.Positionals[1]}");
        var rows = BenchComparison.Compare(baseline, current, options);
        if (parsed.Has("--json")) stdout.Write(OutputWriter.ToJson(CompareJson(rows, options)));
        else stdout.Write(BenchComparison.Format(rows, options));
        if (parsed.Value("--github-json") is { } github) Write(github, GithubBenchmarkJson.Write(current));
        return rows.Any(r => r.Verdict == Verdict.Regression) ? ExitRegression : AccelCli.ExitOk;
    }

    private static double ParseFraction(string? text, string option, double fallback)
    {
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value is < 0 or >= 1)
            throw new UsageException($"{option} expects a number in [0, 1), got '{text}'", "perf");
        return value;
    }

    private static IReadOnlyList<BenchRecord> Read(IEnumerable<string> paths)
    {
        try
        {
            foreach (var path in paths)
                if (!File.Exists(path) && !Directory.Exists(path)) throw new CliException($"results file not found: {path}");
            return BenchHistory.Read(paths);
        }
        catch (FormatException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    private static void Write(string path, string text)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, text);
    }

    /// <summary>The comparison as accel-perf-compare/1; a figure that does not exist (a side missing, too few samples) is null.</summary>
    internal static JsonObject CompareJson(IReadOnlyList<ComparisonRow> rows, ComparisonOptions options)
    {
        static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
        return new JsonObject
        {
            ["schema"] = JsonSchemas.PerfCompare,
            ["alpha"] = options.Alpha,
            ["minEffect"] = options.MinEffect,
            ["minSamples"] = options.MinSamples,
            ["regressions"] = rows.Count(r => r.Verdict == Verdict.Regression),
            ["series"] = new JsonArray(rows.Select(r => (JsonNode)new JsonObject
            {
                ["model"] = r.Key.Model,
                ["runtime"] = r.Key.Runtime,
                ["backend"] = r.Key.Backend,
                ["threads"] = r.Key.Threads,
                ["baselineMedianMs"] = r.Baseline is null ? null : Number(r.Baseline.Median),
                ["baselineCount"] = r.Baseline?.Count,
                ["currentMedianMs"] = r.Current is null ? null : Number(r.Current.Median),
                ["currentCount"] = r.Current?.Count,
                ["ratio"] = Number(r.Ratio),
                ["pSlower"] = Number(r.PSlower),
                ["pFaster"] = Number(r.PFaster),
                ["verdict"] = VerdictName(r.Verdict),
            }).ToArray()),
        };
    }

    /// <summary>The verdict as a JSON string: regression, improvement, no-change, insufficient, new, missing.</summary>
    internal static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Regression => "regression",
        Verdict.Improvement => "improvement",
        Verdict.NoChange => "no-change",
        Verdict.Insufficient => "insufficient",
        Verdict.New => "new",
        _ => "missing",
    };
}
