using System.Text.Json.Nodes;
using Accel.Perf.Reporting;

namespace Accel.Cli.Tests;

/// <summary>`accel bench`'s cold-start figures (issue 20): first output, slowest warm-up invoke, JIT work. No speed is asserted.</summary>
public sealed class BenchColdStartTests
{
    [Test]
    public void BenchReportsFirstOutputSlowestWarmupInvokeAgainstTheMedianAndJitWork()
    {
        using var dir = new TempDirectory();
        string model = dir.File("small.tflite");
        File.WriteAllBytes(model, SmallModel.Build());
        string json = dir.File("result.json");
        var result = CliHarness.Run("bench", model, "--runs", "5", "--warmup", "3", "--delegate", "cpu", "--json", json, "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);

        Assert.That(result.Stdout, Does.Match(@"first inference: .* \(first output .* after the load began\)"));
        Assert.That(result.Stdout, Does.Match(@"warm-up: 3 runs, mean .*, slowest .* = \d+\.\dx the timed median"));
        Assert.That(result.Stdout, Does.Match(@"jit: \d+ methods compiled to the first output \(.* in the JIT, all threads, from process start\), \d+ after it .*process CPU time to the first output"));
        var record = BenchJson.ReadFile(json).Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.Warmup!.MaxMs, Is.GreaterThanOrEqualTo(record.Warmup.MeanMs));
            Assert.That(record.Jit!.MethodsToFirstOutput, Is.GreaterThan(0), "this process compiled at least the CLI's own methods");
            Assert.That(record.Jit.MethodsAfterFirstOutput, Is.GreaterThanOrEqualTo(0));
            Assert.That(record.Jit.MsToFirstOutput, Is.GreaterThanOrEqualTo(0));
            Assert.That(record.Jit.ProcessCpuMsToFirstOutput, Is.GreaterThan(0));
        });
    }

    [Test]
    public void TheAccelToolRunsWithDotnetsDefaultTiering()
    {
        // The per-invoke kernels are compiled optimized at their first call whatever the app's settings (JitHints.Hot),
        // so the tool leaves quick JIT for loops on: its bench then shows an application's first invokes, and its own
        // loops start sooner (perf/RESULTS.md, stop 58). The runtimeconfig travels beside this test assembly.
        string path = Path.Combine(AppContext.BaseDirectory, "accel.runtimeconfig.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!;
        var quickJitForLoops = config["runtimeOptions"]?["configProperties"]?["System.Runtime.TieredCompilation.QuickJitForLoops"];
        Assert.That(quickJitForLoops?.GetValue<bool>() ?? true, Is.True, "the tool would time what no application with .NET's defaults sees");
    }

    [Test]
    public void WithoutWarmupTheBenchSaysNoneAndRecordsNoSlowestInvoke()
    {
        using var dir = new TempDirectory();
        string model = dir.File("small.tflite");
        File.WriteAllBytes(model, SmallModel.Build());
        string json = dir.File("result.json");
        var result = CliHarness.Run("bench", model, "--runs", "2", "--warmup", "0", "--json", json, "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("warm-up: none"));
        Assert.That(BenchJson.ReadFile(json).Single().Warmup!.MaxMs, Is.Null);
    }
}
