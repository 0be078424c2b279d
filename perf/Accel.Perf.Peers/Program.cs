using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Accel.Perf.Reporting;

namespace Accel.Perf.Peers;

/// <summary>
/// Accel against its peers on the same machine, same inputs, in one run, interleaved round by round
/// (A B C, B C A, C A B, …) so machine drift and background load hit every contender alike. Reports ratios of
/// medians and minima, and the median of the per-round ratios; writes accel-bench/1 records (one per contender,
/// sharing a session id) to --json and the per-machine history, where <c>accel perf report</c> shows the ratios.
/// </summary>
public static class Program
{
    public static int Main(string[] args) =>
        // A cold-start child is this program started afresh by `cold`: it skips the command line, whose own start-up
        // would be measured with it.
        args is [ColdStart.ChildCommand, ..] ? ColdStart.RunChild(args[1..], Console.Out) : PeersCommandLine.Invoke(args, Run, Console.Out, Console.Error);

    private static int Run(Options o)
    {
        try
        {
            var records = new List<BenchRecord>();
            string session = $"peers-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
            if (o.Command is "cold") return RunCold(o);
            if (o.ThreadCpu && o.Command is not ("ort" or "converted" or "qdq"))
                throw new ArgumentException("--clock thread times in-process runs only (ort, converted, qdq); LiteRT.js runs in Node, cold has its own clocks");
            if (o.Command is "ort" or "all") records.AddRange(RunOrt(o, session));
            if (o.Command is "converted") records.AddRange(RunConverted(o, session));
            if (o.Command is "qdq") records.AddRange(QdqPeers.Run(o, session, Cache, RunSession));
            if (o.Command is "litert" or "all") records.AddRange(RunLiteRt(o, session));
            if (o.Json is not null)
            {
                File.WriteAllText(o.Json, JsonSerializer.Serialize(records, BenchJson.Indented));
                Console.WriteLine($"wrote: {Path.GetFullPath(o.Json)}");
            }
            if (!o.NoHistory && records.Count > 0)
                Console.WriteLine($"history: appended to {Path.GetFullPath(BenchHistory.Append(records, o.History ?? HistoryDirectory))}");
            return 0;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidOperationException or IOException or ArgumentException)
        {
            Console.Error.WriteLine($"peers: error: {e.Message}");
            return 1;
        }
    }

    private static int RunCold(Options o)
    {
        var contenders = new List<(string Model, string Runtime, string File)>();
        foreach (string model in o.Models)
        {
            bool file = model.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase);
            if (file && !File.Exists(model)) throw new FileNotFoundException($"{model} is missing", model);
            contenders.Add((file ? Path.GetFileNameWithoutExtension(model) : model, "accel", file ? model : CorpusPath(model)));
            // The one network with an ONNX peer (scripts/fetch-onnx-models.sh); other models run Accel alone.
            string onnx = PeerOnnxPath;
            if (model == "face_detection_short_range")
            {
                if (!File.Exists(onnx)) throw new FileNotFoundException($"{onnx} is missing: run scripts/fetch-onnx-models.sh", onnx);
                contenders.Add((model, "onnxruntime", onnx));
            }
        }
        var samples = ColdStart.Run(contenders, o.Rounds ?? 10, o.Later, Console.Out, o.DefaultTiering);
        if (o.Json is not null)
        {
            File.WriteAllText(o.Json, JsonSerializer.Serialize(samples, ColdSampleJson.Default.ListColdSample));
            Console.WriteLine($"wrote: {Path.GetFullPath(o.Json)}");
        }
        return 0;
    }

    private static IEnumerable<BenchRecord> RunOrt(Options o, string session)
    {
        string tflite = CorpusPath("face_detection_short_range");
        string onnx = PeerOnnxPath;
        if (!File.Exists(onnx))
            throw new FileNotFoundException($"{onnx} is missing: run scripts/fetch-onnx-models.sh", onnx);
        Console.WriteLine($"== ONNX Runtime {OrtContender.Version} vs Accel: face_detection_short_range, 1 thread ==");
        var contenders = new List<IContender>();
        try
        {
            var accelCpu = new AccelContender(tflite, "cpu", 1, o.ThreadCpu);
            contenders.Add(accelCpu);
            contenders.Add(new AccelContender(tflite, "reference", 1, o.ThreadCpu));
            var ort = new OrtContender(onnx, 1, threadCpu: o.ThreadCpu);
            contenders.Add(ort);
            Console.WriteLine($"  ONNX inputs {string.Join(" ", ort.InputShapes.Select(s => "[" + string.Join(",", s) + "]"))}, outputs {string.Join(" ", ort.OutputNames.Zip(ort.OutputShapes, (n, s) => $"{n}[{string.Join(",", s)}]"))}");
            CheckSameNetwork(accelCpu, ort);
            return RunSession(contenders, o, session, "face_detection_short_range", o.Rounds ?? 60);
        }
        finally
        {
            foreach (var c in contenders) c.Dispose();
        }
    }

    /// <summary>
    /// Prints how far ONNX Runtime's outputs are from Accel's for the same input. The Barracuda conversion splits
    /// each head by anchor group (512 + 384 anchors); outputs with the same last dimension are concatenated in order.
    /// </summary>
    private static void CheckSameNetwork(AccelContender accel, OrtContender ort)
    {
        foreach (var group in ort.OutputShapes.Select((shape, i) => (Last: shape[^1], Index: i)).GroupBy(x => x.Last))
        {
            var theirs = group.SelectMany(x => ort.Output(x.Index)).ToArray();
            string names = string.Join("+", group.Select(x => ort.OutputNames[x.Index]));
            for (int j = 0; j < 8; j++)
            {
                float[] ours;
                try { ours = accel.Output(j); }
                catch (Exception e) when (e is ArgumentOutOfRangeException or AccelException) { break; }
                if (ours.Length != theirs.Length) continue;
                double maxDiff = 0, maxAbs = 0;
                for (int k = 0; k < ours.Length; k++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(ours[k] - theirs[k]));
                    maxAbs = Math.Max(maxAbs, Math.Abs(ours[k]));
                }
                Console.WriteLine($"  same network check: ONNX {names} vs Accel output {j}: max |diff| {maxDiff:g3} (max |value| {maxAbs:g3})");
                break;
            }
        }
    }

    /// <summary>
    /// Every ONNX model in the cache's onnx folder (or those named): converted in-process by Accel.Convert (default
    /// options: ONNX's layout at the model boundary, so both runtimes take the same input bytes), its outputs checked
    /// against ONNX Runtime's by name, then Accel's cpu delegate and ORT interleaved, 1 thread each.
    /// </summary>
    private static IEnumerable<BenchRecord> RunConverted(Options o, string session)
    {
        string folder = Cache.OnnxModels;
        string[] files = o.Models.Length > 0
            ? o.Models.Select(m => Path.Combine(folder, m.EndsWith(".onnx", StringComparison.Ordinal) ? m : m + ".onnx")).ToArray()
            : Directory.Exists(folder) ? Directory.GetFiles(folder, "*.onnx").Order(StringComparer.Ordinal).ToArray() : [];
        if (files.Length == 0) throw new FileNotFoundException($"no ONNX models in {folder}: run scripts/fetch-onnx-models.sh", folder);
        var records = new List<BenchRecord>();
        foreach (string onnx in files)
        {
            if (!File.Exists(onnx)) throw new FileNotFoundException($"{onnx} is missing: run scripts/fetch-onnx-models.sh", onnx);
            string name = Path.GetFileNameWithoutExtension(onnx);
            Console.WriteLine($"== ONNX Runtime {OrtContender.Version} on {name}.onnx vs Accel on its conversion, 1 thread ==");
            string tflite = Path.Combine(Path.GetTempPath(), $"accel-peers-{name}-{Guid.NewGuid():N}.tflite");
            var contenders = new List<IContender>();
            try
            {
                var clock = Stopwatch.StartNew();
                var conversion = Accel.Conversion.OnnxConverter.ConvertFile(onnx, tflite, new Accel.Conversion.ConvertOptions());
                Console.WriteLine($"  converted in {clock.Elapsed.TotalMilliseconds:0} ms: {conversion.OnnxNodeCount} ONNX nodes -> {conversion.OperatorCount} TFLite ops, {conversion.TransposeCount} TRANSPOSE");
                var accel = new AccelContender(tflite, "cpu", 1, o.ThreadCpu);
                contenders.Add(accel);
                var ort = new OrtContender(onnx, 1, nhwcInputs: false, threadCpu: o.ThreadCpu);
                contenders.Add(ort);
                CheckConverted(accel, ort);
                records.AddRange(RunSession(contenders, o, session, name, o.Rounds ?? 60));
            }
            catch (Exception e) when (e is Accel.Conversion.OnnxConversionException or NotSupportedException)
            {
                Console.WriteLine($"  skipped: {e.Message}");
            }
            finally
            {
                foreach (var c in contenders) c.Dispose();
                File.Delete(tflite);
            }
        }
        return records;
    }

    /// <summary>Each float output of the converted model against ONNX Runtime's output of the same name.</summary>
    private static void CheckConverted(AccelContender accel, OrtContender ort)
    {
        var names = accel.OutputNames;
        for (int j = 0; j < names.Count; j++)
        {
            int k = ort.OutputNames.ToList().IndexOf(names[j]);
            if (k < 0) throw new InvalidOperationException($"the converted model's output '{names[j]}' is not an ONNX Runtime output ({string.Join(", ", ort.OutputNames)})");
            if (!accel.IsFloatOutput(j)) { Console.WriteLine($"  same network check: {names[j]}: not float32, not compared"); continue; }
            Console.WriteLine($"  same network check: {names[j]} [{string.Join(",", ort.OutputShapes[k])}]: {OutputAgreement.Of(accel.Output(j), ort.Output(k))}");
        }
    }

    private static IEnumerable<BenchRecord> RunLiteRt(Options o, string session)
    {
        string script = Path.Combine(RepositoryRoot(), "conformance", "oracle", "bench.mjs");
        if (!File.Exists(script)) throw new FileNotFoundException($"{script} is missing", script);
        var records = new List<BenchRecord>();
        foreach (string name in o.Models)
        {
            string model = CorpusPath(name);
            foreach (int threads in o.Threads)
            {
                var builds = o.Builds.Where(b => threads == 1 ? b != "threaded" : b == "threaded").ToList();
                if (builds.Count == 0) continue;
                Console.WriteLine($"== LiteRT.js vs Accel: {name}, {threads} thread{(threads == 1 ? "" : "s")} ==");
                var contenders = new List<IContender>();
                try
                {
                    contenders.Add(new AccelContender(model, "cpu", threads));
                    if (o.WithReference && threads == 1) contenders.Add(new AccelContender(model, "reference", 1));
                    foreach (var build in builds) contenders.Add(new LiteRtContender(script, model, build, threads, Console.Out));
                    records.AddRange(RunSession(contenders, o, session, name, o.Rounds ?? 20));
                }
                catch (InvalidOperationException e)
                {
                    Console.WriteLine($"  skipped: {e.Message}");
                }
                finally
                {
                    foreach (var c in contenders) c.Dispose();
                }
            }
        }
        return records;
    }

    /// <summary>Warm-up rounds, then timed rounds with the order rotated each round; one record per contender.</summary>
    internal static List<BenchRecord> RunSession(List<IContender> contenders, Options o, string session, string model, int rounds)
    {
        int n = contenders.Count;
        var warmupClock = Stopwatch.StartNew();
        int warmupRounds = 0;
        for (; warmupRounds < o.Warmup && warmupClock.Elapsed.TotalSeconds < 20; warmupRounds++)
            for (int k = 0; k < n; k++) contenders[(warmupRounds + k) % n].TimeOne();
        var samples = contenders.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        for (int r = 0; r < rounds; r++)
        {
            for (int k = 0; k < n; k++)
            {
                int c = (r + k) % n;
                samples[c].Add(contenders[c].TimeOne());
            }
            if (clock.Elapsed.TotalSeconds > o.MaxSeconds)
            {
                Console.WriteLine($"  stopped after {r + 1} rounds (--max-secs {o.MaxSeconds})");
                break;
            }
        }

        var machine = BenchEnvironment.DescribeMachine();
        var (commit, dirty) = BenchEnvironment.GitCommit(RepositoryRoot());
        var date = DateTimeOffset.UtcNow;
        var records = contenders.Select((c, i) => new BenchRecord
        {
            Model = model,
            ModelFile = Path.GetFileName(c.ModelFile),
            Runtime = c.Runtime,
            Backend = c.Backend,
            Threads = c.Threads,
            Commit = commit,
            Dirty = dirty,
            Date = date,
            Machine = machine,
            Session = session,
            Tool = c switch
            {
                OrtContender => $"Microsoft.ML.OnnxRuntime {OrtContender.Version}",
                LiteRtContender l => l.RuntimeVersion,
                _ => "Accel.Perf.Peers",
            },
            Init = new InitTiming(c.LoadMs, c.CompileMs, c.LoadMs + c.CompileMs),
            FirstInferenceMs = c.FirstMs,
            Warmup = new WarmupInfo(warmupRounds, 0),
            Latency = LatencySummary.Of(samples[i]),
            SamplesMs = samples[i].ToArray(),
            Memory = c.ArenaBytes is long arena ? new MemoryInfo(arena, GC.GetTotalMemory(false), BenchEnvironment.PeakRssBytes(), 0) : null,
            Notes = [$"interleaved with {string.Join(", ", contenders.Where(x => x != c).Select(x => x.Label))}",
                o.ThreadCpu ? "latency: the calling thread's CPU time per run" : "latency: wall clock per run", $"Accel's vectors: {AccelVectorPath()}"],
        }).ToList();

        var inv = CultureInfo.InvariantCulture;
        string Ms(double v) => v.ToString(v < 10 ? "0.000" : "0.00", inv);
        Console.WriteLine($"  {samples[0].Count} interleaved rounds, load average {machine.LoadAverage1Min?.ToString("0.0", inv) ?? "?"} on {machine.LogicalCores} cores; "
            + $"clock: {(o.ThreadCpu ? "calling thread's CPU time" : "wall")}; Accel's vectors: {AccelVectorPath()}");
        Console.WriteLine($"  {"contender",-28} {"init ms",9} {"first ms",9} {"min",9} {"median",9} {"p90",9} {"std",9}");
        foreach (var (c, r) in contenders.Zip(records))
            Console.WriteLine($"  {c.Label,-28} {Ms(r.Init!.TotalMs),9} {Ms(r.FirstInferenceMs!.Value),9} {Ms(r.Latency.Min),9} {Ms(r.Latency.Median),9} {Ms(r.Latency.P90),9} {Ms(r.Latency.Std),9}");
        for (int a = 0; a < n; a++)
        {
            if (contenders[a].Runtime != "accel") continue;
            for (int p = 0; p < n; p++)
            {
                if (contenders[p].Runtime == "accel") continue;
                var perRound = samples[a].Zip(samples[p], (x, y) => x / y).ToList();
                Console.WriteLine($"  ratio {contenders[a].Label} / {contenders[p].Label}: median {(records[a].Latency.Median / records[p].Latency.Median).ToString("0.00", inv)}, "
                    + $"min {(records[a].Latency.Min / records[p].Latency.Min).ToString("0.00", inv)}, per-round median {Statistics.Median(perRound).ToString("0.00", inv)}  (below 1: Accel faster)");
            }
        }
        return records;
    }

    /// <summary>
    /// The widest vector .NET accelerates in this process and the AVX-512 / AVX-VNNI state: the ISA switches
    /// (DOTNET_EnableAVX512=0 …) change Accel's path, never ONNX Runtime's (native code that reads CPUID itself).
    /// </summary>
    private static string AccelVectorPath() =>
        (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128 or scalar")
        + $" (AVX-512F {(System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "on" : "off")}, AVX2 {(System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "on" : "off")}, "
        + $"AVX-VNNI {(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported ? "on" : "off")})";

    // The program's edge: the environment is read here and nowhere below.
    private static AccelCache Cache => AccelCache.Resolve(Environment.GetEnvironmentVariable(AccelCache.EnvironmentVariable));

    private static string CacheDirectory => Cache.Root;

    /// <summary>keijiro's ONNX conversion of face_detection_short_range, where scripts/fetch-onnx-models.sh puts it.</summary>
    private static string PeerOnnxPath => Path.Combine(CacheDirectory, "onnx", "face_detection_front_128x128_barracuda.onnx");

    private static string HistoryDirectory =>
        Environment.GetEnvironmentVariable(BenchHistory.EnvironmentVariable) is { Length: > 0 } dir ? dir : Cache.BenchHistory;

    private static string CorpusPath(string name)
    {
        string path = Path.Combine(CacheDirectory, "models", name + ".tflite");
        if (!File.Exists(path)) throw new FileNotFoundException($"corpus model {path} is missing: run scripts/ensure-assets.sh", path);
        return path;
    }

    /// <summary>The checkout this program was built from (the directory holding Accel.sln), searched upward.</summary>
    private static string RepositoryRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Accel.sln"))) return dir.FullName;
        throw new FileNotFoundException("cannot find the repository (Accel.sln) above the current directory; run from the checkout");
    }
}
