using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accel.Optimize;

/// <summary>Size and speed of one model file.</summary>
/// <param name="GzipBytes">The file gzip-compressed (optimal level): what a download costs.</param>
/// <param name="ConstantBytes">Bytes of all constant buffers.</param>
/// <param name="LatencyMs">
/// Invoke latency on the CPU delegate, 1 thread: the minimum over <see cref="LatencyMeasurement.Rounds"/> interleaved
/// rounds of the calling thread's CPU time per invoke (<see cref="OptimizationReport.Latency"/> says how it was taken);
/// null when not measured.
/// </param>
public sealed record ModelFigures(long FileBytes, long GzipBytes, long ConstantBytes, double? LatencyMs);

/// <summary>
/// How the report's latencies were measured (docs/optimize.md §The report): CPU delegate, 1 thread (every kernel on
/// the calling thread), after a warm-up of each model, <paramref name="Rounds"/> rounds each invoking both models once
/// in alternating order, every invoke timed by <paramref name="Clock"/>.
/// </summary>
/// <param name="Clock"><see cref="ThreadCpuClock"/> (Linux: the invoking thread's CPU time, which waiting for a core under
/// load does not add to) or <see cref="WallClock"/> (elsewhere).</param>
/// <param name="OriginalMinMs">The original model's fastest invoke: its <see cref="ModelFigures.LatencyMs"/>.</param>
/// <param name="OriginalMedianMs">The original model's median invoke.</param>
/// <param name="OptimizedMinMs">The optimized model's fastest invoke: its <see cref="ModelFigures.LatencyMs"/>.</param>
/// <param name="OptimizedMedianMs">The optimized model's median invoke.</param>
/// <param name="LoadAverage">The machine's one-minute load average when the rounds began (Linux), else null.</param>
public sealed record LatencyMeasurement(string Clock, int Rounds, double OriginalMinMs, double OriginalMedianMs,
    double OptimizedMinMs, double OptimizedMedianMs, double? LoadAverage)
{
    public const string ThreadCpuClock = "thread-cpu";
    public const string WallClock = "wall";

    /// <summary>Optimized over original fastest invoke (below 1: the optimized model is faster).</summary>
    public double Ratio => OriginalMinMs > 0 ? OptimizedMinMs / OriginalMinMs : double.NaN;
}

/// <summary>Error of one model output against the float original, over the evaluation samples.</summary>
/// <param name="RelativeL2">‖optimized − original‖₂ / ‖original‖₂ over all samples' elements.</param>
/// <param name="MaxAbs">Largest |optimized − original|.</param>
/// <param name="Top1Agreement">Fraction of rows (last dimension ≥ 2) whose argmax agrees; null for outputs with a last dimension of 1.</param>
public sealed record OutputError(int Index, string Name, double RelativeL2, double MaxAbs, double? Top1Agreement);

/// <summary>Error of one intermediate tensor (dequantized where integer) against the float original.</summary>
public sealed record LayerError(string Tensor, string Operator, double RelativeL2, double MaxAbs);

/// <summary>One task-level criterion: the figure achieved, its bound (≥ when <paramref name="AtLeast"/>, else ≤), whether it is met.</summary>
public sealed record TaskAccuracyCriterion(string Name, double Achieved, double Bound, bool AtLeast, bool Met, string Detail);

/// <summary>
/// Task-level accuracy (detections, landmarks, masks on photographs) measured outside the optimizer — the CLI runs
/// Accel.Vision's task heads on both models; <see cref="ModelOptimizer"/> itself is task-agnostic.
/// </summary>
public sealed record TaskAccuracyReport(string Task, IReadOnlyList<string> Photos, IReadOnlyList<TaskAccuracyCriterion> Criteria);

/// <summary>What an optimization did and what it cost: sizes, per-output and per-layer error, latency.</summary>
public sealed record OptimizationReport
{
    public required string Operation { get; init; }
    public required ModelFigures Original { get; init; }
    public required ModelFigures Optimized { get; init; }
    public int EvaluationSamples { get; init; }
    /// <summary>How the evaluation inputs were made: "calibration" or "random uniform [-1, 1), seed 0".</summary>
    public string EvaluationInputs { get; init; } = "";
    public IReadOnlyList<OutputError> Outputs { get; init; } = [];
    public IReadOnlyList<LayerError> Layers { get; init; } = [];
    public int QuantizedOperators { get; init; }
    public IReadOnlyList<FloatOperator> FloatOperators { get; init; } = [];
    public IReadOnlyList<PrunedTensor> PrunedTensors { get; init; } = [];
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// How image files became input values, e.g. "mean 127.5, std 127.5, from the model's metadata (…)"; null when no
    /// image was read or the caller did not record it.
    /// </summary>
    public string? ImageNormalization { get; init; }

    /// <summary>
    /// Selective quantization (<see cref="QuantizationOptions.FloatLayers"/>): every candidate operator's output error
    /// when quantized alone, most damaging first; empty when not measured.
    /// </summary>
    public IReadOnlyList<LayerSensitivity> Sensitivity { get; init; } = [];

    /// <summary>With <see cref="QuantizationOptions.AccuracyTarget"/>: the number of float layers chosen and the trials; null otherwise.</summary>
    public AccuracyTargetResult? AccuracyTarget { get; init; }

    /// <summary>With <see cref="QuantizationOptions.RangeSelection"/>: the tensors or kinds tried and which took the alternative range; null otherwise.</summary>
    public RangeSearchResult? RangeSearch { get; init; }

    /// <summary>Task-level accuracy, when the caller measured it (null otherwise).</summary>
    public TaskAccuracyReport? TaskAccuracy { get; init; }

    /// <summary>How <see cref="ModelFigures.LatencyMs"/> of both models was measured; null when latency was not measured.</summary>
    public LatencyMeasurement? Latency { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A self-contained HTML page: the figures side by side and per-layer error bars (inline SVG).</summary>
    public string ToHtml()
    {
        static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(E(Operation)).Append("</title>")
          .Append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}</style></head><body>");
        sb.Append("<h1>").Append(E(Operation)).Append("</h1>");
        string how = Latency is { } lm
            ? $", {(lm.Clock == LatencyMeasurement.ThreadCpuClock ? "thread CPU time" : "wall clock")}, min of {lm.Rounds} interleaved rounds"
            : "";
        sb.Append("<h2>Size and latency</h2><table><tr><th></th><th>file bytes</th><th>gzip bytes</th><th>constant bytes</th><th>latency ms (cpu, 1 thread")
          .Append(how).Append(")</th><th>median ms</th></tr>");
        foreach (var (label, m) in new[] { ("original", Original), ("optimized", Optimized) })
        {
            double? median = label == "original" ? Latency?.OriginalMedianMs : Latency?.OptimizedMedianMs;
            sb.Append($"<tr><th>{label}</th><td>{m.FileBytes}</td><td>{m.GzipBytes}</td><td>{m.ConstantBytes}</td><td>{(m.LatencyMs is { } l ? F(l) : "-")}</td><td>{(median is { } md ? F(md) : "-")}</td></tr>");
        }
        sb.Append("</table>");
        sb.Append(Bars("Size (bytes)", [("file", Original.FileBytes, Optimized.FileBytes), ("gzip", Original.GzipBytes, Optimized.GzipBytes)]));
        if (Original.LatencyMs is { } a && Optimized.LatencyMs is { } b) sb.Append(Bars("Latency (ms)", [("cpu 1 thread", a, b)]));
        if (Latency?.LoadAverage is { } load) sb.Append($"<p>Load average (1 min) when the latency was measured: {F(load)}.</p>");
        sb.Append($"<h2>Outputs ({EvaluationSamples} samples: {E(EvaluationInputs)})</h2><table><tr><th>output</th><th>rel L2</th><th>max abs</th><th>top-1 agreement</th></tr>");
        foreach (var o in Outputs)
            sb.Append($"<tr><td>{E(o.Name)}</td><td>{F(o.RelativeL2)}</td><td>{F(o.MaxAbs)}</td><td>{(o.Top1Agreement is { } t ? F(t) : "-")}</td></tr>");
        sb.Append("</table>");
        if (TaskAccuracy is { } task)
        {
            sb.Append($"<h2>Task-level accuracy: {E(task.Task)} ({task.Photos.Count} photos: {E(string.Join(", ", task.Photos))})</h2>")
              .Append("<table><tr><th>criterion</th><th>achieved</th><th>bound</th><th>met</th><th>detail</th></tr>");
            foreach (var c in task.Criteria)
                sb.Append($"<tr><td>{E(c.Name)}</td><td>{F(c.Achieved)}</td><td>{(c.AtLeast ? "≥ " : "≤ ")}{F(c.Bound)}</td><td>{(c.Met ? "yes" : "<b>no</b>")}</td><td style=\"text-align:left\">{E(c.Detail)}</td></tr>");
            sb.Append("</table>");
        }
        if (Layers.Count > 0)
        {
            sb.Append("<h2>Per-layer relative L2 error</h2>");
            double max = Math.Max(Layers.Max(l => double.IsFinite(l.RelativeL2) ? l.RelativeL2 : 0), 1e-12);
            int rowHeight = 14, width = 900, labelWidth = 380;
            sb.Append($"<svg width=\"{width}\" height=\"{rowHeight * Layers.Count + 10}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">");
            for (int i = 0; i < Layers.Count; i++)
            {
                var l = Layers[i];
                double v = double.IsFinite(l.RelativeL2) ? l.RelativeL2 : max;
                int w = (int)Math.Round(v / max * (width - labelWidth - 80));
                int y = i * rowHeight;
                string name = l.Tensor.Length > 55 ? "…" + l.Tensor[^54..] : l.Tensor;
                sb.Append($"<text x=\"0\" y=\"{y + 11}\">{E(l.Operator)} {E(name)}</text>")
                  .Append($"<rect x=\"{labelWidth}\" y=\"{y + 2}\" width=\"{w}\" height=\"{rowHeight - 4}\" fill=\"#c44\"/>")
                  .Append($"<text x=\"{labelWidth + w + 4}\" y=\"{y + 11}\">{F(l.RelativeL2)}</text>");
            }
            sb.Append("</svg>");
        }
        if (FloatOperators.Count > 0)
        {
            sb.Append("<h2>Operators left in float</h2><ul>");
            foreach (var f in FloatOperators) sb.Append($"<li>node {f.Node} {E(f.Operator)}: {E(f.Reason)}</li>");
            sb.Append("</ul>");
        }
        if (Sensitivity.Count > 0)
        {
            sb.Append("<h2>Sensitivity: output error with one operator alone quantized</h2><table><tr><th>node</th><th>operator</th><th>output tensor</th><th>output error</th><th>kept float</th></tr>");
            foreach (var s in Sensitivity)
                sb.Append($"<tr><td>{s.Node}</td><td>{E(s.Operator)}</td><td style=\"text-align:left\">{E(s.Tensor)}</td><td>{F(s.OutputError)}</td><td>{(s.KeptFloat ? "yes" : "")}</td></tr>");
            sb.Append("</table>");
        }
        if (PrunedTensors.Count > 0)
        {
            sb.Append("<h2>Pruned tensors</h2><table><tr><th>tensor</th><th>operator</th><th>elements</th><th>sparsity</th></tr>");
            foreach (var p in PrunedTensors) sb.Append($"<tr><td>{E(p.Tensor)}</td><td>{E(p.Operator)}</td><td>{p.Elements}</td><td>{F(p.Sparsity)}</td></tr>");
            sb.Append("</table>");
        }
        if (ImageNormalization is { } normalised) sb.Append("<p>Images normalised: ").Append(E(normalised)).Append("</p>");
        foreach (string note in Notes) sb.Append("<p>").Append(E(note)).Append("</p>");
        sb.Append("</body></html>");
        return sb.ToString();
    }

    private static string Bars(string title, (string Label, double Original, double Optimized)[] rows)
    {
        double max = Math.Max(rows.Max(r => Math.Max(r.Original, r.Optimized)), 1e-12);
        var sb = new StringBuilder($"<h3>{WebUtility.HtmlEncode(title)}</h3><svg width=\"700\" height=\"{rows.Length * 44 + 6}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">");
        for (int i = 0; i < rows.Length; i++)
        {
            var (label, a, b) = rows[i];
            int y = i * 44;
            int wa = (int)(a / max * 480), wb = (int)(b / max * 480);
            sb.Append($"<text x=\"0\" y=\"{y + 24}\">{WebUtility.HtmlEncode(label)}</text>")
              .Append($"<rect x=\"110\" y=\"{y + 4}\" width=\"{wa}\" height=\"16\" fill=\"#888\"/><text x=\"{114 + wa}\" y=\"{y + 16}\">original {a.ToString("G4", CultureInfo.InvariantCulture)}</text>")
              .Append($"<rect x=\"110\" y=\"{y + 22}\" width=\"{wb}\" height=\"16\" fill=\"#48c\"/><text x=\"{114 + wb}\" y=\"{y + 34}\">optimized {b.ToString("G4", CultureInfo.InvariantCulture)}</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    internal static long GzipSize(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.SmallestSize, leaveOpen: true)) gzip.Write(bytes);
        return memory.Length;
    }
}

/// <summary>The optimized model's bytes and the report.</summary>
public sealed record OptimizationResult(byte[] Model, OptimizationReport Report)
{
    /// <summary>
    /// Writes the model to <paramref name="path"/> through a temporary file in the same folder and a rename, so a
    /// failure never leaves a half-written model there.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, Model);
}

/// <summary>Writes files whole or not at all: a temporary file beside the target, then a rename.</summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));
}
