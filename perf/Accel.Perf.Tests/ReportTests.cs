using System.Xml;
using System.Xml.Linq;
using Accel.Cli;
using Accel.Perf.Reporting;

namespace Accel.Perf.Tests;

public sealed class ReportTests
{
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Three commits of two Accel series (cpu regresses at the third) and one interleaved peer session.</summary>
    private static List<BenchRecord> History()
    {
        var records = new List<BenchRecord>();
        string[] commits = ["c0ffee01", "c0ffee02", "c0ffee03"];
        for (int i = 0; i < 3; i++)
        {
            records.Add(Samples.Record("face_detection_short_range", "cpu", Samples.Normal(40, i == 2 ? 1.5 : 1.2, 0.02, i), commits[i], Samples.Day(i)));
            records.Add(Samples.Record("face_detection_short_range", "reference", Samples.Normal(40, 100, 1, 10 + i), commits[i], Samples.Day(i)));
        }
        records.Add(Samples.Record("face_detection_short_range", "cpu", Samples.Normal(40, 1.2, 0.02, 20), commits[2], Samples.Day(3), session: "s1"));
        records.Add(Samples.Record("face_detection_short_range", "cpu", Samples.Normal(40, 1.3, 0.02, 21), commits[2], Samples.Day(3), runtime: "onnxruntime", session: "s1"));
        return records;
    }

    private static XDocument Parse(string path)
    {
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [Test]
    public void PerfReportWritesAnHtmlFileThatParsesAndEmbedsOnePlotPerSeries()
    {
        using var dir = new TempDirectory();
        string history = dir.File("machine.jsonl");
        BenchHistory.Append(History(), history);
        string html = dir.File("out/report.html");
        var stdout = new StringWriter();
        int code = AccelCli.Run(["perf", "report", history, "--html", html], stdout, new StringWriter());

        Assert.That(code, Is.EqualTo(0), stdout.ToString());
        Assert.That(File.Exists(html));
        var doc = Parse(html);
        var svgs = doc.Descendants(Svg + "svg").ToList();
        // Series: accel/cpu, accel/reference, and from the interleaved session accel/cpu and onnxruntime/cpu (kept
        // apart from standalone runs) = 4 latency plots.
        Assert.That(svgs, Has.Count.EqualTo(4));
        Assert.That(svgs.All(s => s.Elements(Svg + "polyline").Any()), "each plot draws its median line");
        var cpuPlot = svgs.First(s => s.Parent!.Element(Xhtml + "figcaption")!.Value.StartsWith("accel/cpu"));
        Assert.That(cpuPlot.Elements(Svg + "circle").Count(), Is.EqualTo(3), "one point per result");
        Assert.That(doc.Descendants(Xhtml + "script"), Is.Empty, "self-contained, no scripts");
        Assert.That(doc.Descendants().Any(e => e.Attribute("src") is not null || e.Name.LocalName == "link"), Is.False, "no external files");
    }

    [Test]
    public void ReportListsTheRegressionAndThePeerRatio()
    {
        string html = HtmlDashboard.Render(History());
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.html"), html);
        var doc = Parse(dir.File("r.html"));
        var regressionRows = doc.Descendants(Xhtml + "table").Single(t => (string?)t.Attribute("class") == "regressions").Elements(Xhtml + "tr").Skip(1).ToList();
        Assert.That(regressionRows, Has.Count.EqualTo(1));
        Assert.That(regressionRows[0].Value, Does.Contain("accel/cpu").And.Contain("c0ffee03"));
        var peerRows = doc.Descendants(Xhtml + "table").Single(t => (string?)t.Attribute("class") == "peers").Elements(Xhtml + "tr").Skip(1).ToList();
        Assert.That(peerRows, Has.Count.EqualTo(1));
        Assert.That(peerRows[0].Value, Does.Contain("onnxruntime/cpu").And.Contain("0.92×"));
        Assert.That(doc.Descendants(Svg + "circle").Count(c => ((string?)c.Attribute("class"))?.Contains("flagged") == true), Is.EqualTo(1),
            "the regressed point is drawn in red");
    }

    [Test]
    public void RepeatedRunsOfOneCommitAreNotComparedWithEachOther()
    {
        // Same commit measured twice, the second time much slower (a busy machine): noise, not a regression.
        var records = new List<BenchRecord>
        {
            Samples.Record("m", "cpu", Samples.Normal(30, 1.0, 0.01, 1), "same", Samples.Day(0)),
            Samples.Record("m", "cpu", Samples.Normal(30, 2.0, 0.01, 2), "same", Samples.Day(1)),
        };
        Assert.That(HtmlDashboard.Regressions(records), Is.Empty);
        // A new commit is compared with the latest run of the previous one.
        records.Add(Samples.Record("m", "cpu", Samples.Normal(30, 2.5, 0.01, 3), "next", Samples.Day(2)));
        var found = HtmlDashboard.Regressions(records).Single();
        Assert.That(found.Before.Date, Is.EqualTo(Samples.Day(1)));
        Assert.That(found.After.Commit, Is.EqualTo("next"));
    }

    [Test]
    public void PeerRatiosPairEveryAccelResultWithEveryPeerOfTheSameSession()
    {
        var ratios = HtmlDashboard.PeerRatios(History());
        Assert.That(ratios, Has.Count.EqualTo(1));
        Assert.That(ratios[0].Ratio, Is.EqualTo(1.2 / 1.3).Within(0.02));
        Assert.That(ratios[0].Peer, Is.EqualTo("onnxruntime/cpu"));
    }

    [Test]
    public void ReportWithGithubJsonWritesBothFiles()
    {
        using var dir = new TempDirectory();
        string history = dir.File("h.jsonl");
        BenchHistory.Append(History(), history);
        int code = AccelCli.Run(["perf", "report", history, "--html", dir.File("r.html"), "--github-json", dir.File("gab.json")], new StringWriter(), new StringWriter());
        Assert.That(code, Is.EqualTo(0));
        Assert.That(File.Exists(dir.File("r.html")) && File.Exists(dir.File("gab.json")));
    }
}

public sealed class CompareCommandTests
{
    private static string Write(TempDirectory dir, string name, params BenchRecord[] records)
    {
        string path = dir.File(name);
        File.WriteAllText(path, records.Length == 1 ? records[0].ToJson() : System.Text.Json.JsonSerializer.Serialize(records, BenchJson.Indented));
        return path;
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = AccelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void ARegressionExitsThree()
    {
        using var dir = new TempDirectory();
        string baseline = Write(dir, "base.json", Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 1), "a", Samples.Day(0)));
        string current = Write(dir, "cur.json", Samples.Record("m", "cpu", Samples.Normal(30, 12, 0.2, 2), "b", Samples.Day(1)));
        var result = Run("perf", "compare", baseline, current);
        Assert.That(result.Code, Is.EqualTo(PerfCommand.ExitRegression), result.Stdout);
        Assert.That(result.Stdout, Does.Contain("REGRESSION"));
    }

    [Test]
    public void NoChangeExitsZero()
    {
        using var dir = new TempDirectory();
        string baseline = Write(dir, "base.json", Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 1), "a", Samples.Day(0)));
        string current = Write(dir, "cur.json", Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 3), "b", Samples.Day(1)));
        var result = Run("perf", "compare", baseline, current);
        Assert.That(result.Code, Is.EqualTo(0), result.Stdout);
        Assert.That(result.Stdout, Does.Contain("no regression"));
    }

    [Test]
    public void AnImprovementExitsZero()
    {
        using var dir = new TempDirectory();
        string baseline = Write(dir, "base.json", Samples.Record("m", "cpu", Samples.Normal(30, 12, 0.2, 1), "a", Samples.Day(0)));
        string current = Write(dir, "cur.json", Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 2), "b", Samples.Day(1)));
        var result = Run("perf", "compare", baseline, current);
        Assert.That(result.Code, Is.EqualTo(0));
        Assert.That(result.Stdout, Does.Contain("improvement"));
    }

    [Test]
    public void AHigherMinimumEffectLetsASmallSlowdownPass()
    {
        using var dir = new TempDirectory();
        string baseline = Write(dir, "base.json", Samples.Record("m", "cpu", Samples.Normal(30, 10, 0.2, 1), "a", Samples.Day(0)));
        string current = Write(dir, "cur.json", Samples.Record("m", "cpu", Samples.Normal(30, 11, 0.2, 2), "b", Samples.Day(1)));
        Assert.That(Run("perf", "compare", baseline, current).Code, Is.EqualTo(PerfCommand.ExitRegression));
        Assert.That(Run("perf", "compare", baseline, current, "--min-effect", "0.2").Code, Is.EqualTo(0));
    }

    [Test]
    public void AMissingFileExitsOne()
    {
        using var dir = new TempDirectory();
        var result = Run("perf", "compare", dir.File("nope.json"), dir.File("nope2.json"));
        Assert.That(result.Code, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.Contain("not found"));
    }

    [Test]
    public void AFileThatIsNotAResultExitsOne()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.json"), "{\"hello\": 1}");
        var result = Run("perf", "compare", dir.File("bad.json"), dir.File("bad.json"));
        Assert.That(result.Code, Is.EqualTo(1), result.Stderr);
    }

    [TestCase("perf")]
    [TestCase("perf", "frobnicate")]
    [TestCase("perf", "compare", "only-one.json")]
    [TestCase("perf", "compare", "a.json", "b.json", "--alpha", "2")]
    [TestCase("perf", "report", "h.jsonl")]
    public void BadArgumentsExitTwo(params string[] args) => Assert.That(Run(args).Code, Is.EqualTo(2));
}
