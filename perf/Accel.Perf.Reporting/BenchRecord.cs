using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accel.Perf.Reporting;

/// <summary>
/// One benchmark result: a model on one runtime/backend/thread count, with every timed sample. <c>accel bench
/// --json</c> writes one; the peer runners write one per contender of an interleaved session (same
/// <see cref="Session"/>); a history file holds one per line (JSON lines, <see cref="BenchHistory"/>).
/// Schema <c>accel-bench/1</c>; times in milliseconds, sizes in bytes.
/// </summary>
public sealed record BenchRecord
{
    public const string CurrentSchema = "accel-bench/1";

    public string Schema { get; init; } = CurrentSchema;

    /// <summary>Logical model name (the corpus name, e.g. <c>face_detection_short_range</c>), shared by peers running the same network.</summary>
    public required string Model { get; init; }

    /// <summary>The file actually run (a .tflite, or a peer's .onnx).</summary>
    public string? ModelFile { get; init; }
    public string? ModelSha256 { get; init; }

    /// <summary><c>accel</c>, <c>onnxruntime</c> or <c>litert.js</c>.</summary>
    public string Runtime { get; init; } = "accel";

    /// <summary>Accel: the --delegate list (<c>reference</c>, <c>cpu</c>, …); peers: their build (<c>cpu</c>, <c>wasm-compat</c>, …).</summary>
    public required string Backend { get; init; }
    public int Threads { get; init; } = 1;

    /// <summary>Accel with a device delegate: the device it ran on (<c>IAccelDelegate.DeviceDescription</c>), e.g. the Vulkan device.</summary>
    public string? Device { get; init; }

    /// <summary>Git commit of the code measured (<c>git rev-parse HEAD</c>), or null when unknown.</summary>
    public string? Commit { get; init; }

    /// <summary>True when the working tree had uncommitted changes at the time.</summary>
    public bool? Dirty { get; init; }
    public DateTimeOffset Date { get; init; }
    public MachineInfo? Machine { get; init; }

    /// <summary>Interleaved peer sessions: every contender of one session shares this id.</summary>
    public string? Session { get; init; }
    public string? Tool { get; init; }

    /// <summary>Load + verify, allocate (which plans and compiles delegate partitions), and their sum.</summary>
    public InitTiming? Init { get; init; }
    public double? FirstInferenceMs { get; init; }
    public WarmupInfo? Warmup { get; init; }

    /// <summary>Accel: JIT work to the first output and after it (cold-start analysis).</summary>
    public JitActivity? Jit { get; init; }
    public required LatencySummary Latency { get; init; }

    /// <summary>Every timed invoke, in the order run.</summary>
    public required double[] SamplesMs { get; init; }
    public MemoryInfo? Memory { get; init; }

    /// <summary>Accel: the work of one invoke by the MAC estimate, its rate, and the FMA peak it is read against (when one was given or measured).</summary>
    public WorkInfo? Work { get; init; }

    /// <summary>With --profile-ops: one entry per profiled step, costliest first.</summary>
    public IReadOnlyList<ProfileEntry>? Profile { get; init; }

    /// <summary>Free-form notes (machine load, what was substituted).</summary>
    public IReadOnlyList<string>? Notes { get; init; }

    /// <summary>The series this result belongs to in history plots and comparisons.</summary>
    [JsonIgnore]
    public SeriesKey Key => new(Model, Runtime, Backend, Threads);

    public string ToJson(bool indented = true) => JsonSerializer.Serialize(this, indented ? BenchJson.Indented : BenchJson.Compact);

    public static BenchRecord FromJson(string json) =>
        JsonSerializer.Deserialize<BenchRecord>(json, BenchJson.Compact) ?? throw new JsonException("empty benchmark record");
}

/// <summary>Model × runtime × backend × threads: one line in the dashboard.</summary>
public sealed record SeriesKey(string Model, string Runtime, string Backend, int Threads)
{
    public override string ToString() => $"{Model} · {Runtime}/{Backend} · {Threads}t";
}

public sealed record InitTiming(double LoadMs, double AllocateMs, double TotalMs);

public sealed record WarmupInfo(int Count, double MeanMs)
{
    /// <summary>The slowest warm-up invoke (tiered JIT shows here: the first invokes after the first run unoptimized code).</summary>
    public double? MaxMs { get; init; }
}

/// <summary>
/// .NET JIT activity in the benchmark's process (System.Runtime.JitInfo, all threads, from process start): methods
/// compiled and time spent compiling up to the first output, and during the warm-up and timed invokes after it.
/// </summary>
public sealed record JitActivity(long MethodsToFirstOutput, double MsToFirstOutput, long MethodsAfterFirstOutput, double MsAfterFirstOutput)
{
    /// <summary>
    /// CPU time the whole process had used at the first output (user + system, all threads, from process start): on a
    /// shared machine it varies far less with the load than the wall-clock init and first-inference times.
    /// </summary>
    public double? ProcessCpuMsToFirstOutput { get; init; }
}

/// <param name="ArenaBytes">The interpreter's planned activation arena.</param>
/// <param name="ManagedHeapBytes">Largest managed heap size seen (GC.GetTotalMemory at each phase).</param>
/// <param name="PeakRssBytes">The process's peak resident set (VmHWM on Linux).</param>
/// <param name="AllocatedPerInvokeBytes">Managed bytes allocated per timed invoke (all threads), averaged.</param>
public sealed record MemoryInfo(long ArenaBytes, long ManagedHeapBytes, long PeakRssBytes, double AllocatedPerInvokeBytes);

/// <summary>
/// The work of one invoke and its rate. <see cref="MflopPerInvoke"/> is the MAC estimate × 2: the multiply-accumulates
/// the op definitions count for every executed node (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL,
/// TRANSPOSE_CONV, …, with the allocated shapes), 2 FLOPs each; element-wise ops are not counted. The peak (GFLOP/s) is
/// the one given (<see cref="PeakSource"/> <c>given</c>) or this machine's FMA peak measured in the same process just
/// before and just after the timed runs at the same thread count (<c>measured</c>: the larger of the two).
/// </summary>
public sealed record WorkInfo(double MflopPerInvoke, double GflopsAtMedian, double GflopsAtMin)
{
    public double? PeakGflops { get; init; }

    /// <summary><c>given</c> (--peak-gflops G) or <c>measured</c> (--peak-gflops measure).</summary>
    public string? PeakSource { get; init; }

    /// <summary>Measured: the FMA peak just before and just after the timed runs, and the float lanes per FMA it ran.</summary>
    public double? PeakBeforeGflops { get; init; }
    public double? PeakAfterGflops { get; init; }
    public int? PeakLanes { get; init; }

    public double? PercentOfPeakAtMedian { get; init; }
    public double? PercentOfPeakAtMin { get; init; }
}

/// <summary>One step of a profiled invoke: a reference node, or a delegate partition (<see cref="Nodes"/> lists its nodes).</summary>
/// <param name="WholePartition">The row times a whole delegate partition as one step (its nodes are not timed apart);
/// false for a node, or nodes fused into one pass, timed inside the plan.</param>
public sealed record ProfileEntry(string Operator, string Executor, int[] Nodes, double Milliseconds, double Percent,
    double CumulativePercent, long Macs, double GflopsPerSecond, bool WholePartition = false);

/// <summary>Where and on what the numbers were taken. <see cref="Fingerprint"/> names the history file.</summary>
public sealed record MachineInfo(string Fingerprint, string Cpu, int LogicalCores, long MemoryBytes, string Os,
    string Architecture, string DotNet, string VectorIsa, double? LoadAverage1Min);

/// <summary>Shared serializer settings: camelCase, no nulls, enums as strings.</summary>
public static class BenchJson
{
    public static readonly JsonSerializerOptions Compact = Create(false);
    public static readonly JsonSerializerOptions Indented = Create(true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Reads records from text: a single JSON object, a JSON array of objects, or JSON lines (one object per line;
    /// blank lines ignored). Lines that fail to parse are reported with their number.
    /// </summary>
    public static IReadOnlyList<BenchRecord> ReadAll(string text, string source)
    {
        string trimmed = text.TrimStart();
        if (trimmed.Length == 0) return [];
        try
        {
            if (trimmed[0] == '[')
                return JsonSerializer.Deserialize<List<BenchRecord>>(trimmed, Compact) ?? [];
            // A single (possibly indented) object or JSON lines: try the whole text as one object first.
            using (var document = JsonDocument.Parse(trimmed, new JsonDocumentOptions { AllowTrailingCommas = false }))
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                    return [document.RootElement.Deserialize<BenchRecord>(Compact)!];
            }
        }
        catch (JsonException) when (trimmed[0] == '{')
        {
            // More than one object: JSON lines.
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not a benchmark result: {e.Message}", e);
        }
        var records = new List<BenchRecord>();
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            try
            {
                records.Add(BenchRecord.FromJson(line));
            }
            catch (JsonException e)
            {
                throw new FormatException($"{source}:{lineNumber}: not a benchmark result: {e.Message}", e);
            }
        }
        return records;
    }

    public static IReadOnlyList<BenchRecord> ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"results file not found: {path}", path);
        return ReadAll(File.ReadAllText(path), path);
    }
}
