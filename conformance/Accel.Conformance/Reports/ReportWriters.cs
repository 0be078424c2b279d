using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Xml;

namespace Accel.Conformance.Reports;

/// <summary>The JSON report (conformance/report-schema.md): read back by <c>accel conform merge</c>.</summary>
public static class JsonReport
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public static string Serialize(ConformanceReport report) => JsonSerializer.Serialize(report, Options);

    public static void Write(ConformanceReport report, string path) => File.WriteAllText(path, Serialize(report) + "\n", new UTF8Encoding(false));

    /// <summary>Reads a report; a missing, corrupt or other-schema file is a <see cref="SuiteFileException"/> naming it.</summary>
    public static ConformanceReport Read(string path)
    {
        if (!File.Exists(path)) throw new SuiteFileException(path, "report not found");
        ConformanceReport? report;
        try
        {
            report = JsonSerializer.Deserialize<ConformanceReport>(File.ReadAllBytes(path), Options);
        }
        catch (JsonException e)
        {
            throw new SuiteFileException(path, $"not a valid conformance report: {e.Message}", e);
        }
        if (report is null) throw new SuiteFileException(path, "empty report");
        if (report.Schema != ConformanceReport.SchemaId)
            throw new SuiteFileException(path, $"report schema is '{report.Schema}', expected '{ConformanceReport.SchemaId}'");
        if (report.Runs is null || report.Cells is null || report.Cases is null || report.Backends is null)
            throw new SuiteFileException(path, "report lacks runs, backends, cases or cells");
        return report;
    }
}

/// <summary>JUnit XML: one <c>testsuite</c> per backend, one <c>testcase</c> per cell, device facts as properties.</summary>
public static class JUnitReport
{
    public static string Serialize(ConformanceReport report)
    {
        var text = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        using (var writer = XmlWriter.Create(new StringWriterUtf8(text), settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("testsuites");
            writer.WriteAttributeString("name", "accel conform");
            WriteCounts(writer, report.Cells);
            writer.WriteAttributeString("time", Seconds(report.Cells.Sum(c => c.Seconds)));
            foreach (string backend in report.Backends)
            {
                var cells = report.Cells.Where(c => c.Backend == backend).ToArray();
                writer.WriteStartElement("testsuite");
                writer.WriteAttributeString("name", $"accel.conform.{backend}");
                WriteCounts(writer, cells);
                writer.WriteAttributeString("time", Seconds(cells.Sum(c => c.Seconds)));
                if (report.Runs.Count > 0)
                {
                    writer.WriteAttributeString("hostname", report.Runs[0].Device.HostName);
                    writer.WriteAttributeString("timestamp", report.Runs[0].StartedUtc);
                }
                writer.WriteStartElement("properties");
                for (int r = 0; r < report.Runs.Count; r++)
                {
                    var run = report.Runs[r];
                    string prefix = report.Runs.Count == 1 ? "" : $"run{r}.";
                    Property(writer, prefix + "device", run.Device.OneLine());
                    Property(writer, prefix + "cpu", run.Device.CpuModel);
                    Property(writer, prefix + "isa", string.Join(" ", run.Device.IsaExtensions));
                    Property(writer, prefix + "os", $"{run.Device.Os} {run.Device.OsArchitecture}");
                    Property(writer, prefix + "runtime", $"{run.Device.Runtime} {run.Device.RuntimeIdentifier}");
                    Property(writer, prefix + "gpus", string.Join("; ", run.Device.Gpus.Select(g => $"{g.Name} {g.Driver}".Trim())));
                    Property(writer, prefix + "shard", run.Shard.ToString());
                    Property(writer, prefix + "tool", run.Tool);
                    if (run.Backends.FirstOrDefault(b => b.Name == backend) is { } info)
                        Property(writer, prefix + "backend", info.Available ? info.Description : $"unavailable: {info.Reason}");
                }
                writer.WriteEndElement();
                foreach (var cell in cells)
                {
                    writer.WriteStartElement("testcase");
                    string group = string.Join(".", cell.Case.Split('/').SkipLast(1));
                    writer.WriteAttributeString("classname", $"accel.conform.{backend}.{group}");
                    writer.WriteAttributeString("name", cell.Case);
                    writer.WriteAttributeString("time", Seconds(cell.Seconds));
                    switch (cell.Status)
                    {
                        case CellStatus.Mismatch:
                            writer.WriteStartElement("failure");
                            writer.WriteAttributeString("type", "mismatch");
                            writer.WriteAttributeString("message", cell.Message ?? "mismatch");
                            writer.WriteString(Details(cell));
                            writer.WriteEndElement();
                            break;
                        case CellStatus.Error:
                            writer.WriteStartElement("error");
                            writer.WriteAttributeString("type", "error");
                            writer.WriteAttributeString("message", cell.Message ?? "error");
                            writer.WriteString(cell.Message ?? "");
                            writer.WriteEndElement();
                            break;
                        case CellStatus.Skipped:
                            writer.WriteStartElement("skipped");
                            writer.WriteAttributeString("message", cell.Message ?? "skipped");
                            writer.WriteEndElement();
                            break;
                    }
                    if (cell.Status == CellStatus.Pass && (cell.Message is not null || cell.OnReference is not null))
                    {
                        writer.WriteElementString("system-out", string.Join("\n",
                            new[] { cell.Message }.OfType<string>().Concat(OnReferenceLines(cell))));
                    }
                    writer.WriteEndElement();
                }
                writer.WriteEndElement();
            }
            if (report.Errors.Count > 0)
            {
                // Suite-level problems (broken case list or manifest) as failing test cases, so a farm sees them.
                writer.WriteStartElement("testsuite");
                writer.WriteAttributeString("name", "accel.conform.suite");
                writer.WriteAttributeString("tests", report.Errors.Count.ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("failures", "0");
                writer.WriteAttributeString("errors", report.Errors.Count.ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("skipped", "0");
                for (int i = 0; i < report.Errors.Count; i++)
                {
                    writer.WriteStartElement("testcase");
                    writer.WriteAttributeString("classname", "accel.conform.suite");
                    writer.WriteAttributeString("name", $"suite-error-{i}");
                    writer.WriteStartElement("error");
                    writer.WriteAttributeString("message", report.Errors[i].Message);
                    writer.WriteEndElement();
                    writer.WriteEndElement();
                }
                writer.WriteEndElement();
            }
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }
        return text.ToString();
    }

    public static void Write(ConformanceReport report, string path) => File.WriteAllText(path, Serialize(report), new UTF8Encoding(false));

    /// <summary>Per-output figures of a cell, one line each.</summary>
    public static string Details(CellResult cell) => string.Join("\n", (cell.Outputs ?? []).Select(o => o.BitExact
        ? $"output {o.Index} '{o.Name}' {o.Dtype}[{string.Join(",", o.Shape)}]: bit-exact"
        : $"output {o.Index} '{o.Name}' {o.Dtype}[{string.Join(",", o.Shape)}]: " + (o.Differing is { } n
            ? $"{n} of {o.Elements} differ, max ULP {o.MaxUlp?.ToString(CultureInfo.InvariantCulture) ?? "n/a"}, max |diff| {(o.MaxAbsDiff is { } d ? d.ToString("G6", CultureInfo.InvariantCulture) : "n/a")}, " +
              $"NaN vs number {o.NanMismatches}, first [{o.FirstDiffIndex}] expected {o.Expected} got {o.Actual}" + (o.Note is null ? "" : $" ({o.Note})")
            : o.Note ?? "differs")).Concat(OnReferenceLines(cell)));

    /// <summary>One line per node the backend's delegate refused (it ran on the reference kernels), with the reason.</summary>
    public static IEnumerable<string> OnReferenceLines(CellResult cell) =>
        (cell.OnReference ?? []).Select(r => $"on the reference (refused by {cell.Backend}): {r}");

    private static void WriteCounts(XmlWriter writer, IReadOnlyCollection<CellResult> cells)
    {
        writer.WriteAttributeString("tests", cells.Count.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("failures", cells.Count(c => c.Status == CellStatus.Mismatch).ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("errors", cells.Count(c => c.Status == CellStatus.Error).ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("skipped", cells.Count(c => c.Status == CellStatus.Skipped).ToString(CultureInfo.InvariantCulture));
    }

    private static void Property(XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement("property");
        writer.WriteAttributeString("name", name);
        writer.WriteAttributeString("value", value);
        writer.WriteEndElement();
    }

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);

    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}

/// <summary>
/// One self-contained HTML page (inline CSS, no scripts, no external files; well-formed XML so tools can parse it):
/// summary, devices, the backend × case matrix colour-coded per cell, then the details of every failing cell.
/// </summary>
public static class HtmlReport
{
    private const string StyleSheet = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
        table { border-collapse: collapse; }
        th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; position: sticky; top: 0; }
        td.case { font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
        td.pass { background: #c8efc8; } td.mismatch { background: #f5b5b5; } td.error { background: #f7d28b; }
        td.skipped { background: #e2e2e2; color: #666; } td.none { background: #fff; }
        .ok { color: #176917; font-weight: bold; } .bad { color: #a11; font-weight: bold; }
        .legend span { display: inline-block; padding: 0 8px; margin-right: 4px; border: 1px solid #ccc; }
        pre { white-space: pre-wrap; font-size: 12px; background: #f8f8f8; padding: 4px; margin: 2px 0; }
        """;

    public static string Serialize(ConformanceReport report)
    {
        var s = report.Summary;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        html.Append("<title>Accel conformance report</title>\n<style>\n").Append(StyleSheet).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>Accel conformance report</h1>\n");
        html.Append($"<p class=\"{(s.Ok ? "ok" : "bad")}\">{(s.Ok ? "PASS" : "FAIL")}: {s.Pass} bit-exact, {s.Mismatch} mismatched, {s.Error} errors, {s.Skipped} skipped of {s.Cells} cells ({report.Cases.Count} cases × {report.Backends.Count} backends)" +
                    (s.SuiteErrors > 0 ? $"; {s.SuiteErrors} suite errors" : "") + "</p>\n");
        if (report.Errors.Count > 0 || report.Warnings.Count > 0)
        {
            html.Append("<ul>\n");
            foreach (var e in report.Errors) html.Append($"<li class=\"bad\">suite error (run {e.Run}): {E(e.Message)}</li>\n");
            foreach (var w in report.Warnings) html.Append($"<li>warning: {E(w)}</li>\n");
            html.Append("</ul>\n");
        }

        html.Append("<h2>Devices</h2>\n<table>\n<tr><th>run</th><th>shard</th><th>device</th><th>backends</th><th>started (UTC)</th><th>seconds</th><th>tool</th></tr>\n");
        for (int r = 0; r < report.Runs.Count; r++)
        {
            var run = report.Runs[r];
            string backends = string.Join("<br />", run.Backends.Select(b => $"<b>{E(b.Name)}</b>: {E(b.Available ? b.Description : "unavailable: " + b.Reason)}"));
            html.Append($"<tr><td>{r}</td><td>{E(run.Shard.ToString())}</td><td>{E(run.Device.HostName)}<br />{E(run.Device.OneLine())}<br />vector width {E(run.Device.VectorWidth)}, {E(run.Device.RuntimeIdentifier)}</td>" +
                        $"<td>{backends}</td><td>{E(run.StartedUtc)}</td><td>{run.Seconds.ToString("0.#", CultureInfo.InvariantCulture)}</td><td>{E(run.Tool)}</td></tr>\n");
        }
        html.Append("</table>\n");

        html.Append("<h2>Matrix</h2>\n<p class=\"legend\"><span style=\"background:#c8efc8\">bit-exact</span><span style=\"background:#f5b5b5\">mismatch</span>" +
                    "<span style=\"background:#f7d28b\">error</span><span style=\"background:#e2e2e2\">skipped</span> (hover a cell for details)</p>\n");
        html.Append("<table class=\"matrix\">\n<tr><th>case</th>");
        foreach (string b in report.Backends) html.Append($"<th>{E(b)}</th>");
        html.Append("</tr>\n");
        var byCell = report.Cells.GroupBy(c => (c.Case, c.Backend)).ToDictionary(g => g.Key, g => g.ToArray());
        var failing = new List<CellResult>();
        foreach (var c in report.Cases)
        {
            html.Append($"<tr><td class=\"case\" title=\"{E(c.Summary)}\">{E(c.Id)}</td>");
            foreach (string b in report.Backends)
            {
                if (!byCell.TryGetValue((c.Id, b), out var cells))
                {
                    html.Append("<td class=\"none\">–</td>");
                    continue;
                }
                var worst = cells.MaxBy(x => Severity(x.Status))!;
                string label = worst.Status switch
                {
                    CellStatus.Pass => "✓",
                    CellStatus.Mismatch => worst.Outputs?.FirstOrDefault(o => !o.BitExact)?.Differing is { } n ? $"✗ {n}" : "✗",
                    CellStatus.Error => "error",
                    _ => "skip",
                };
                if (cells.Length > 1) label += $" ×{cells.Length}";
                string title = worst.Message ?? (worst.Status == CellStatus.Pass ? "bit-exact" : worst.Status.ToString());
                if (worst.OnReference is not null) title += "; " + string.Join("; ", JUnitReport.OnReferenceLines(worst));
                if (worst.Status is CellStatus.Mismatch or CellStatus.Error)
                {
                    failing.AddRange(cells.Where(x => x.Status is CellStatus.Mismatch or CellStatus.Error));
                    html.Append($"<td class=\"{Css(worst.Status)}\" title=\"{E(title)}\"><a href=\"#{Anchor(c.Id, b)}\">{E(label)}</a></td>");
                }
                else html.Append($"<td class=\"{Css(worst.Status)}\" title=\"{E(title)}\">{E(label)}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");

        if (failing.Count > 0)
        {
            html.Append("<h2>Failures</h2>\n");
            foreach (var cell in failing.DistinctBy(f => (f.Case, f.Backend)))
            {
                html.Append($"<h3 id=\"{Anchor(cell.Case, cell.Backend)}\">{E(cell.Backend)} · {E(cell.Case)} ({E(cell.Status.ToString().ToLowerInvariant())})</h3>\n");
                html.Append($"<pre>{E(cell.Message ?? "")}\n{E(JUnitReport.Details(cell))}</pre>\n");
            }
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    public static void Write(ConformanceReport report, string path) => File.WriteAllText(path, Serialize(report), new UTF8Encoding(false));

    private static int Severity(CellStatus s) => s switch
    {
        CellStatus.Skipped => 0,
        CellStatus.Pass => 1,
        CellStatus.Error => 2,
        _ => 3,
    };

    private static string Css(CellStatus s) => s.ToString().ToLowerInvariant();

    private static string Anchor(string caseId, string backend) =>
        "cell-" + new string($"{backend}-{caseId}".Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray());

    /// <summary>XML-safe text (also valid HTML): &amp;, &lt;, &gt;, quotes.</summary>
    private static string E(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>Combines shard reports (<c>accel conform merge</c>).</summary>
public static class ReportMerger
{
    /// <summary>
    /// Concatenates runs, cases (first occurrence wins, order kept), backends (union, order kept), cells and errors
    /// (run indices shifted), and warns about shards missing from a sharded set and about cells reported twice.
    /// </summary>
    public static ConformanceReport Merge(IReadOnlyList<ConformanceReport> reports)
    {
        if (reports.Count == 0) throw new ArgumentException("nothing to merge");
        var runs = new List<RunInfo>();
        var backends = new List<string>();
        var cases = new List<CaseInfo>();
        var caseIds = new HashSet<string>(StringComparer.Ordinal);
        var cells = new List<CellResult>();
        var errors = new List<SuiteError>();
        var warnings = new List<string>();
        foreach (var report in reports)
        {
            int offset = runs.Count;
            runs.AddRange(report.Runs);
            foreach (string b in report.Backends) if (!backends.Contains(b)) backends.Add(b);
            foreach (var c in report.Cases) if (caseIds.Add(c.Id)) cases.Add(c);
            cells.AddRange(report.Cells.Select(c => c with { Run = c.Run + offset }));
            errors.AddRange(report.Errors.Select(e => e with { Run = e.Run + offset }));
            warnings.AddRange(report.Warnings);
        }
        foreach (var group in runs.GroupBy(r => r.Shard.Total).Where(g => g.Key > 1))
        {
            var missing = Enumerable.Range(0, group.Key).Except(group.Select(r => r.Shard.Index)).ToArray();
            if (missing.Length > 0)
                warnings.Add($"incomplete shard set: {group.Key} shards, missing {string.Join(", ", missing.Select(i => $"{i}/{group.Key}"))}");
        }
        var duplicates = cells.GroupBy(c => (c.Case, c.Backend)).Where(g => g.Count() > 1).ToArray();
        if (duplicates.Length > 0)
            warnings.Add($"{duplicates.Length} case × backend cells were reported by more than one run (e.g. {duplicates[0].Key.Case} on {duplicates[0].Key.Backend}); all are kept");
        return new ConformanceReport(ConformanceReport.SchemaId, runs, backends, cases, cells, errors, warnings.Distinct().ToArray(),
            ConformanceReport.Summarize(cells, errors.Count));
    }
}
