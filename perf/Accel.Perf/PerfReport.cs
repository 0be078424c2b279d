using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace Accel.Perf;

/// <summary>
/// The per-model table of <c>perf/RESULTS.md</c>, built from BDN summaries of any suites that ran plus
/// <see cref="ModelFacts"/>: sizes and memory next to load time, time per file MB, invoke median and allocations.
/// Cells of suites that did not run read "—".
/// </summary>
public static class PerfReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string FactsTable()
    {
        var text = new StringBuilder();
        text.AppendLine("| Model | File MB | Constant bytes | Tensors | Ops | Folded-constant MB | Arena MB | Interpreter |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (string name in CorpusModels.Names)
        {
            var f = ModelFacts.For(name);
            text.AppendLine(Invariant, $"| {name} | {f.FileMB:0.000} | {f.ConstantBytes:N0} | {f.TensorCount} | {f.OperatorCount} | {Mb(f.FoldedConstantBytes)} | {Mb(f.ArenaBytes)} | {f.InterpreterError ?? "ok"} |");
        }
        return text.ToString();
    }

    public static string CombinedTable(IReadOnlyList<Summary> summaries)
    {
        // (method, model) -> report, across all suites that ran.
        var reports = new Dictionary<(string Method, string Model), BenchmarkReport>();
        foreach (var summary in summaries)
            foreach (var report in summary.Reports)
                if (report.BenchmarkCase.Parameters["Model"] is CorpusModel model)
                    reports[(report.BenchmarkCase.Descriptor.WorkloadMethod.Name, model.Name)] = report;

        var text = new StringBuilder();
        foreach (string line in summaries[0].HostEnvironmentInfo.ToFormattedString())
            text.AppendLine(line + "  ");
        text.AppendLine();
        text.AppendLine("| Model | File MB | Constant bytes | Folded-constant MB | Arena MB | FromFile median | FromFile µs/MB | Load+allocate median | Invoke median ms | Allocated B/invoke |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string name in CorpusModels.Names)
        {
            var f = ModelFacts.For(name);
            double? fromFile = MedianNs(reports, "FromFile", name);
            double? allocate = MedianNs(reports, "FromFileAndAllocate", name);
            double? invoke = MedianNs(reports, "Invoke", name);
            string allocated = reports.TryGetValue(("Invoke", name), out var r) && r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) is long bytes
                ? bytes.ToString("N0", Invariant)
                : "—";
            text.AppendLine(Invariant,
                $"| {name} | {f.FileMB:0.000} | {f.ConstantBytes:N0} | {Mb(f.FoldedConstantBytes)} | {Mb(f.ArenaBytes)} | {Time(fromFile)} | {Ratio(fromFile, f.FileMB, "0.0")} | {Time(allocate)} | {(invoke is double i ? (i / 1e6).ToString("0.00", Invariant) : "—")} | {allocated} |");
        }
        text.AppendLine();
        text.Append(LoadScalingTable(reports));
        return text.ToString();
    }

    /// <summary>
    /// Load against size: if Model.FromFile touched weight bytes, its time would grow with file MB; it should instead
    /// follow the tensor/operator counts the verifier walks (µs/tensor roughly flat, µs/MB falling with size).
    /// </summary>
    private static string LoadScalingTable(Dictionary<(string, string), BenchmarkReport> reports)
    {
        var text = new StringBuilder();
        text.AppendLine("| Model | File MB | Tensors | Ops | FromFile median | µs per file MB | µs per tensor | Managed B per FromFile |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string name in CorpusModels.Names)
        {
            var f = ModelFacts.For(name);
            double? fromFile = MedianNs(reports, "FromFile", name);
            string allocated = reports.TryGetValue(("FromFile", name), out var r) && r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) is long bytes
                ? bytes.ToString("N0", Invariant)
                : "—";
            text.AppendLine(Invariant,
                $"| {name} | {f.FileMB:0.000} | {f.TensorCount} | {f.OperatorCount} | {Time(fromFile)} | {Ratio(fromFile, f.FileMB, "0.0")} | {Ratio(fromFile, f.TensorCount, "0.00")} | {allocated} |");
        }
        return text.ToString();
    }

    private static string Ratio(double? nanoseconds, double per, string format) =>
        nanoseconds is double ns ? (ns / 1000 / per).ToString(format, Invariant) : "—";

    private static double? MedianNs(Dictionary<(string, string), BenchmarkReport> reports, string method, string model) =>
        reports.TryGetValue((method, model), out var report) && report.ResultStatistics is { } stats ? stats.Median : null;

    private static string Mb(long? bytes) =>
        bytes is long b ? (b / ModelFacts.BytesPerMB).ToString("0.000", Invariant) : "n/a";

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "—",
        < 1e6 => (nanoseconds.Value / 1e3).ToString("0.0", Invariant) + " µs",
        < 1e9 => (nanoseconds.Value / 1e6).ToString("0.00", Invariant) + " ms",
        _ => (nanoseconds.Value / 1e9).ToString("0.000", Invariant) + " s",
    };
}
