using System.Globalization;
using Accel.Optimize;

namespace Accel.Cli;

/// <summary>
/// <c>accel quantize</c> and <c>accel prune</c>: thin command-line fronts of <see cref="ModelOptimizer"/>
/// (Accel.Optimize). The model goes to <c>-o</c> through a temporary file and a rename; the report (JSON, or HTML
/// for a .html path) to <c>--report</c>, by default <c>OUT.report.json</c>.
/// </summary>
public static class OptimizeCommands
{
    public const string QuantizeUsage = """
        usage: accel quantize MODEL.tflite -o OUT.tflite --mode fp16|int8 [--calibration DIR|FILE ...]
                              [--io float|int8|uint8] [--per-tensor] [--range minmax|percentile]
                              [--percentile P] [--mean M] [--std S] [--report FILE.json|FILE.html]
                              [--threads N] [--no-latency] [--verbose]

        Post-training quantization of a float model (docs/optimize.md).

        options:
          --mode fp16   float32 constants become float16 constants read through DEQUANTIZE (the
                        MediaPipe layout): half the weight bytes, float arithmetic
          --mode int8   full integer: int8 activations (calibrated), int8 weights (symmetric; per
                        output channel for CONV_2D and DEPTHWISE_CONV_2D, per tensor for
                        FULLY_CONNECTED), int32 biases; operators without an integer kernel in
                        Accel stay float behind DEQUANTIZE/QUANTIZE and the report lists them
          --mode dynamic, --mode int16x8
                        not built yet (they need hybrid / int16 kernels): an error says so
          --calibration, -c DIR|FILE
                        representative inputs (int8: required; fp16: used to evaluate). A folder
                        gives its files sorted by name; .png .jpg .jpeg .webp .bmp .gif files are
                        images (one [1,H,W,1|3] float input: decoded, resized bilinearly to W x H,
                        each channel (v - mean) / std), any other file raw little-endian float32
                        bytes of all inputs one after another. Repeatable.
          --mean M, --std S
                        image normalisation (default 0 and 255: pixels in [0, 1]; face detection
                        models want 127.5 and 127.5: [-1, 1])
          --io float|int8|uint8
                        int8 only: the interface type of the float inputs and outputs (default float)
          --per-tensor  one weight scale per tensor instead of per output channel
          --range minmax|percentile, --percentile P
                        activation ranges: min/max over all samples (default), or per sample the
                        (100-P)-th and P-th percentiles (P in (50, 100], default 99.99)
          --report FILE the report: HTML with plots for a .html name, else JSON
                        (default OUT.report.json)
          --threads N   CPU delegate threads for calibration and evaluation (default 1)
          --no-latency  do not time the two models (CPU delegate, 1 thread)
        """;

    public const string PruneUsage = """
        usage: accel prune MODEL.tflite -o OUT.tflite --sparsity S [--block 1x1|1x4|1x16]
                           [--format dense|sparse] [--min-elements N] [--input FILE|DIR ...]
                           [--mean M] [--std S] [--report FILE.json|FILE.html] [--no-latency] [--verbose]

        Magnitude pruning of the constant weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
        TRANSPOSE_CONV with at least --min-elements elements (default 1024): per tensor, the 1xB blocks
        along the last dimension with the smallest sum of |w| are zeroed, floor(S x blocks) of them.
        Weights the model stored as float16 stay float16.

        options:
          --sparsity S  fraction zeroed, in [0, 1)
          --block 1xB   1x1 (default), 1x4 or 1x16
          --format dense|sparse
                        dense: zeros in place (the file compresses better); sparse: TFLite's sparse
                        format (CSR along the last dimension) read through DENSIFY
          --input, -i FILE|DIR
                        evaluation inputs for the report (as accel quantize --calibration; default
                        one seeded random input)
          --report FILE the report: HTML for a .html name, else JSON (default OUT.report.json)
          --no-latency  do not time the two models
        """;

    public static int Quantize(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (AccelCli.IsHelp(args)) return Help(stdout, QuantizeUsage);
        var p = new ArgParser("quantize")
            .Option("--output", "-o").Option("--mode", "-m").RepeatableOption("--calibration", "-c")
            .Option("--io").Switch("--per-tensor").Option("--range").Option("--percentile")
            .Option("--mean").Option("--std").Option("--report").Option("--threads", "-t").Switch("--no-latency")
            .Switch("--verbose", "-v")
            .Parse(args);
        string model = OneModel(p, "quantize");
        string output = p.Value("--output") ?? throw new UsageException("-o OUT.tflite is required", "quantize");
        var mode = p.Value("--mode") switch
        {
            "fp16" or "float16" => QuantizationMode.Float16,
            "int8" => QuantizationMode.Int8,
            "dynamic" or "int16x8" => throw new CliException($"--mode {p.Value("--mode")} is not built yet: it needs hybrid (int8 weights, float activations) or int16 kernels, which Accel does not have; use fp16 or int8"),
            null => throw new UsageException("--mode fp16|int8 is required", "quantize"),
            var other => throw new UsageException($"unknown --mode '{other}' (fp16, int8)", "quantize"),
        };
        var options = new QuantizationOptions
        {
            Mode = mode,
            Interface = p.Value("--io") switch
            {
                null or "float" or "float32" => IntegerInterface.Float32,
                "int8" => IntegerInterface.Int8,
                "uint8" => IntegerInterface.UInt8,
                var other => throw new UsageException($"unknown --io '{other}' (float, int8, uint8)", "quantize"),
            },
            PerTensorWeights = p.Has("--per-tensor"),
            Range = p.Value("--range") switch
            {
                null or "minmax" => p.Has("--percentile") ? CalibrationRange.Percentile : CalibrationRange.MinMax,
                "percentile" => CalibrationRange.Percentile,
                var other => throw new UsageException($"unknown --range '{other}' (minmax, percentile)", "quantize"),
            },
            Percentile = Number(p, "--percentile", 99.99, "quantize"),
            Threads = (int)Number(p, "--threads", 1, "quantize"),
            MeasureLatency = !p.Has("--no-latency"),
        };
        using var m = Model.FromFile(model);
        var paths = p.Values("--calibration");
        var samples = paths.Count == 0 ? null
            : CalibrationData.FromPaths(m, paths, (float)Number(p, "--mean", 0, "quantize"), (float)Number(p, "--std", 255, "quantize"));
        int total = paths.Count == 0 ? 0 : CalibrationData.ExpandPaths(paths).Count;
        var result = ModelOptimizer.Quantize(m, options, samples, new ConsoleProgress(stderr, total));
        return Finish(result, output, p.Value("--report"), stdout);
    }

    public static int Prune(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (AccelCli.IsHelp(args)) return Help(stdout, PruneUsage);
        var p = new ArgParser("prune")
            .Option("--output", "-o").Option("--sparsity", "-s").Option("--block").Option("--format")
            .Option("--min-elements").RepeatableOption("--input", "-i").Option("--mean").Option("--std")
            .Option("--report").Switch("--no-latency").Switch("--verbose", "-v")
            .Parse(args);
        string model = OneModel(p, "prune");
        string output = p.Value("--output") ?? throw new UsageException("-o OUT.tflite is required", "prune");
        if (!p.Has("--sparsity")) throw new UsageException("--sparsity S is required", "prune");
        var options = new PruningOptions
        {
            Sparsity = Number(p, "--sparsity", 0.5, "prune"),
            BlockSize = p.Value("--block") switch
            {
                null or "1x1" => 1,
                "1x4" => 4,
                "1x16" => 16,
                var other => throw new UsageException($"unknown --block '{other}' (1x1, 1x4, 1x16)", "prune"),
            },
            Format = p.Value("--format") switch
            {
                null or "dense" => SparseFormat.Dense,
                "sparse" => SparseFormat.Sparse,
                var other => throw new UsageException($"unknown --format '{other}' (dense, sparse)", "prune"),
            },
            MinElements = (int)Number(p, "--min-elements", 1024, "prune"),
            MeasureLatency = !p.Has("--no-latency"),
        };
        using var m = Model.FromFile(model);
        var paths = p.Values("--input");
        var samples = paths.Count == 0 ? null
            : CalibrationData.FromPaths(m, paths, (float)Number(p, "--mean", 0, "prune"), (float)Number(p, "--std", 255, "prune"));
        var result = ModelOptimizer.Prune(m, options, samples, new ConsoleProgress(stderr, 0));
        return Finish(result, output, p.Value("--report"), stdout);
    }

    private static int Finish(OptimizationResult result, string output, string? reportPath, TextWriter stdout)
    {
        result.Save(output);
        reportPath ??= output + ".report.json";
        bool html = reportPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || reportPath.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
        AtomicFile.WriteText(reportPath, html ? result.Report.ToHtml() : result.Report.ToJson());
        var r = result.Report;
        stdout.WriteLine($"{r.Operation}: {output}");
        stdout.WriteLine($"  size {r.Original.FileBytes} -> {r.Optimized.FileBytes} bytes, gzip {r.Original.GzipBytes} -> {r.Optimized.GzipBytes}");
        if (r.Original.LatencyMs is { } a && r.Optimized.LatencyMs is { } b)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency (cpu, 1 thread) {a:F3} -> {b:F3} ms"));
        foreach (var o in r.Outputs)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  output {o.Index} '{o.Name}': rel L2 {o.RelativeL2:G4}, max abs {o.MaxAbs:G4}{(o.Top1Agreement is { } t ? $", top-1 agreement {t:P1}" : "")}"));
        if (r.FloatOperators.Count > 0)
            stdout.WriteLine($"  {r.FloatOperators.Count} operators stay float: {string.Join(", ", r.FloatOperators.GroupBy(f => f.Operator).Select(g => $"{g.Key} x{g.Count()}"))}");
        stdout.WriteLine($"  report: {reportPath}");
        return AccelCli.ExitOk;
    }

    private static string OneModel(ParsedArgs p, string command) => p.Positionals.Count == 1 ? p.Positionals[0]
        : throw new UsageException(p.Positionals.Count == 0 ? "no MODEL given" : $"expected one MODEL, got {p.Positionals.Count} arguments: {string.Join(" ", p.Positionals)}", command);

    private static double Number(ParsedArgs p, string name, double fallback, string command)
    {
        string? text = p.Value(name);
        if (text is null) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new UsageException($"{name} needs a number, got '{text}'", command);
    }

    private static int Help(TextWriter stdout, string usage)
    {
        stdout.Write(usage);
        stdout.WriteLine();
        return AccelCli.ExitOk;
    }

    /// <summary>A one-line progress display on stderr, reported synchronously (no synchronization context needed).</summary>
    private sealed class ConsoleProgress(TextWriter stderr, int expected) : IProgress<OptimizationProgress>
    {
        private string _phase = "";

        public void Report(OptimizationProgress value)
        {
            int total = value.Total > 0 ? value.Total : expected;
            if (value.Phase != _phase && _phase.Length > 0) stderr.WriteLine();
            _phase = value.Phase;
            stderr.Write(total > 0 ? $"\r{value.Phase} {value.Done}/{total}" : $"\r{value.Phase} {value.Done}");
            if (total > 0 && value.Done >= total) { stderr.WriteLine(); _phase = ""; }
        }
    }
}
