using System.Text.Json;
using Accel.Perf.Reporting;

namespace Accel.Cli.Tests;

/// <summary>`accel bench` on the small in-memory model: what it reports and writes. No test asserts a speed.</summary>
public sealed class BenchCommandTests
{
    private static string WriteModel(TempDirectory dir)
    {
        string path = dir.File("small.tflite");
        File.WriteAllBytes(path, SmallModel.Build());
        return path;
    }

    [Test]
    public void BenchReportsInitFirstInferenceWarmupLatencyAndMemory()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "7", "--warmup", "2");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("init:").And.Contain("load + verify").And.Contain("allocate + delegate compile"));
        Assert.That(result.Stdout, Does.Contain("first inference:"));
        Assert.That(result.Stdout, Does.Contain("warm-up: 2 runs, mean"));
        Assert.That(result.Stdout, Does.Contain("invoke latency (7 runs):"));
        Assert.That(result.Stdout, Does.Match(@"count\s+min\s+median\s+mean\s+p90\s+p99\s+max\s+std"));
        Assert.That(result.Stdout, Does.Contain("memory: arena").And.Contain("managed heap peak").And.Contain("peak RSS"));
        // stderr is not the console here: progress comes as plain lines, one per phase, with no redrawing.
        Assert.That(result.StderrLines, Does.Contain("bench: loading").And.Contain("bench: first inference").And.Contain("bench: timed runs 7/7"));
        Assert.That(result.Stderr.IndexOfAny(['\r', '\u001b']), Is.EqualTo(-1), "no carriage returns or escape sequences");
    }

    [Test]
    public void JsonHoldsEverySampleAndIsAppendedToTheHistory()
    {
        using var dir = new TempDirectory();
        string model = WriteModel(dir);
        string json = dir.File("out/result.json");
        string history = dir.File("history");
        var result = CliHarness.Run("bench", model, "--runs", "6", "--delegate", "cpu", "--threads", "2", "--json", json, "--history", history);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);

        var record = BenchJson.ReadFile(json).Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.Schema, Is.EqualTo("accel-bench/1"));
            Assert.That(record.Model, Is.EqualTo("small"));
            Assert.That(record.Backend, Is.EqualTo("cpu"));
            Assert.That(record.Threads, Is.EqualTo(2));
            Assert.That(record.SamplesMs, Has.Length.EqualTo(6));
            Assert.That(record.Latency.Count, Is.EqualTo(6));
            Assert.That(record.Latency.Min, Is.EqualTo(record.SamplesMs.Min()));
            Assert.That(record.Init!.TotalMs, Is.EqualTo(record.Init.LoadMs + record.Init.AllocateMs).Within(1e-9));
            Assert.That(record.Memory!.ArenaBytes, Is.GreaterThan(0));
            Assert.That(record.Machine!.Fingerprint, Does.Match("^[0-9a-f]{12}$"));
            Assert.That(record.ModelSha256, Has.Length.EqualTo(64));
        });
        var historyFile = Path.Combine(history, record.Machine!.Fingerprint + ".jsonl");
        Assert.That(File.ReadAllLines(historyFile), Has.Length.EqualTo(1));
        Assert.That(result.Stdout, Does.Contain("history: appended to"));
    }

    [Test]
    public void NoHistoryWritesOnlyTheJson()
    {
        using var dir = new TempDirectory();
        string history = dir.File("history");
        Environment.SetEnvironmentVariable("ACCEL_BENCH_HISTORY", history);
        try
        {
            var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--json", dir.File("r.json"), "--no-history");
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(Directory.Exists(history), Is.False);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ACCEL_BENCH_HISTORY", null);
        }
    }

    [Test]
    public void ProfileOpsOnTheReferenceListsEveryExecutedNodeSortedByCost()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--delegate", "reference", "--runs", "3", "--profile-ops", "--profile-runs", "3", "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Match(@"#\s+op\s+executor\s+node\(s\)\s+time\s+%\s+cum %\s+MACs\s+GFLOP/s"));
        var profile = BenchJson.ReadFile(dir.File("r.json")).Single().Profile!;
        // DEQUANTIZE is folded at allocate time: CONV_2D, DEPTHWISE_CONV_2D and two FULLY_CONNECTED run.
        Assert.That(profile.Select(p => p.Operator).Order(), Is.EqualTo(new[] { "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "FULLY_CONNECTED" }));
        Assert.That(profile.Select(p => p.Milliseconds), Is.Ordered.Descending);
        Assert.That(profile[^1].CumulativePercent, Is.EqualTo(100).Within(1e-6));
        Assert.That(profile.Single(p => p.Operator == "CONV_2D").Macs, Is.EqualTo(SmallModel.ConvMacs));
        Assert.That(profile.Sum(p => p.Macs), Is.EqualTo(SmallModel.TotalMacs));
    }

    [Test]
    public void ADeviceDelegateRecordsTheDeviceItRanOn()
    {
        using var dir = new TempDirectory();
        string? saved = Environment.GetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR");
        Environment.SetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR", "cpu");
        try
        {
            var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--delegate", "ilgpu", "--json", dir.File("r.json"), "--no-history");
            Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
            Assert.That(result.Stdout, Does.Contain("device: ILGPU Cpu: "));
            Assert.That(BenchJson.ReadFile(dir.File("r.json")).Single().Device, Does.StartWith("ILGPU Cpu: "));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ACCEL_ILGPU_ACCELERATOR", saved);
        }
        var host = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--delegate", "cpu", "--json", dir.File("cpu.json"), "--no-history");
        Assert.That(host.ExitCode, Is.EqualTo(0), host.Stderr);
        Assert.That(BenchJson.ReadFile(dir.File("cpu.json")).Single().Device, Is.Null, "the host CPU needs no device line");
    }

    [Test]
    public void ProfileOpsWithADelegateReportsPartitionsAndSaysSo()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--delegate", "cpu", "--profile-ops", "--profile-runs", "2", "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("whole delegate partitions"));
        var profile = BenchJson.ReadFile(dir.File("r.json")).Single().Profile!;
        var partition = profile.Single(p => p.Nodes.Length > 1);
        Assert.That(partition.Executor, Is.EqualTo("cpu"));
        Assert.That(partition.Operator, Does.StartWith("partition ("));
        Assert.That(partition.WholePartition, Is.True);
        Assert.That(profile.Where(p => p != partition).Select(p => p.WholePartition), Has.None.True);
    }

    [Test]
    public void PerNodeProfileGivesEveryDelegatedOpItsOwnRow()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--delegate", "cpu", "--profile-ops", "--per-node", "--profile-runs", "2",
            "--peak-gflops", "100", "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("% of peak"));
        var profile = BenchJson.ReadFile(dir.File("r.json")).Single().Profile!;
        Assert.That(profile, Has.Count.EqualTo(4));
        Assert.That(profile.All(p => p.Nodes.Length == 1 && p.Executor == "cpu"));
        Assert.That(profile.Sum(p => p.Macs), Is.EqualTo(SmallModel.TotalMacs));
    }

    [Test]
    public void InPlanProfileTimesTheCpuPartitionsNodesInTheRealPlan()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "2", "--delegate", "cpu", "--profile-ops", "--in-plan", "--profile-runs", "2",
            "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var record = BenchJson.ReadFile(dir.File("r.json")).Single();
        var profile = record.Profile!;
        Assert.That(profile.All(p => p.Executor == "cpu" && !p.Operator.StartsWith("partition", StringComparison.Ordinal) && !p.WholePartition),
            string.Join("; ", profile.Select(p => p.Operator)));
        Assert.That(profile.SelectMany(p => p.Nodes).Distinct().Count(), Is.EqualTo(profile.Sum(p => p.Nodes.Length)), "each node in one row");
        Assert.That(profile.Sum(p => p.Macs), Is.EqualTo(SmallModel.TotalMacs));
        Assert.That(record.Notes, Has.Some.Contains("inside the plan"));
    }

    [Test]
    public void MaxSecsStopsTheTimedRunsButKeepsAtLeastOne()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "100000", "--max-secs", "0.000001", "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var record = BenchJson.ReadFile(dir.File("r.json")).Single();
        Assert.That(record.SamplesMs, Has.Length.EqualTo(1));
        Assert.That(record.Notes, Has.Some.Contains("--max-secs"));
    }

    [Test]
    public void GithubJsonIsCustomSmallerIsBetter()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "3", "--github-json", dir.File("gab.json"));
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("gab.json")));
        var entry = doc.RootElement.EnumerateArray().Single();
        Assert.That(entry.GetProperty("name").GetString(), Is.EqualTo("small [accel cpu, 1 thread]"), "without --delegate, bench runs the CPU delegate");
        Assert.That(entry.GetProperty("unit").GetString(), Is.EqualTo("ms"));
        Assert.That(entry.GetProperty("value").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void AParallelThresholdKeepsSmallNodesOnTheCallingThreadAndSaysSo()
    {
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "3", "--threads", "2", "--parallel-threshold-us", "40");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Contain("backend: cpu, threads 2, nodes under 40 µs (estimated) on the calling thread"));
        var plain = CliHarness.Run("bench", WriteModel(dir), "--runs", "3", "--threads", "2");
        Assert.That(plain.Stdout, Does.Contain("backend: cpu, threads 2, vector path"), "no threshold: every node on the pool, as before");
    }

    [Test]
    public void AtTwoThreads_BenchNotesWhetherThePartitionKeptThePoolOrTheCallingThread()
    {
        using var dir = new TempDirectory();
        string runs = (Accel.Delegates.Cpu.CpuDelegate.AdaptiveParallelismDecidedAfterInvokes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", runs, "--warmup", "0", "--threads", "2");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        Assert.That(result.Stdout, Does.Match(@"note: cpu delegate, 2 threads, adaptive parallelism: its partition ran on (the pool|the calling thread alone) \(medians: pool \d+\.\d{3} ms, calling thread \d+\.\d{3} ms\)"));
        var pool = CliHarness.Run("bench", WriteModel(dir), "--runs", runs, "--warmup", "0", "--threads", "2", "--parallelism", "pool");
        Assert.That(pool.ExitCode, Is.EqualTo(0), pool.Stderr);
        Assert.That(pool.Stdout, Does.Not.Contain("adaptive parallelism"), "--parallelism pool: nothing timed, nothing to note");
        var one = CliHarness.Run("bench", WriteModel(dir), "--runs", runs, "--warmup", "0");
        Assert.That(one.Stdout, Does.Not.Contain("adaptive parallelism"), "one thread: nothing to choose");
    }

    [Test]
    public void TheInvokesWorkAndRateComeFromTheMacEstimateAndAGivenPeakReadsThemAsAPercentage()
    {
        using var dir = new TempDirectory();
        string model = WriteModel(dir);
        var plain = CliHarness.Run("bench", model, "--runs", "5", "--warmup", "1", "--json", dir.File("plain.json"), "--no-history");
        Assert.That(plain.ExitCode, Is.EqualTo(0), plain.Stderr);
        var record = BenchJson.ReadFile(dir.File("plain.json")).Single();
        var work = record.Work!;
        Assert.Multiple(() =>
        {
            Assert.That(work.MflopPerInvoke, Is.EqualTo(2.0 * SmallModel.TotalMacs / 1e6).Within(1e-9));
            Assert.That(work.GflopsAtMedian, Is.EqualTo(2.0 * SmallModel.TotalMacs / (record.Latency.Median * 1e6)).Within(1e-9));
            Assert.That(work.GflopsAtMin, Is.EqualTo(2.0 * SmallModel.TotalMacs / (record.Latency.Min * 1e6)).Within(1e-9));
            Assert.That(work.PeakGflops, Is.Null, "no peak asked for");
            Assert.That(work.PercentOfPeakAtMedian, Is.Null);
        });
        Assert.That(plain.Stdout, Does.Contain("work: ").And.Contain(" MFLOP per invoke").And.Not.Contain("peak: "));

        var given = CliHarness.Run("bench", model, "--runs", "5", "--warmup", "1", "--peak-gflops", "50", "--json", dir.File("given.json"), "--no-history");
        Assert.That(given.ExitCode, Is.EqualTo(0), given.Stderr);
        var g = BenchJson.ReadFile(dir.File("given.json")).Single().Work!;
        Assert.Multiple(() =>
        {
            Assert.That(g.PeakGflops, Is.EqualTo(50));
            Assert.That(g.PeakSource, Is.EqualTo("given"));
            Assert.That(g.PeakBeforeGflops, Is.Null);
            Assert.That(g.PercentOfPeakAtMedian, Is.EqualTo(100 * g.GflopsAtMedian / 50).Within(1e-9));
            Assert.That(g.PercentOfPeakAtMin, Is.EqualTo(100 * g.GflopsAtMin / 50).Within(1e-9));
        });
        Assert.That(given.Stdout, Does.Contain("peak: 50.0 GFLOP/s, given by --peak-gflops: the median is "));
    }

    [Test]
    public void PeakMeasureTimesThisMachinesFmaPeakBeforeAndAfterTheRunsAndTakesTheLarger()
    {
        Assume.That(Accel.Delegates.Cpu.FmaPeak.Lanes, Is.Not.Zero, "no FMA instruction on this machine");
        using var dir = new TempDirectory();
        var result = CliHarness.Run("bench", WriteModel(dir), "--runs", "5", "--warmup", "1", "--delegate", "cpu", "--threads", "2",
            "--peak-gflops", "measure", "--profile-ops", "--profile-runs", "2", "--json", dir.File("r.json"), "--no-history");
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Stderr);
        var w = BenchJson.ReadFile(dir.File("r.json")).Single().Work!;
        Assert.Multiple(() =>
        {
            Assert.That(w.PeakSource, Is.EqualTo("measured"));
            Assert.That(w.PeakLanes, Is.EqualTo(Accel.Delegates.Cpu.FmaPeak.Lanes));
            Assert.That(w.PeakBeforeGflops, Is.GreaterThan(0));
            Assert.That(w.PeakAfterGflops, Is.GreaterThan(0));
            Assert.That(w.PeakGflops, Is.EqualTo(Math.Max(w.PeakBeforeGflops!.Value, w.PeakAfterGflops!.Value)));
            Assert.That(w.PercentOfPeakAtMedian, Is.EqualTo(100 * w.GflopsAtMedian / w.PeakGflops!.Value).Within(1e-9));
        });
        Assert.That(result.Stdout, Does.Contain("this machine's FMA peak at 2 threads").And.Contain("% of peak"), "the profile reads against the measured peak too");
        Assert.That(result.StderrLines, Does.Contain("bench: measuring the FMA peak"));
    }

    [TestCase("bench")]
    [TestCase("bench", "m.tflite", "--parallelism", "sometimes")]
    [TestCase("bench", "m.tflite", "--peak-gflops", "fast")]
    [TestCase("bench", "m.tflite", "--peak-gflops", "0")]
    [TestCase("bench", "m.tflite", "--parallelism", "pool", "--delegate", "reference")]
    [TestCase("bench", "m.tflite", "--parallel-threshold-us", "-1")]
    [TestCase("bench", "m.tflite", "--parallel-threshold-us", "soon")]
    [TestCase("bench", "m.tflite", "--parallel-threshold-us", "40", "--delegate", "reference")]
    [TestCase("bench", "m.tflite", "--runs", "0")]
    [TestCase("bench", "m.tflite", "--warmup", "-1")]
    [TestCase("bench", "m.tflite", "--max-secs", "0")]
    [TestCase("bench", "m.tflite", "--per-node")]
    [TestCase("bench", "m.tflite", "--in-plan")]
    [TestCase("bench", "m.tflite", "--profile-ops", "--in-plan", "--per-node")]
    [TestCase("bench", "m.tflite", "--history", "h", "--no-history")]
    public void BadArgumentsAreUsageErrors(params string[] args)
    {
        var result = CliHarness.Run(args);
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
    }

    [Test]
    public void BenchHelpDescribesTheOptions()
    {
        var result = CliHarness.Run("help", "bench");
        Assert.That(result.ExitCode, Is.EqualTo(0));
        Assert.That(result.Stdout, Does.Contain("--profile-ops").And.Contain("--json <FILE>").And.Contain("--max-secs <S>"));
    }
}
