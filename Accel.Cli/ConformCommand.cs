using System.Globalization;
using Accel.Conformance;
using Accel.Conformance.Backends;
using Accel.Conformance.Cases;
using Accel.Conformance.Goldens;
using Accel.Conformance.Reports;
using Accel.Conformance.Running;

namespace Accel.Cli;

/// <summary>
/// <c>accel conform</c>: the conformance suite (conformance/README.md). Runs cases × backends bit for bit against the
/// committed goldens, generates goldens (<c>--generate</c>), and merges shard reports (<c>merge</c>).
/// </summary>
public static partial class ConformCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        Runs every conformance case (corpus models x input sets, operators x dtypes x edge
        shapes/options/values) on each backend and compares every output bit for bit with the
        golden outputs of the reference executor (conformance/cases/goldens.json). Per case x
        backend: bit-exact, or the differing element count, max ULP distance, max |diff| and the
        first differing index with both values. Unavailable backends are skipped with the reason.
        Exit status: 0 when every cell that ran is bit-exact, 1 on any mismatch or error.
        """;

    /// <summary>Turns the suite's file problems into one-line runtime errors.</summary>
    private static int Guarded(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (SuiteFileException e)
        {
            throw new CliException(e.Message, e);
        }
    }

    private static int Run(ParsedArgs parsed, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {

        if (parsed.Positionals.Count > 0)
            throw new UsageException($"unexpected argument '{parsed.Positionals[0]}' (conform takes no MODEL; filter cases with --cases)", "conform");
        if (parsed.Has("--update") && !parsed.Has("--generate"))
            throw new UsageException("--update only goes with --generate", "conform");
        int? threads = null;
        if (parsed.Value("--threads") is { } t)
        {
            if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                throw new UsageException($"--threads expects a positive integer, got '{t}'", "conform");
            threads = n;
        }

        // The repository holds the case lists, corpus checksums and the oracle; --cases-dir alone also locates it
        // (its grandparent), for a checkout the tool was not started in.
        string? casesDirOption = parsed.Value("--cases-dir");
        string? repoRoot = SuitePaths.FindRepoRootOrNull()
            ?? (casesDirOption is null ? null : Path.GetFullPath(Path.Combine(casesDirOption, "..", "..")));
        if (repoRoot is null)
            throw new CliException("cannot find the Accel repository (a folder with Accel.sln and conformance/cases/) above the current directory or the tool; run inside it, set ACCEL_REPO_ROOT, or pass --cases-dir");
        var paths = SuitePaths.Discover(repoRoot, environment.Cache);
        if (casesDirOption is not null) paths = paths with { CasesDir = Path.GetFullPath(casesDirOption) };
        if (parsed.Value("--models-dir") is { } modelsDir) paths = paths with { ModelsDir = Path.GetFullPath(modelsDir) };
        var suite = new SuiteContext(paths);

        if (parsed.Has("--generate"))
        {
            foreach (string option in new[] { "--backend", "--shard", "--junit", "--json", "--html", "--threads" })
                if (parsed.Has(option)) throw new UsageException($"{option} does not go with --generate", "conform");
            var result = new GoldenGenerator(suite).Generate(
                new GenerateSettings { CaseFilter = parsed.Value("--cases"), Update = parsed.Has("--update") }, stdout);
            foreach (string problem in result.Problems) stderr.WriteLine($"accel: error: {problem}");
            return result.Ok ? AccelCli.ExitOk : AccelCli.ExitRuntimeError;
        }

        var registry = environment.CreateBackendRegistry(threads);
        string backendSpec = parsed.Value("--backend") ?? "all";
        IReadOnlyList<ConformanceBackend> backends;
        try
        {
            backends = registry.Select(backendSpec);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message, "conform");
        }

        if (parsed.Has("--list")) return List(suite, registry, parsed.Value("--cases"), stdout);
        if (parsed.Value("--export") is { } exportDir) return Export(suite, parsed.Value("--cases"), exportDir, stdout);

        ShardInfo shard;
        try
        {
            shard = parsed.Value("--shard") is { } s ? Sharding.Parse(s) : Sharding.FromEnvironment() ?? ShardInfo.Whole;
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message, "conform");
        }

        var settings = new RunSettings { Backends = backendSpec, CaseFilter = parsed.Value("--cases"), Shard = shard, Tool = AccelCli.VersionText() };
        var runner = new ConformanceRunner(suite, registry);
        // A live bar on a terminal; redirected (CI logs) one plain line per case; --quiet nothing.
        // With the JSON report on stdout, everything meant for a person goes to stderr.
        var human = parsed.Value("--json") == JsonSchemas.StandardOutput ? stderr : stdout;
        var display = parsed.Has("--quiet") ? null : CliProgress.For(human, environment.NoColor);
        var report = display is { IsInteractive: true }
            ? display.Run("conform", task => runner.Run(settings, new LiveObserver(task)))
            : runner.Run(settings, display is null ? null : new PlainProgress(human));
        WriteReports(report, parsed.Value("--json"), parsed.Value("--junit"), parsed.Value("--html"), stdout, human);
        PrintSummary(report, human);
        return report.Summary.Ok ? AccelCli.ExitOk : AccelCli.ExitRuntimeError;
    }

    private static int Merge(ParsedArgs parsed, TextWriter stdout, TextWriter stderr)
    {
        var human = parsed.Value("--json") == JsonSchemas.StandardOutput ? stderr : stdout;
        if (parsed.Positionals.Count == 0) throw new UsageException("merge needs at least one REPORT.json", "conform");
        if (!parsed.Has("--json") && !parsed.Has("--junit") && !parsed.Has("--html"))
            throw new UsageException("merge needs an output: --json, --junit and/or --html", "conform");
        var reports = new List<ConformanceReport>();
        foreach (string file in parsed.Positionals)
        {
            try
            {
                reports.Add(JsonReport.Read(file));
            }
            catch (SuiteFileException e)
            {
                throw new CliException(e.Message, e);
            }
        }
        var merged = ReportMerger.Merge(reports);
        human.WriteLine($"merged {reports.Count} report(s): {merged.Runs.Count} run(s), {merged.Cases.Count} cases, {merged.Cells.Count} cells");
        foreach (string warning in merged.Warnings) human.WriteLine($"warning: {warning}");
        WriteReports(merged, parsed.Value("--json"), parsed.Value("--junit"), parsed.Value("--html"), stdout, human);
        PrintSummary(merged, human);
        return merged.Summary.Ok ? AccelCli.ExitOk : AccelCli.ExitRuntimeError;
    }

    private static int List(SuiteContext suite, BackendRegistry registry, string? filter, TextWriter stdout)
    {
        var catalog = CaseCatalog.Load(suite.Paths);
        foreach (string e in catalog.Errors) stdout.WriteLine($"error: {e}");
        stdout.WriteLine("backends:");
        foreach (var b in registry.All)
            stdout.WriteLine($"  {b.Name,-10} {(b.UnavailableReason is null ? b.Description : "unavailable: " + b.UnavailableReason)}");
        var cases = ConformanceRunner.Select(catalog.Cases, filter, ShardInfo.Whole);
        stdout.WriteLine($"cases ({cases.Count}: {cases.Count(c => c.Kind == CaseKind.Model)} model, {cases.Count(c => c.Kind == CaseKind.Op)} op):");
        foreach (var c in cases) stdout.WriteLine($"  {c.Id}    {c.Summary}");
        var inactive = catalog.Inactive.Where(i => new CaseFilter(filter).Matches(i.Id)).ToArray();
        if (inactive.Length > 0)
        {
            stdout.WriteLine($"inactive ({inactive.Length}):");
            foreach (var i in inactive) stdout.WriteLine($"  {i.Id}    {i.Reason}");
        }
        return AccelCli.ExitOk;
    }

    /// <summary>Writes each selected case's model and inputs, to reproduce it with another tool (e.g. the oracle).</summary>
    private static int Export(SuiteContext suite, string? filter, string directory, TextWriter stdout)
    {
        var catalog = CaseCatalog.Load(suite.Paths);
        int failed = 0;
        foreach (var c in ConformanceRunner.Select(catalog.Cases, filter, ShardInfo.Whole))
        {
            string dir = Path.Combine(directory, CaseExport.DirectoryName(c.Id));
            try
            {
                CaseExport.Write(c, suite, dir);
                stdout.WriteLine($"{c.Id} -> {dir}");
            }
            catch (Exception e) when (e is SuiteFileException or CaseDefinitionException or AccelException or IOException)
            {
                failed++;
                stdout.WriteLine($"{c.Id}: error: {e.Message}");
            }
        }
        return failed == 0 ? AccelCli.ExitOk : AccelCli.ExitRuntimeError;
    }

    private static void WriteReports(ConformanceReport report, string? json, string? junit, string? html, TextWriter stdout, TextWriter human)
    {
        if (json == JsonSchemas.StandardOutput) stdout.Write(JsonReport.Serialize(report) + "\n");
        else if (json is not null) JsonReport.Write(report, json);
        if (junit is not null) JUnitReport.Write(report, junit);
        if (html is not null) HtmlReport.Write(report, html);
        foreach (string? file in new[] { json, junit, html })
            if (file is not null && file != JsonSchemas.StandardOutput) human.WriteLine($"wrote: {Path.GetFullPath(file)}");
    }

    private static void PrintSummary(ConformanceReport report, TextWriter stdout)
    {
        foreach (var run in report.Runs.DistinctBy(r => r.Device.OneLine()))
            stdout.WriteLine($"device: {run.Device.OneLine()}");
        stdout.WriteLine($"{"backend",-12}{"pass",7}{"mismatch",10}{"error",7}{"skipped",9}");
        foreach (string backend in report.Backends)
        {
            var cells = report.Cells.Where(c => c.Backend == backend).ToArray();
            string? reason = report.Runs.SelectMany(r => r.Backends).FirstOrDefault(b => b.Name == backend && !b.Available)?.Reason;
            stdout.WriteLine($"{backend,-12}{cells.Count(c => c.Status == CellStatus.Pass),7}{cells.Count(c => c.Status == CellStatus.Mismatch),10}" +
                             $"{cells.Count(c => c.Status == CellStatus.Error),7}{cells.Count(c => c.Status == CellStatus.Skipped),9}" +
                             (reason is null ? "" : $"  ({reason})"));
        }
        // Nodes a backend's delegate refused ran on the reference kernels: not a failure, but say which and why.
        foreach (var group in report.Cells.Where(c => c.OnReference is not null).GroupBy(c => c.Backend))
        {
            stdout.WriteLine($"{group.Key}: {group.Count()} cell(s) ran nodes on the reference:");
            var kinds = group.SelectMany(c => c.OnReference!.Select(r => System.Text.RegularExpressions.Regex.Replace(r, @"^node \d+ ", "")))
                .GroupBy(r => r).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToArray();
            foreach (var refusal in kinds.Take(25)) stdout.WriteLine($"  {refusal.Count(),5} × {refusal.Key}");
            if (kinds.Length > 25) stdout.WriteLine($"  … and {kinds.Length - 25} more (see the reports)");
        }
        var failures = report.Cells.Where(c => c.Status is CellStatus.Mismatch or CellStatus.Error).ToArray();
        if (failures.Length > 0)
        {
            stdout.WriteLine("failures:");
            foreach (var f in failures.Take(50)) stdout.WriteLine($"  {PlainProgress.Label(f.Status)} {f.Backend} {f.Case}: {f.Message}");
            if (failures.Length > 50) stdout.WriteLine($"  … and {failures.Length - 50} more (see the reports)");
        }
        foreach (var e in report.Errors) stdout.WriteLine($"suite error: {e.Message}");
        var s = report.Summary;
        stdout.WriteLine($"result: {(s.Ok ? "PASS" : "FAIL")} ({s.Pass} bit-exact, {s.Mismatch} mismatched, {s.Error} errors, {s.Skipped} skipped" +
                         (s.SuiteErrors > 0 ? $", {s.SuiteErrors} suite errors" : "") + ")");
    }

    /// <summary>Cells counted on the live bar; mismatches and errors printed above it as they happen.</summary>
    private sealed class LiveObserver(IProgressTask task) : IRunObserver
    {
        private int _failed;

        public void Started(int totalCells) => task.Report("cells", 0, totalCells);

        public void CellFinished(CellResult cell, int doneCells, int totalCells)
        {
            if (cell.Status is CellStatus.Mismatch or CellStatus.Error)
            {
                _failed++;
                task.WriteLine($"{PlainProgress.Label(cell.Status)} {cell.Backend} {cell.Case}: {cell.Message}");
            }
            task.Report(_failed == 0 ? "cells" : $"cells ({_failed} failed)", doneCells, totalCells);
        }

        public void SuiteError(string message) => task.WriteLine($"error: {message}");
    }
}
