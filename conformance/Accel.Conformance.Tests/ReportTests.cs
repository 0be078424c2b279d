using System.Xml.Linq;
using Accel.Conformance.Reports;
using Accel.Conformance.Running;

namespace Accel.Conformance.Tests;

/// <summary>JSON, JUnit and HTML reports and merging, on a hand-made report with every kind of cell.</summary>
public sealed class ReportTests
{
    internal static ConformanceReport Sample(ShardInfo? shard = null, string caseSuffix = "")
    {
        var device = DeviceInfo.Detect();
        var run = new RunInfo("accel test", device, shard ?? ShardInfo.Whole, "op/*", "2025-01-02T03:04:05Z", 1.5, "/x/goldens.json", new string('a', 64),
        [
            new BackendInfo("reference", "reference executor", true, null),
            new BackendInfo("cpu", "CPU delegate", true, null),
            new BackendInfo("vulkan", "Vulkan", false, "no Vulkan device <&>"),
        ]);
        string a = "op/RELU/float32/base" + caseSuffix, b = "op/ADD/float32/b=5" + caseSuffix;
        var cells = new List<CellResult>
        {
            new(a, "reference", CellStatus.Pass, 0, 0.001, Outputs: [new OutputResult(0, "output", "float32", [2, 3], new string('b', 64), true)]),
            new(a, "cpu", CellStatus.Mismatch, 0, 0.002, "output 0 'output': 1 of 6 elements differ", "golden", 1, 1,
                [new OutputResult(0, "output", "float32", [2, 3], new string('c', 64), false, 6, 1, 3, 1e-7, 4, "1 (0x3F800000)", "1.0000004 (0x3F800003)", 0)]),
            new(a, "vulkan", CellStatus.Skipped, 0, 0, "no Vulkan device <&>"),
            new(b, "reference", CellStatus.Error, 0, 0.1, "KernelException: \"bad\" <shape>"),
            new(b, "cpu", CellStatus.Pass, 0, 0.1),
            new(b, "vulkan", CellStatus.Skipped, 0, 0, "no Vulkan device <&>"),
        };
        return new ConformanceReport(ConformanceReport.SchemaId, [run], ["reference", "cpu", "vulkan"],
            [new CaseInfo(a, "op", "RELU float32"), new CaseInfo(b, "op", "ADD float32")], cells,
            [new SuiteError(0, "ops.json: malformed")], [], ConformanceReport.Summarize(cells, 1));
    }

    [Test]
    public void JsonRoundTripsAndKeepsTheDocumentedTopLevelFields()
    {
        using var dir = new TempDirectory();
        var report = Sample();
        string file = dir.File("r.json");
        JsonReport.Write(report, file);
        string text = File.ReadAllText(file);
        foreach (string field in new[] { "\"schema\"", "\"runs\"", "\"backends\"", "\"cases\"", "\"cells\"", "\"errors\"", "\"summary\"", "\"device\"", "\"isaExtensions\"", "\"maxUlp\"", "\"firstDiffIndex\"" })
            Assert.That(text, Does.Contain(field));
        Assert.That(text, Does.Contain("\"status\": \"Mismatch\""));
        var back = JsonReport.Read(file);
        Assert.That(back.Summary, Is.EqualTo(report.Summary));
        Assert.That(back.Cells.Select(c => (c.Case, c.Backend, c.Status)), Is.EqualTo(report.Cells.Select(c => (c.Case, c.Backend, c.Status))));
        Assert.That(back.Cells[1].Outputs![0].MaxUlp, Is.EqualTo(3));
        Assert.That(back.Runs[0].Device.CpuModel, Is.EqualTo(report.Runs[0].Device.CpuModel));
    }

    [Test]
    public void ReadingANonReportNamesTheFile()
    {
        using var dir = new TempDirectory();
        string file = dir.File("bad.json");
        File.WriteAllText(file, "{\"schema\": \"other\"}");
        var e = Assert.Throws<SuiteFileException>(() => JsonReport.Read(file))!;
        Assert.That(e.Message, Does.StartWith(file));
        Assert.Throws<SuiteFileException>(() => JsonReport.Read(dir.File("missing.json")));
    }

    [Test]
    public void JUnitHasOneTestcasePerCellWithFailureErrorAndSkippedElementsAndDeviceProperties()
    {
        var report = Sample();
        var xml = XDocument.Parse(JUnitReport.Serialize(report));
        var root = xml.Root!;
        Assert.That(root.Name.LocalName, Is.EqualTo("testsuites"));
        Assert.That(root.Attribute("tests")!.Value, Is.EqualTo("6"));
        var suites = root.Elements("testsuite").Where(s => s.Attribute("name")!.Value != "accel.conform.suite").ToArray();
        Assert.That(suites.Select(s => s.Attribute("name")!.Value), Is.EqualTo(new[] { "accel.conform.reference", "accel.conform.cpu", "accel.conform.vulkan" }));
        var testcases = suites.SelectMany(s => s.Elements("testcase")).ToArray();
        Assert.That(testcases, Has.Length.EqualTo(6));
        Assert.That(testcases.Count(t => t.Element("failure") is not null), Is.EqualTo(1));
        Assert.That(testcases.Count(t => t.Element("error") is not null), Is.EqualTo(1));
        Assert.That(testcases.Count(t => t.Element("skipped") is not null), Is.EqualTo(2));
        var failure = testcases.Single(t => t.Element("failure") is not null).Element("failure")!;
        Assert.That(failure.Value, Does.Contain("max ULP 3").And.Contain("first [4]"));
        var properties = suites[0].Element("properties")!.Elements("property").ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")!.Value);
        Assert.That(properties.Keys, Is.SupersetOf(new[] { "device", "cpu", "isa", "os", "runtime", "gpus", "shard" }));
        var suiteErrors = root.Elements("testsuite").Single(s => s.Attribute("name")!.Value == "accel.conform.suite");
        Assert.That(suiteErrors.Descendants("error").Single().Attribute("message")!.Value, Is.EqualTo("ops.json: malformed"));
    }

    [Test]
    public void HtmlIsOneWellFormedSelfContainedPageWithTheColourCodedMatrix()
    {
        var report = Sample();
        string html = HtmlReport.Serialize(report);
        Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
        var page = XDocument.Parse(html.Replace("<!DOCTYPE html>", ""));
        XNamespace x = "http://www.w3.org/1999/xhtml";
        Assert.That(page.Descendants(x + "script"), Is.Empty);
        Assert.That(page.Descendants(x + "link"), Is.Empty, "no external stylesheet");
        Assert.That(page.Descendants(x + "img"), Is.Empty);
        Assert.That(page.Descendants(x + "style").Single().Value, Does.Contain("td.mismatch"));

        var matrix = page.Descendants(x + "table").Single(t => (string?)t.Attribute("class") == "matrix");
        var rows = matrix.Elements(x + "tr").ToArray();
        Assert.That(rows[0].Elements(x + "th").Select(th => th.Value), Is.EqualTo(new[] { "case", "reference", "cpu", "vulkan" }));
        Assert.That(rows.Skip(1).Select(r => r.Elements(x + "td").First().Value), Is.EqualTo(report.Cases.Select(c => c.Id)));
        string Class(int row, int column) => (string)rows[row].Elements(x + "td").ElementAt(column).Attribute("class")!;
        Assert.That(new[] { Class(1, 1), Class(1, 2), Class(1, 3), Class(2, 1), Class(2, 2) },
            Is.EqualTo(new[] { "pass", "mismatch", "skipped", "error", "pass" }));
        Assert.That(html, Does.Contain("no Vulkan device &lt;&amp;&gt;"), "text is escaped");
        Assert.That(page.Descendants(x + "h3").Count(), Is.EqualTo(2), "details for the mismatch and the error");
        Assert.That(html, Does.Contain(report.Runs[0].Device.CpuModel));
    }

    [Test]
    public void MergeCombinesShardsRenumbersRunsAndWarnsAboutMissingShards()
    {
        var shard0 = Sample(new ShardInfo(0, 3), "");
        var shard1 = Sample(new ShardInfo(1, 3), "/s1");
        var merged = ReportMerger.Merge([shard0, shard1]);
        Assert.That(merged.Runs, Has.Count.EqualTo(2));
        Assert.That(merged.Cells, Has.Count.EqualTo(12));
        Assert.That(merged.Cases, Has.Count.EqualTo(4));
        Assert.That(merged.Cells.Where(c => c.Case.EndsWith("/s1")).Select(c => c.Run), Is.All.EqualTo(1));
        Assert.That(merged.Errors.Select(e => e.Run), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(merged.Summary, Is.EqualTo(new ReportSummary(12, 4, 2, 2, 4, 2)));
        Assert.That(merged.Warnings.Single(), Does.Contain("missing 2/3"));

        var duplicated = ReportMerger.Merge([shard0, shard0]);
        Assert.That(duplicated.Warnings, Has.Some.Contains("more than one run"));

        var complete = ReportMerger.Merge([Sample(new ShardInfo(0, 2)), Sample(new ShardInfo(1, 2), "/b")]);
        Assert.That(complete.Warnings, Is.Empty);
    }

    [Test]
    public void DeviceInfoDescribesThisMachine()
    {
        var device = DeviceInfo.Detect();
        Assert.That(device.CpuModel, Is.Not.Empty);
        Assert.That(device.Os, Is.Not.Empty);
        Assert.That(device.Runtime, Does.StartWith(".NET"));
        Assert.That(device.LogicalCores, Is.EqualTo(Environment.ProcessorCount));
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.That(device.IsaExtensions, Does.Contain("avx2"));
        Assert.That(device.OneLine(), Does.Contain(device.CpuModel));
    }

    [Test]
    public void PlainProgressPrintsOneLinePerCaseAndRepeatsFailures()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainProgress(writer);
        var report = Sample();
        progress.Started(report.Cells.Count);
        for (int i = 0; i < report.Cells.Count; i++) progress.CellFinished(report.Cells[i], i + 1, report.Cells.Count);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("running 6 cells"));
        Assert.That(lines[1], Does.StartWith("[3/6] op/RELU/float32/base  reference PASS").And.Contain("cpu MISMATCH").And.Contain("vulkan SKIP"));
        Assert.That(lines[2], Does.Contain("MISMATCH cpu: output 0"));
        Assert.That(lines[3], Does.StartWith("[6/6] op/ADD/float32/b=5"));
        Assert.That(writer.ToString(), Does.Not.Contain("\r"));
    }
}
