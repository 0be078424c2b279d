using System.Diagnostics;
using System.Globalization;
using Accel.Delegates;
using Accel.Delegates.Cpu;
using Accel.Perf.Reporting;

namespace Accel.Cli;

/// <summary>
/// <c>accel bench MODEL …</c>: TFLite's benchmark_model for Accel. Init time (load + verify + allocate + delegate
/// compile), first inference, warm-up, then the invoke latency distribution, peak memory, optionally a per-op
/// profile; <c>--json</c> writes every sample and appends the result to the per-machine history.
/// </summary>
public static partial class BenchCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        Measures MODEL like TFLite's benchmark_model: init time (load + verify, then allocate, which
        plans and compiles the delegate partitions), the first inference, the warm-up runs, then
        count / min / median / mean / p90 / p99 / std of the invoke latency, and peak memory (the
        activation arena, the managed heap, the process's peak RSS, managed bytes per invoke).
        Inputs are the seeded random data of 'accel run' (seed 0 unless --random-seed).
        Progress: a bar on stderr on a terminal; one plain line per phase when redirected or --no-color.
        """;

    /// <summary>The --peak-gflops value that measures this machine's FMA peak around the timed runs.</summary>
    internal const string MeasurePeakValue = "measure";

    /// <summary>Automatic warm-up: a few more invokes than .NET's tier-up call count (30), unless time runs out first.</summary>
    public const int AutomaticWarmupRuns = 35;

    private sealed record BenchOptions(string ModelPath, string Backend, InterpreterOptions InterpreterOptions, int? Warmup, double WarmupSeconds, int Runs,
        double MaxSeconds, bool ProfileOps, bool PerNode, bool InPlan, int ProfileRuns, double? PeakGflops, bool MeasurePeak, string? JsonFile, string History,
        bool AppendHistory, string? GithubJson, ulong Seed, double ParallelThresholdMicroseconds);

    public static int Execute(ParsedArgs parsed, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        if (parsed.Positionals.Count != 1)
            throw new UsageException(parsed.Positionals.Count == 0 ? "no MODEL given" : $"expected one MODEL, got {parsed.Positionals.Count} arguments: {string.Join(" ", parsed.Positionals)}", "bench");
        if (parsed.Has("--per-node") && !parsed.Has("--profile-ops")) throw new UsageException("--per-node needs --profile-ops", "bench");
        if (parsed.Has("--in-plan") && !parsed.Has("--profile-ops")) throw new UsageException("--in-plan needs --profile-ops", "bench");
        if (parsed.Has("--in-plan") && parsed.Has("--per-node"))
            throw new UsageException("--in-plan times the real plan, --per-node a plan of one-node partitions: choose one", "bench");
        if (parsed.Has("--no-history") && parsed.Has("--history")) throw new UsageException("--history and --no-history contradict each other", "bench");
        int threads = DelegateCatalog.ParseThreads(parsed.Value("--threads"), "bench");
        string? delegates = parsed.Value("--delegate");
        double parallelThreshold = ParseDouble(parsed.Value("--parallel-threshold-us"), "--parallel-threshold-us",
            CpuDelegate.DefaultParallelThresholdMicroseconds, zeroAllowed: true);
        bool? adaptive = DelegateCatalog.ParseParallelism(parsed.Value("--parallelism"), "bench");
        string? peak = parsed.Value("--peak-gflops");
        var options = new BenchOptions(
            parsed.Positionals[0],
            delegates ?? DelegateCatalog.Default,
            DelegateCatalog.CreateOptions(delegates, threads, "bench", environment, parallelThreshold, adaptive),
            parsed.Value("--warmup") is { } warmup ? ParseInt(warmup, "--warmup", 0, min: 0) : null,
            ParseDouble(parsed.Value("--warmup-secs"), "--warmup-secs", 2),
            ParseInt(parsed.Value("--runs"), "--runs", 50, min: 1),
            ParseDouble(parsed.Value("--max-secs"), "--max-secs", 150),
            parsed.Has("--profile-ops"),
            parsed.Has("--per-node"),
            parsed.Has("--in-plan"),
            ParseInt(parsed.Value("--profile-runs"), "--profile-runs", 10, min: 1),
            peak is not null && peak != MeasurePeakValue ? ParseDouble(peak, "--peak-gflops", 0) : null,
            peak == MeasurePeakValue,
            parsed.Value("--json"),
            parsed.Value("--history") ?? environment.BenchHistoryDirectory,
            !parsed.Has("--no-history") && (parsed.Has("--json") || parsed.Has("--history")),
            parsed.Value("--github-json"),
            ParseSeed(parsed.Value("--random-seed")),
            parallelThreshold);
        return Run(options, stdout, stderr, environment.NoColor);
    }

    private static int ParseInt(string? text, string option, int fallback, int min)
    {
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < min)
            throw new UsageException($"{option} expects an integer >= {min}, got '{text}'", "bench");
        return value;
    }

    private static double ParseDouble(string? text, string option, double fallback, bool zeroAllowed = false)
    {
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value > 0 || (zeroAllowed && value == 0))
            || double.IsInfinity(value))
            throw new UsageException($"{option} expects a {(zeroAllowed ? "number >= 0" : "positive number")}, got '{text}'", "bench");
        return value;
    }

    private static ulong ParseSeed(string? text)
    {
        if (text is null) return 0;
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new UsageException($"--random-seed expects an integer from 0 to {ulong.MaxValue}, got '{text}'", "bench");
        return seed;
    }

    private static int Run(BenchOptions o, TextWriter stdout, TextWriter stderr, bool noColor)
    {
        // The model and interpreter outlive the progress display: the text report reads the plan afterwards.
        Formatting.CheckModelPath(o.ModelPath);
        Model? model = null;
        Interpreter? interpreter = null;
        try
        {
            var record = CliProgress.For(stderr, noColor).Run("bench", progress => Measure(o, progress, out model, out interpreter));
            if (o.JsonFile == JsonSchemas.StandardOutput)
            {
                // The JSON alone on stdout (a pipe into jq stays parseable); what else was written is said on stderr.
                stdout.Write(record.ToJson() + "\n");
                return Report(record, o with { JsonFile = null }, stderr);
            }
            WriteText(record, interpreter!, o, stdout);
            return Report(record, o, stdout);
        }
        finally
        {
            interpreter?.Dispose();
            model?.Dispose();
        }
    }

    /// <summary>Loads, compiles and times the model, reporting each phase; the result before any of it is printed.</summary>
    private static BenchRecord Measure(BenchOptions o, IProgressTask progress, out Model? modelOut, out Interpreter? interpreterOut)
    {
        modelOut = null;
        interpreterOut = null;
        long managedPeak = GC.GetTotalMemory(false);
        void Checkpoint() => managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));

        progress.Report("loading");
        var clock = Stopwatch.StartNew();
        var model = modelOut = Formatting.OpenModel(o.ModelPath);
        double loadMs = clock.Elapsed.TotalMilliseconds;
        Checkpoint();
        progress.Report("allocating and compiling");
        clock.Restart();
        var interpreter = interpreterOut = new Interpreter(model, o.InterpreterOptions);
        interpreter.AllocateTensors();
        double allocateMs = clock.Elapsed.TotalMilliseconds;
        Checkpoint();
        for (int i = 0; i < interpreter.InputCount; i++)
        {
            var t = interpreter.GetInputTensor(i);
            if (!InputGenerator.Supports(t.Type))
                throw new CliException($"input {i} '{t.Name}' is {t.Type.ToDisplayName()}, which bench cannot generate");
            InputGenerator.Fill(t.WritableBytes, t.Type, o.Seed, i);
        }

        progress.Report("first inference");
        long start = Stopwatch.GetTimestamp();
        interpreter.Invoke();
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        long jitMethodsFirst = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTimeFirst = System.Runtime.JitInfo.GetCompilationTime();
        double cpuMsFirst;
        using (var self = Process.GetCurrentProcess()) cpuMsFirst = self.TotalProcessorTime.TotalMilliseconds;
        Checkpoint();

        double warmupTotal = 0, warmupMax = 0;
        int warmupRuns = 0;
        int warmupTarget = o.Warmup ?? AutomaticWarmupRuns;
        var warmupClock = Stopwatch.StartNew();
        while (warmupRuns < warmupTarget && (o.Warmup is not null || warmupClock.Elapsed.TotalSeconds < o.WarmupSeconds))
        {
            progress.Report("warm-up", warmupRuns, warmupTarget);
            start = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            warmupTotal += ms;
            warmupMax = Math.Max(warmupMax, ms);
            warmupRuns++;
        }

        FmaPeakMeasurement? peakBefore = null;
        string? peakNote = null;
        if (o.MeasurePeak)
        {
            progress.Report("measuring the FMA peak");
            (peakBefore, peakNote) = MeasureFmaPeak(o.InterpreterOptions.Threads);
        }

        var samples = new List<double>(o.Runs);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var timed = Stopwatch.StartNew();
        for (int r = 0; r < o.Runs; r++)
        {
            start = Stopwatch.GetTimestamp();
            interpreter.Invoke();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            progress.Report("timed runs", r + 1, o.Runs);
            if (timed.Elapsed.TotalSeconds >= o.MaxSeconds) break;
        }
        double allocatedPerInvoke = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)samples.Count;
        var jit = new JitActivity(jitMethodsFirst, jitTimeFirst.TotalMilliseconds,
            System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsFirst, (System.Runtime.JitInfo.GetCompilationTime() - jitTimeFirst).TotalMilliseconds)
        {
            ProcessCpuMsToFirstOutput = cpuMsFirst,
        };
        Checkpoint();
        FmaPeakMeasurement? peakAfter = null;
        if (peakBefore is not null)
        {
            progress.Report("measuring the FMA peak");
            (peakAfter, _) = MeasureFmaPeak(o.InterpreterOptions.Threads);
        }
        // Before profiling, which builds interpreters of its own: what the timed runs ran on.
        string? parallelismNote = ParallelismNote(o.InterpreterOptions);

        IReadOnlyList<ProfileEntry>? profile = null;
        string? profileNote = null;
        if (o.ProfileOps)
        {
            progress.Report("profiling");
            (profile, profileNote) = Profile(model, interpreter, o, samples, progress);
            Checkpoint();
        }

        var summary = LatencySummary.Of(samples);
        var machine = BenchEnvironment.DescribeMachine();
        var (commit, dirty) = BenchEnvironment.GitCommit();
        var memory = new MemoryInfo(interpreter.ArenaBytes, managedPeak, BenchEnvironment.PeakRssBytes(), allocatedPerInvoke);
        var notes = new List<string>();
        if (samples.Count < o.Runs) notes.Add($"stopped after {samples.Count} of {o.Runs} runs: --max-secs {o.MaxSeconds.ToString(CultureInfo.InvariantCulture)} reached");
        if (machine.LoadAverage1Min is double load && load > machine.LogicalCores * 0.75)
            notes.Add($"machine busy: load average {load.ToString("0.0", CultureInfo.InvariantCulture)} on {machine.LogicalCores} logical cores; prefer min/median");
        if (parallelismNote is not null) notes.Add(parallelismNote);
        if (profileNote is not null) notes.Add(profileNote);
        if (peakNote is not null) notes.Add(peakNote);

        return new BenchRecord
        {
            Model = Path.GetFileNameWithoutExtension(o.ModelPath),
            ModelFile = Path.GetFileName(o.ModelPath),
            ModelSha256 = Formatting.FileSha256(o.ModelPath),
            Runtime = "accel",
            Backend = o.Backend,
            Threads = o.InterpreterOptions.Threads,
            Device = o.InterpreterOptions.Delegates.Select(d => d.Delegate.DeviceDescription).FirstOrDefault(d => d is not null),
            Commit = commit,
            Dirty = dirty,
            Date = DateTimeOffset.UtcNow,
            Machine = machine,
            Tool = AccelCli.VersionText(),
            Init = new InitTiming(loadMs, allocateMs, loadMs + allocateMs),
            FirstInferenceMs = firstMs,
            Warmup = new WarmupInfo(warmupRuns, warmupRuns == 0 ? 0 : warmupTotal / warmupRuns) { MaxMs = warmupRuns == 0 ? null : warmupMax },
            Jit = jit,
            Latency = summary,
            SamplesMs = samples.ToArray(),
            Memory = memory,
            Work = WorkOf(MacEstimator.Estimate(interpreter).TotalMacs, summary, o.PeakGflops, peakBefore, peakAfter),
            Profile = profile,
            Notes = notes.Count == 0 ? null : notes,
        };
    }

    /// <summary>This machine's FMA peak at the bench's thread count, or null and why where it has no FMA instruction.</summary>
    private static (FmaPeakMeasurement?, string?) MeasureFmaPeak(int threads)
    {
        try
        {
            return (FmaPeak.Measure(threads), null);
        }
        catch (PlatformNotSupportedException e)
        {
            return (null, $"--peak-gflops measure: {e.Message}; no peak measured");
        }
    }

    /// <summary>
    /// The invoke's work by the MAC estimate and its rate at the median and fastest invoke, against the given peak or
    /// the larger of the two measured around the timed runs; null when the estimate counts no MACs.
    /// </summary>
    private static WorkInfo? WorkOf(long macs, LatencySummary latency, double? givenPeak, FmaPeakMeasurement? before, FmaPeakMeasurement? after)
    {
        if (macs <= 0 || latency.Median <= 0 || latency.Min <= 0) return null;
        double flops = 2.0 * macs;
        var work = new WorkInfo(flops / 1e6, flops / (latency.Median * 1e6), flops / (latency.Min * 1e6));
        double? peak = givenPeak;
        if (before is { } b)
        {
            double a = after?.PeakGflops ?? b.PeakGflops;
            peak = Math.Max(b.PeakGflops, a);
            work = work with { PeakSource = "measured", PeakBeforeGflops = b.PeakGflops, PeakAfterGflops = after?.PeakGflops, PeakLanes = b.Lanes };
        }
        else if (givenPeak is not null) work = work with { PeakSource = "given" };
        return peak is double p
            ? work with { PeakGflops = p, PercentOfPeakAtMedian = 100 * work.GflopsAtMedian / p, PercentOfPeakAtMin = 100 * work.GflopsAtMin / p }
            : work;
    }

    /// <summary>
    /// What the CPU delegate's adaptive parallelism chose for the timed runs (null with one thread or without it):
    /// per partition, pool or calling thread alone, and the two medians it chose on.
    /// </summary>
    private static string? ParallelismNote(InterpreterOptions options)
    {
        if (options.Threads < 2 || options.Delegates.Select(d => d.Delegate).OfType<CpuDelegate>().FirstOrDefault() is not { } cpu) return null;
        var choices = cpu.ParallelismChoices;
        if (choices.Count == 0) return null;
        var inv = CultureInfo.InvariantCulture;
        string Describe(ParallelismChoice c) => !c.Decided
            ? $"not yet timed (the pool until invoke {CpuDelegate.AdaptiveParallelismDecidedAfterInvokes})"
            : string.Create(inv, $"{(c.OnPool ? "the pool" : "the calling thread alone")} (medians: pool {c.PoolMedian.TotalMilliseconds:0.000} ms, calling thread {c.CallerMedian.TotalMilliseconds:0.000} ms)");
        string which = choices.Count == 1 ? "its partition ran on " + Describe(choices[0])
            : string.Join("; ", choices.Select((c, i) => $"partition {i + 1} on {Describe(c)}"));
        return $"cpu delegate, {options.Threads} threads, adaptive parallelism: {which}; --parallelism pool keeps every partition on the pool";
    }

    /// <summary>Writes the JSON result, the history entry and the github-action-benchmark file that were asked for.</summary>
    private static int Report(BenchRecord record, BenchOptions o, TextWriter stdout)
    {
        if (o.JsonFile is not null)
        {
            WriteFile(o.JsonFile, record.ToJson());
            stdout.WriteLine($"wrote: {Path.GetFullPath(o.JsonFile)}");
        }
        if (o.AppendHistory)
        {
            string file = BenchHistory.Append([record], o.History);
            stdout.WriteLine($"history: appended to {Path.GetFullPath(file)}");
        }
        if (o.GithubJson is not null)
        {
            WriteFile(o.GithubJson, GithubBenchmarkJson.Write([record]));
            stdout.WriteLine($"wrote: {Path.GetFullPath(o.GithubJson)} (github-action-benchmark customSmallerIsBetter)");
        }
        return AccelCli.ExitOk;
    }

    private static void WriteFile(string path, string text)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, text);
    }

    private static void WriteText(BenchRecord r, Interpreter interpreter, BenchOptions o, TextWriter stdout)
    {
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine($"model: {r.ModelFile}  (sha256 {r.ModelSha256![..16]})");
        if (o.InterpreterOptions.Delegates.Count > 0)
        {
            var plan = interpreter.Plan;
            string threshold = o.ParallelThresholdMicroseconds > 0
                ? string.Create(inv, $", nodes under {o.ParallelThresholdMicroseconds:G4} µs (estimated) on the calling thread") : "";
            stdout.WriteLine($"backend: {r.Backend}, threads {r.Threads}{threshold}, vector path {CpuDelegate.VectorPath}: {plan.DelegatedNodeCount} of {plan.Partitions.Sum(p => p.Nodes.Length)} executed nodes delegated in {plan.Partitions.Count(p => p.IsDelegated)} partition(s)");
            if (r.Device is not null) stdout.WriteLine($"device: {r.Device}");
            foreach (var diagnostic in interpreter.Diagnostics) stdout.WriteLine($"diagnostic: {diagnostic}");
        }
        else
            stdout.WriteLine($"backend: reference (scalar reference kernels on the calling thread; --threads has no effect on them)");
        var m = r.Machine!;
        stdout.WriteLine($"machine: {m.Cpu}, {m.LogicalCores} logical cores, {m.VectorIsa}, {m.Os}; fingerprint {m.Fingerprint}"
            + (m.LoadAverage1Min is double load ? $", load average {load.ToString("0.0", inv)}" : ""));
        stdout.WriteLine($"commit: {r.Commit ?? "unknown"}{(r.Dirty == true ? " (uncommitted changes)" : "")}");
        stdout.WriteLine($"init: {Formatting.Milliseconds(r.Init!.TotalMs)} (load + verify {Formatting.Milliseconds(r.Init.LoadMs)}, allocate + delegate compile {Formatting.Milliseconds(r.Init.AllocateMs)})");
        stdout.WriteLine($"first inference: {Formatting.Milliseconds(r.FirstInferenceMs!.Value)} (first output {Formatting.Milliseconds(r.Init.TotalMs + r.FirstInferenceMs.Value)} after the load began)");
        var s = r.Latency;
        stdout.WriteLine(r.Warmup!.Count == 0 ? "warm-up: none" : $"warm-up: {r.Warmup.Count} runs, mean {Formatting.Milliseconds(r.Warmup.MeanMs)}, "
            + $"slowest {Formatting.Milliseconds(r.Warmup.MaxMs ?? 0)} = {((r.Warmup.MaxMs ?? 0) / s.Median).ToString("0.0", inv)}x the timed median");
        if (r.Jit is { } jit)
            stdout.WriteLine($"jit: {jit.MethodsToFirstOutput} methods compiled to the first output ({Formatting.Milliseconds(jit.MsToFirstOutput)} in the JIT, all threads, "
                + $"from process start), {jit.MethodsAfterFirstOutput} after it ({Formatting.Milliseconds(jit.MsAfterFirstOutput)}; tiered recompilation); "
                + $"process CPU time to the first output {Formatting.Milliseconds(jit.ProcessCpuMsToFirstOutput ?? 0)}");
        stdout.WriteLine($"invoke latency ({s.Count} runs):");
        var table = new TextTable(">count", ">min", ">median", ">mean", ">p90", ">p99", ">max", ">std");
        table.Add($"{s.Count}", Formatting.Milliseconds(s.Min), Formatting.Milliseconds(s.Median), Formatting.Milliseconds(s.Mean),
            Formatting.Milliseconds(s.P90), Formatting.Milliseconds(s.P99), Formatting.Milliseconds(s.Max), Formatting.Milliseconds(s.Std));
        table.Write(stdout);
        if (s.MedianCiLower is double low && s.MedianCiUpper is double high)
            stdout.WriteLine($"  median 95% confidence interval [{Formatting.Milliseconds(low)}, {Formatting.Milliseconds(high)}] (Harrell-Davis, Perfolizer); "
                + $"{s.UpperOutliers ?? 0} sample(s) above Tukey's fence Q3 + 1.5 IQR, kept in every figure");
        var mem = r.Memory!;
        stdout.WriteLine($"memory: arena {Formatting.Bytes(mem.ArenaBytes)}; managed heap peak {Formatting.Bytes(mem.ManagedHeapBytes)}; "
            + $"peak RSS {Formatting.Bytes(mem.PeakRssBytes)}; managed bytes allocated per invoke {mem.AllocatedPerInvokeBytes.ToString("0", inv)} B (whole process: includes background JIT)");
        if (r.Work is { } work) WriteWork(work, r.Threads, stdout);
        if (r.Profile is { } profile) WriteProfile(profile, o with { PeakGflops = r.Work?.PeakGflops ?? o.PeakGflops }, s.Median, stdout);
        foreach (var note in r.Notes ?? []) stdout.WriteLine($"note: {note}");
    }

    private static void WriteWork(WorkInfo w, int threads, TextWriter stdout)
    {
        var inv = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(inv, $"work: {w.MflopPerInvoke:#,0.0} MFLOP per invoke (the op definitions' multiply-accumulates × 2; element-wise ops not counted): ")
            + string.Create(inv, $"{w.GflopsAtMedian:0.0} GFLOP/s at the median, {w.GflopsAtMin:0.0} at the fastest invoke"));
        if (w.PeakGflops is not double peak) return;
        string source = w.PeakSource == "measured"
            ? string.Create(inv, $"this machine's FMA peak at {threads} thread{(threads == 1 ? "" : "s")} ({w.PeakLanes} float lanes), measured here just before ({w.PeakBeforeGflops:0.0}) and after ({w.PeakAfterGflops:0.0}) the timed runs")
            : "given by --peak-gflops";
        stdout.WriteLine(string.Create(inv, $"peak: {peak:0.0} GFLOP/s, {source}: the median is {w.PercentOfPeakAtMedian:0.0} % of it, the fastest invoke {w.PercentOfPeakAtMin:0.0} %"));
    }

    private static void WriteProfile(IReadOnlyList<ProfileEntry> profile, BenchOptions o, double invokeMedian, TextWriter stdout)
    {
        var inv = CultureInfo.InvariantCulture;
        double total = profile.Sum(p => p.Milliseconds);
        bool partitions = profile.Any(p => p.WholePartition);
        stdout.WriteLine($"per-op profile ({o.ProfileRuns} profiled invokes, median per step; steps sum to {Formatting.Milliseconds(total)} vs invoke median {Formatting.Milliseconds(invokeMedian)}):");
        if (partitions)
            stdout.WriteLine("  rows marked 'partition' are whole delegate partitions (one timed step covering all their nodes); --per-node or --in-plan splits them");
        var headers = new List<string> { ">#", "op", "executor", "node(s)", ">time", ">%", ">cum %", ">MACs", ">GFLOP/s" };
        if (o.PeakGflops is not null) headers.Add(">% of peak");
        var table = new TextTable(headers.ToArray());
        int rank = 0;
        foreach (var p in profile.Take(MaxProfileRows))
        {
            var cells = new List<string>
            {
                $"{++rank}", p.Operator, p.Executor, NodeList(p.Nodes), Formatting.Milliseconds(p.Milliseconds),
                p.Percent.ToString("0.0", inv), p.CumulativePercent.ToString("0.0", inv),
                p.Macs == 0 ? "-" : Formatting.Short(p.Macs), p.Macs == 0 ? "-" : p.GflopsPerSecond.ToString("0.00", inv),
            };
            if (o.PeakGflops is double peak) cells.Add(p.Macs == 0 ? "-" : (100 * p.GflopsPerSecond / peak).ToString("0.0", inv) + "%");
            table.Add(cells.ToArray());
        }
        table.Write(stdout);
        if (profile.Count > MaxProfileRows)
            stdout.WriteLine($"  ... {profile.Count - MaxProfileRows} cheaper steps ({(100 - profile[MaxProfileRows - 1].CumulativePercent).ToString("0.0", inv)}% of the time) not shown; --json has them all");
    }

    /// <summary>Rows of the per-op table printed; the JSON keeps every step.</summary>
    private const int MaxProfileRows = 30;

    private static string NodeList(int[] nodes) =>
        nodes.Length == 1 ? $"{nodes[0]}" : nodes.Length <= 4 ? string.Join(",", nodes) : $"{nodes.Min()}..{nodes.Max()} ({nodes.Length})";

    /// <summary>Profiles the plan's steps (or, with --per-node, a plan with one partition per delegated node).</summary>
    private static (IReadOnlyList<ProfileEntry>, string?) Profile(Model model, Interpreter interpreter, BenchOptions o, List<double> samples, IProgressTask progress)
    {
        var work = MacEstimator.Estimate(interpreter).Nodes.ToDictionary(n => n.Node);
        Interpreter? perNode = null;
        string? note = null;
        try
        {
            var profiled = interpreter;
            if (o.PerNode && o.InterpreterOptions.Delegates.Count > 0)
            {
                var options = new InterpreterOptions { Threads = o.InterpreterOptions.Threads };
                for (int n = 0; n < interpreter.NodeCount; n++)
                {
                    if (interpreter.Graph[n].IsFolded) continue;
                    foreach (var selection in o.InterpreterOptions.Delegates)
                        options.Delegates.Add(new DelegateSelection(new SingleNodeDelegate(selection.Delegate, n)));
                }
                perNode = new Interpreter(model, options);
                perNode.AllocateTensors();
                for (int i = 0; i < perNode.InputCount; i++)
                    interpreter.GetInputTensor(i).Bytes.CopyTo(perNode.GetInputTensor(i).WritableBytes);
                perNode.Invoke(); // warm
                profiled = perNode;
                note = "per-op profile from a per-node plan: every delegated node compiled as its own partition";
            }
            List<double>[]? times = null;
            IReadOnlyList<StepTiming>? steps = null;
            for (int r = 0; r < o.ProfileRuns; r++)
            {
                progress.Report("profiling", r + 1, o.ProfileRuns);
                steps = profiled.InvokeProfiled(insidePartitions: o.InPlan);
                times ??= steps.Select(_ => new List<double>()).ToArray();
                for (int i = 0; i < steps.Count; i++) times[i].Add(steps[i].Milliseconds);
            }
            var rows = steps!.Select((step, i) =>
            {
                double ms = Perf.Reporting.Statistics.Median(times![i]);
                long macs = step.Nodes.Sum(n => work.TryGetValue(n, out var w) ? w.Macs : 0);
                string op = step.Nodes.Length == 1
                    ? interpreter.Graph[step.Nodes[0]].Code.Name
                    : step.InsidePartition
                    ? $"fused ({string.Join(" + ", step.Nodes.Select(n => interpreter.Graph[n].Code.Name))})"
                    : $"partition ({string.Join(", ", step.Nodes.GroupBy(n => interpreter.Graph[n].Code.Name).OrderByDescending(g => g.Count()).Take(3).Select(g => $"{g.Key} x{g.Count()}"))}{(step.Nodes.Select(n => interpreter.Graph[n].Code.Name).Distinct().Count() > 3 ? ", ..." : "")})";
                return (Op: op, step.Executor, step.Nodes, Ms: ms, Macs: macs, WholePartition: step.Nodes.Length > 1 && !step.InsidePartition);
            }).OrderByDescending(r => r.Ms).ToList();
            double total = rows.Sum(r => r.Ms);
            double cumulative = 0;
            var entries = new List<ProfileEntry>();
            foreach (var row in rows)
            {
                cumulative += row.Ms;
                double gflops = row.Macs > 0 && row.Ms > 0 ? 2.0 * row.Macs / (row.Ms * 1e6) : 0;
                entries.Add(new ProfileEntry(row.Op, row.Executor, row.Nodes, row.Ms, total > 0 ? 100 * row.Ms / total : 0,
                    total > 0 ? 100 * cumulative / total : 0, row.Macs, gflops, row.WholePartition));
            }
            if (o.InPlan)
                note = steps!.Any(s => s.InsidePartition)
                    ? "per-op profile inside the plan: each delegate partition that times its own work (cpu) gives a row per unit, nodes fused into one pass sharing it"
                    : "per-op profile: no delegate partition here times its own work (--in-plan needs the cpu delegate), so partitions are single steps";
            if (steps!.Any(s => s.Nodes.Length > 1 && !s.InsidePartition))
                note ??= "per-op profile: delegate partitions are single steps (one row per partition); --per-node or --in-plan gives one row per op";
            return (entries, note);
        }
        finally
        {
            perNode?.Dispose();
        }
    }

    /// <summary>
    /// Profiling aid: claims exactly one node for an inner delegate, so a list of these (one per node) makes the
    /// partitioner give every node its own partition, compiled by the real delegate. Disposes nothing: the inner
    /// delegate belongs to the measured interpreter.
    /// </summary>
    private sealed class SingleNodeDelegate(IAccelDelegate inner, int node) : IAccelDelegate
    {
        public string Name => inner.Name;
        public DelegateCapabilities Capabilities => inner.Capabilities;
        public string? UnavailableReason => inner.UnavailableReason;

        public NodeSupport Supports(DelegateNode candidate) =>
            candidate.Index == node ? inner.Supports(candidate) : NodeSupport.Refuse("per-node profiling: another node's partition");

        public IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => inner.LaterReads(partition);
        public IPartitionKernel Compile(DelegatePartition partition) => inner.Compile(partition);
        public double EstimateSeconds(DelegateNode candidate) => inner.EstimateSeconds(candidate);
        public double EstimateTransferSeconds(long bytes) => inner.EstimateTransferSeconds(bytes);
        public void Dispose() { }
    }
}
