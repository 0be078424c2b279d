using System.Xml.Linq;
using Accel.Cli;
using Accel.Conformance.Reports;

namespace Accel.Conformance.Tests;

/// <summary><c>accel conform</c> in-process, on the repository's suite narrowed by --cases, and on temporary suites.</summary>
public sealed class ConformCommandTests
{
    private static (int Code, string Stdout, string Stderr) Accel(params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = AccelCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string CasesDir => TestSuite.Paths.CasesDir;

    [Test]
    public void RunWritesJsonJUnitAndHtmlAndExitsZeroWhenEverythingIsBitExact()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = Accel("conform", "--cases-dir", CasesDir, "--cases", "op/RELU/*:op/PAD/int32/*", "--backend", "all",
            "--json", dir.File("r.json"), "--junit", dir.File("r.xml"), "--html", dir.File("r.html"));
        Assert.That(code, Is.EqualTo(0), stdout + stderr);
        Assert.That(stdout, Does.Contain("result: PASS").And.Contain("device: "));
        Assert.That(stdout, Does.Contain("[").And.Contain("] op/RELU/float32/base  reference PASS"), "plain progress lines when redirected");
        var report = JsonReport.Read(dir.File("r.json"));
        Assert.That(report.Backends, Does.Contain("reference").And.Contain("cpu").And.Contain("vulkan").And.Contain("ilgpu").And.Contain("opencl").And.Contain("hexagon"));
        Assert.That(report.Cells.Where(c => c.Backend is "reference" or "cpu").Select(c => c.Status), Is.All.EqualTo(CellStatus.Pass));
        // A device backend either runs (and then must pass) or is skipped as unavailable on this machine; never fails.
        Assert.That(report.Cells.Where(c => c.Backend is "vulkan" or "ilgpu" or "hexagon" or "opencl").Select(c => c.Status),
            Has.All.Matches<CellStatus>(s => s is CellStatus.Pass or CellStatus.Skipped));
        Assert.That(report.Runs[0].Tool, Does.StartWith("accel "));
        Assert.That(XDocument.Load(dir.File("r.xml")).Descendants("testcase").Count(), Is.EqualTo(report.Cells.Count));
        Assert.That(File.ReadAllText(dir.File("r.html")), Does.Contain("class=\"matrix\""));
    }

    [Test]
    public void ShardsMergeIntoTheWholeRun()
    {
        using var dir = new TempDirectory();
        const string filter = "op/DEPTH_TO_SPACE/*";
        var whole = Accel("conform", "--cases-dir", CasesDir, "--cases", filter, "--backend", "reference", "--json", dir.File("whole.json"), "--quiet");
        Assert.That(whole.Code, Is.EqualTo(0), whole.Stdout + whole.Stderr);
        for (int i = 0; i < 3; i++)
        {
            var shard = Accel("conform", "--cases-dir", CasesDir, "--cases", filter, "--backend", "reference", "--shard", $"{i}/3", "--json", dir.File($"s{i}.json"), "--quiet");
            Assert.That(shard.Code, Is.EqualTo(0), shard.Stdout + shard.Stderr);
        }
        var merge = Accel("conform", "merge", dir.File("s0.json"), dir.File("s1.json"), dir.File("s2.json"),
            "--json", dir.File("merged.json"), "--junit", dir.File("merged.xml"), "--html", dir.File("merged.html"));
        Assert.That(merge.Code, Is.EqualTo(0), merge.Stdout + merge.Stderr);
        Assert.That(merge.Stdout, Does.Contain("merged 3 report(s)").And.Not.Contain("warning"));
        var merged = JsonReport.Read(dir.File("merged.json"));
        var reference = JsonReport.Read(dir.File("whole.json"));
        Assert.That(merged.Runs.Select(r => r.Shard.ToString()), Is.EqualTo(new[] { "0/3", "1/3", "2/3" }));
        Assert.That(merged.Cells.Select(c => c.Case).Order(), Is.EqualTo(reference.Cells.Select(c => c.Case).Order()));

        var partial = Accel("conform", "merge", dir.File("s0.json"), "--json", dir.File("partial.json"));
        Assert.That(partial.Stdout, Does.Contain("warning: incomplete shard set: 3 shards, missing 1/3, 2/3"));
    }

    [Test]
    public void ListShowsBackendsAndCases()
    {
        var (code, stdout, _) = Accel("conform", "--cases-dir", CasesDir, "--list", "--cases", "model/*");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("cpu").And.Contain("hexagon"));
        Assert.That(stdout, Does.Contain("model/pose_landmark_heavy/photo"));
        Assert.That(stdout, Does.Not.Contain("op/CONV_2D"));
    }

    [Test]
    public void GenerateRefusesMovedGoldensAndAcceptsThemWithUpdate()
    {
        using var dir = new TempDirectory();
        var paths = TestSuite.TempSuite(dir, TestSuite.SmallOps);
        // Op-only suite without TFLite: the generator's cross-check is exercised through the library; here the flow.
        Assert.That(TestSuite.Generate(paths).Ok, Is.True);
        GoldenGeneratorTests.TamperFirstOutput(paths.ManifestFile, "op/RELU/float32/base");
        string tampered = File.ReadAllText(paths.ManifestFile);
        var refused = Accel("conform", "--generate", "--cases-dir", paths.CasesDir, "--cases", "op/RELU/*:op/ADD/*");
        Assert.That(refused.Code, Is.EqualTo(1));
        Assert.That(refused.Stdout, Does.Contain("moved: op/RELU/float32/base"));
        Assert.That(refused.Stderr, Does.Contain("--update"));
        Assert.That(File.ReadAllText(paths.ManifestFile), Is.EqualTo(tampered));
        var run = Accel("conform", "--cases-dir", paths.CasesDir, "--backend", "reference", "--quiet");
        Assert.That(run.Code, Is.EqualTo(1), "a mismatch exits non-zero");
        Assert.That(run.Stdout, Does.Contain("MISMATCH reference op/RELU/float32/base").And.Contain("max ULP 1"));
    }

    [TestCase("conform", "--backend", "metal")]
    [TestCase("conform", "--shard", "3/3")]
    [TestCase("conform", "--update")]
    [TestCase("conform", "--threads", "0")]
    [TestCase("conform", "some.tflite")]
    [TestCase("conform", "merge")]
    [TestCase("conform", "merge", "a.json")]
    [TestCase("conform", "--generate", "--backend", "cpu")]
    public void BadCommandLinesAreUsageErrors(params string[] args)
    {
        var (code, _, stderr) = Accel([.. args, "--cases-dir", CasesDir]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.StartWith("accel: error: "));
    }

    [Test]
    public void MergingAMissingReportIsAnErrorNamingIt()
    {
        var (code, _, stderr) = Accel("conform", "merge", "/nonexistent/r.json", "--json", "/tmp/x.json");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("/nonexistent/r.json"));
    }

    [Test]
    public void HelpDocumentsTheOptions()
    {
        var (code, stdout, _) = Accel("help", "conform");
        Assert.That(code, Is.EqualTo(0));
        foreach (string option in new[] { "--backend", "--cases", "--shard", "--junit", "--json", "--html", "--generate", "--update", "merge", "GTEST_TOTAL_SHARDS" })
            Assert.That(stdout, Does.Contain(option));
    }
}
