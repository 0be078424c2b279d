using System.Globalization;
using System.Text.Json.Nodes;
using Accel.Optimize;

namespace Accel.Cli;

/// <summary>
/// <c>accel quantize</c> and <c>accel prune</c>: thin command-line fronts of <see cref="ModelOptimizer"/>
/// (Accel.Optimize). The model goes to <c>-o</c> through a temporary file and a rename; the report (JSON, or HTML
/// for a .html path) to <c>--report</c>, by default <c>OUT.report.json</c>.
/// </summary>
public static partial class OptimizeCommands
{
    private const string QuantizeDescription = "post-training quantization (docs/optimize.md): float16 weights, int8 weights with float activations (dynamic), or full int8 with calibrated activations";

    private const string PruneDescription = "magnitude pruning, or layer-wise reconstruction from samples, of large weights (dense zeros, or TFLite's sparse format + DENSIFY)";

    private const string PruneDetails = """
        Prunes the constant weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and
        TRANSPOSE_CONV with at least --min-elements elements (default 1024): per tensor, the 1xB blocks
        along the last dimension with the smallest sum of |w| are zeroed, floor(S x blocks) of them.
        --method reconstruct (per layer, any block; needs --calibration samples): layer after layer, per
        output channel the blocks costing the least output error on the samples' inputs are zeroed and
        the rest of the row updated to make up for them (SparseGPT's OBS updates), never ending further
        from the layer's calibration outputs than the same mask alone; TRANSPOSE_CONV stays magnitude.
        Weights the model stored as float16 stay float16.
        """;

    public static int Quantize(ParsedArgs p, TextWriter stdout, TextWriter stderr, bool noColor = false)
    {
        string model = OneModel(p, "quantize");
        string output = p.Value("--output") ?? throw new UsageException("-o OUT.tflite is required", "quantize");
        var mode = p.Value("--mode") switch
        {
            "fp16" or "float16" => QuantizationMode.Float16,
            "int8" => QuantizationMode.Int8,
            "dynamic" => QuantizationMode.Dynamic,
            "int16x8" => QuantizationMode.Int16x8,
            null => throw new UsageException("--mode fp16|dynamic|int8|int16x8 is required", "quantize"),
            var other => throw new UsageException($"unknown --mode '{other}' (fp16, dynamic, int8, int16x8)", "quantize"),
        };
        var options = new QuantizationOptions
        {
            Mode = mode,
            Interface = p.Value("--io") switch
            {
                null or "float" or "float32" => IntegerInterface.Float32,
                "int8" => IntegerInterface.Int8,
                "uint8" => IntegerInterface.UInt8,
                "int16" => IntegerInterface.Int16,
                var other => throw new UsageException($"unknown --io '{other}' (float, int8, uint8, int16)", "quantize"),
            },
            PerTensorWeights = p.Has("--per-tensor"),
            PerChannelFullyConnected = p.Has("--per-channel-fc"),
            Range = p.Value("--range") switch
            {
                null or "minmax" => p.Has("--percentile") && p.Value("--range-select") is null or "off" ? CalibrationRange.Percentile : CalibrationRange.MinMax,
                "percentile" => CalibrationRange.Percentile,
                "mse" => CalibrationRange.Mse,
                var other => throw new UsageException($"unknown --range '{other}' (minmax, percentile, mse)", "quantize"),
            },
            Percentile = Number(p, "--percentile", 99.99, "quantize"),
            Threads = (int)Number(p, "--threads", 1, "quantize"),
            MeasureLatency = !p.Has("--no-latency"),
            MinWeightElements = (int)Number(p, "--min-elements", 1024, "quantize"),
            MaxCalibrationSamples = (int)Limit(p, "--max-calibration-samples", new QuantizationOptions().MaxCalibrationSamples, int.MaxValue - 1, "quantize"),
            BiasCorrection = p.Has("--bias-correction"),
            WeightBiasCorrection = p.Has("--weight-bias-correction"),
            KeepFloat = p.Values("--keep-float").ToList(),
            FloatLayers = (int)Count(p, "--float-layers", "quantize"),
            SensitivityOutputs = p.Values("--sensitivity-output").ToList(),
            AccuracyTarget = p.Has("--accuracy-target") ? Number(p, "--accuracy-target", 0, "quantize") : null,
            Equalize = p.Has("--equalize"),
            EqualizeThroughRelu6 = p.Has("--equalize-relu6"),
            BiasAbsorption = p.Has("--bias-absorption"),
            Rounding = p.Value("--round") switch
            {
                null or "nearest" => WeightRoundingMode.Nearest,
                "learned" => WeightRoundingMode.Learned,
                "learned-own" => WeightRoundingMode.LearnedOwnError,
                var other => throw new UsageException($"unknown --round '{other}' (nearest, learned, learned-own)", "quantize"),
            },
            RangeSelection = p.Value("--range-select") switch
            {
                null or "off" => RangeSelection.Off,
                "per-kind" => RangeSelection.PerKind,
                "per-tensor" => RangeSelection.PerTensor,
                var other => throw new UsageException($"unknown --range-select '{other}' (off, per-kind, per-tensor)", "quantize"),
            },
        };
        if (options.SensitivityOutputs.Count > 0 && options.FloatLayers == 0 && options.AccuracyTarget is null && options.RangeSelection == RangeSelection.Off)
            throw new UsageException("--sensitivity-output ranks operators for --float-layers N or --accuracy-target E (or ranges for --range-select): give one of them too", "quantize");
        if (options.RangeSelection != RangeSelection.Off && options.Range == CalibrationRange.Percentile)
            throw new UsageException("--range-select chooses between --range (minmax or mse) and the --percentile range: not with --range percentile", "quantize");
        if (options.AccuracyTarget is not null && options.FloatLayers > 0)
            throw new UsageException("--accuracy-target chooses the number of float layers itself: leave out --float-layers", "quantize");
        if (options.KeepFloat.Count > 0 && mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8 or QuantizationMode.Dynamic))
            throw new UsageException($"--keep-float applies to --mode int8, int16x8 and dynamic, not {p.Value("--mode")}", "quantize");
        if (options.RangeSelection != RangeSelection.Off && mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new UsageException($"--range-select applies to --mode int8 and int16x8, not {p.Value("--mode")}", "quantize");
        if (options.EqualizeThroughRelu6 && !options.Equalize)
            throw new UsageException("--equalize-relu6 extends --equalize: give --equalize too", "quantize");
        if ((options.FloatLayers > 0 || options.AccuracyTarget is not null || options.Equalize || options.BiasAbsorption || options.WeightBiasCorrection)
            && mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new UsageException($"--float-layers, --accuracy-target, --equalize, --bias-absorption and --weight-bias-correction apply to --mode int8 and int16x8, not {p.Value("--mode")}", "quantize");
        if (options.Rounding != WeightRoundingMode.Nearest && mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new UsageException($"--round {p.Value("--round")} applies to --mode int8 and int16x8, not {p.Value("--mode")}", "quantize");
        long maxImagePixels = Limit(p, "--max-image-pixels", CalibrationData.DefaultMaxImagePixels, long.MaxValue, "quantize");
        var augmentation = Augmentation(p, "quantize");
        if (augmentation is not null && mode is not (QuantizationMode.Int8 or QuantizationMode.Int16x8))
            throw new UsageException($"--augment applies to --mode int8 and int16x8, not {p.Value("--mode")}", "quantize");
        using var m = Model.FromFile(model);
        var paths = p.Values("--calibration");
        var files = paths.Count == 0 ? [] : CalibrationData.ExpandPaths(paths);
        var normalization = ImageNormalization(p, m, files, "quantize");
        var samples = paths.Count == 0 ? null
            : CalibrationData.FromPaths(m, paths, normalization.Value, maxImagePixels, views: p.Has("--calibration-views"), augmentation: augmentation);
        int perImage = (p.Has("--calibration-views") ? Enum.GetValues<CalibrationView>().Length : 1) + (augmentation?.Count ?? 0);
        int total = files.Sum(f => IsImage(f) ? perImage : 1);
        var result = CliProgress.For(stderr, noColor).Run("quantize", task => ModelOptimizer.Quantize(m, options, samples, new TaskProgress(task, total)));
        result = WithTaskAccuracy(p, m, result, paths, maxImagePixels, "quantize");
        result = WithImageNormalization(result, files, normalization);
        return Finish(result, output, p.Value("--report"), p.Has("--json"), stdout);
    }

    public static int Prune(ParsedArgs p, TextWriter stdout, TextWriter stderr, bool noColor = false)
    {
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
            Scope = p.Value("--scope") switch
            {
                null or "layer" => PruningScope.Layer,
                "global" => PruningScope.Global,
                "sensitivity" => PruningScope.Sensitivity,
                var other => throw new UsageException($"unknown --scope '{other}' (layer, global, sensitivity)", "prune"),
            },
            Method = p.Value("--method") switch
            {
                null or "magnitude" => PruningMethod.Magnitude,
                "reconstruct" => PruningMethod.Reconstruct,
                var other => throw new UsageException($"unknown --method '{other}' (magnitude, reconstruct)", "prune"),
            },
            MinElements = (int)Number(p, "--min-elements", 1024, "prune"),
            ReconstructionDamping = Number(p, "--damping", 0.1, "prune"),
            BiasCorrection = p.Has("--bias-correction"),
            MeasureLatency = !p.Has("--no-latency"),
            MaxEvaluationSamples = (int)Limit(p, "--max-evaluation-samples", new PruningOptions().MaxEvaluationSamples, int.MaxValue - 1, "prune"),
        };
        long maxImagePixels = Limit(p, "--max-image-pixels", CalibrationData.DefaultMaxImagePixels, long.MaxValue, "prune");
        var augmentation = Augmentation(p, "prune");
        using var m = Model.FromFile(model);
        var paths = p.Values("--calibration").Concat(p.Values("--input")).ToList();
        var files = paths.Count == 0 ? [] : CalibrationData.ExpandPaths(paths);
        var normalization = ImageNormalization(p, m, files, "prune");
        var samples = paths.Count == 0 ? null
            : CalibrationData.FromPaths(m, paths, normalization.Value, maxImagePixels, views: p.Has("--calibration-views"), augmentation: augmentation);
        var result = CliProgress.For(stderr, noColor).Run("prune", task => ModelOptimizer.Prune(m, options, samples, new TaskProgress(task, 0)));
        result = WithTaskAccuracy(p, m, result, paths, maxImagePixels, "prune");
        result = WithImageNormalization(result, files, normalization);
        return Finish(result, output, p.Value("--report"), p.Has("--json"), stdout);
    }

    /// <summary>
    /// Task-level accuracy (Accel.Vision's task heads on both models, docs/optimize.md §Task-level accuracy): with
    /// --task auto (the default) when the model is a face detection, hand/pose landmark or selfie segmentation model and
    /// there are photos (--task-images, else the image files among the calibration/evaluation paths); --task none skips
    /// it; naming a task requires it (and photos).
    /// </summary>
    private static OptimizationResult WithTaskAccuracy(ParsedArgs p, Model original, OptimizationResult result, IReadOnlyList<string> samplePaths,
        long maxImagePixels, string command)
    {
        string choice = p.Value("--task") ?? "auto";
        Vision.VisionTask? task = choice switch
        {
            "none" => null,
            "auto" => Vision.TaskAccuracy.Recognize(original),
            "face-detection" => Vision.VisionTask.FaceDetection,
            "landmarks" => Vision.VisionTask.Landmarks,
            "segmentation" => Vision.VisionTask.Segmentation,
            var other => throw new UsageException($"unknown --task '{other}' (auto, none, face-detection, landmarks, segmentation)", command),
        };
        if (task is null) return result;
        var given = p.Values("--task-images");
        var photos = CalibrationData.ExpandPaths(given.Count > 0 ? given : samplePaths)
            .Where(IsImage).ToList();
        if (photos.Count == 0)
        {
            if (choice == "auto") return result;
            throw new UsageException($"--task {choice} needs photos: --task-images or image files among the {(command == "prune" ? "--calibration/--input" : "--calibration")} paths", command);
        }
        var options = new Vision.ImageDecodeOptions { MaxPixels = maxImagePixels };
        var frames = photos.Select(f => Vision.ImageDecoder.Decode(f, options)).ToList();
        using var optimized = Model.FromBytes(result.Model);
        var comparison = Vision.TaskAccuracy.Compare(original, optimized, task.Value, frames);
        var report = new TaskAccuracyReport(comparison.Task.ToString(), comparison.Photos,
            comparison.Criteria.Select(c => new TaskAccuracyCriterion(c.Name, c.Achieved, c.Bound, c.AtLeast, c.Met, c.Detail)).ToList());
        return result with { Report = result.Report with { TaskAccuracy = report } };
    }

    private static int Finish(OptimizationResult result, string output, string? reportPath, bool json, TextWriter stdout)
    {
        result.Save(output);
        reportPath ??= output + ".report.json";
        bool html = reportPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || reportPath.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
        AtomicFile.WriteText(reportPath, html ? result.Report.ToHtml() : result.Report.ToJson());
        var r = result.Report;
        if (json)
        {
            // The report file's fields, after the schema and where the model and the report went.
            var document = new JsonObject { ["schema"] = JsonSchemas.Optimize, ["output"] = output, ["report"] = reportPath };
            foreach (var (name, value) in JsonNode.Parse(r.ToJson())!.AsObject().ToArray())
                document[name] = value?.DeepClone();
            stdout.Write(OutputWriter.ToJson(document));
            return AccelCli.ExitOk;
        }
        stdout.WriteLine($"{r.Operation}: {output}");
        stdout.WriteLine($"  size {r.Original.FileBytes} -> {r.Optimized.FileBytes} bytes, gzip {r.Original.GzipBytes} -> {r.Optimized.GzipBytes}");
        if (r.Original.LatencyMs is { } a && r.Optimized.LatencyMs is { } b)
        {
            if (r.Latency is { } lm)
            {
                string clock = lm.Clock == LatencyMeasurement.ThreadCpuClock ? "thread CPU time" : "wall clock";
                string load = lm.LoadAverage is { } l ? string.Create(CultureInfo.InvariantCulture, $"; load {l:F1}") : "";
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  latency (cpu, 1 thread, {clock}, min of {lm.Rounds} interleaved rounds) {a:F3} -> {b:F3} ms (x{lm.Ratio:F2}; medians {lm.OriginalMedianMs:F3} -> {lm.OptimizedMedianMs:F3}{load})"));
            }
            else stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  latency (cpu, 1 thread) {a:F3} -> {b:F3} ms"));
        }
        foreach (var o in r.Outputs)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  output {o.Index} '{o.Name}': rel L2 {o.RelativeL2:G4}, max abs {o.MaxAbs:G4}{(o.Top1Agreement is { } t ? $", top-1 agreement {t:P1}" : "")}"));
        if (r.ImageNormalization is { } normalised)
            stdout.WriteLine($"  images normalised: {normalised}");
        if (r.TaskAccuracy is { } accuracy)
            foreach (var c in accuracy.Criteria)
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {accuracy.Task}: {c.Name} {c.Achieved:G4} ({(c.AtLeast ? ">=" : "<=")} {c.Bound:G4}: {(c.Met ? "met" : "NOT met")})"));
        if (r.AccuracyTarget is { } target)
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  accuracy target {target.Target:G3}: {(target.Met ? "met" : "NOT met")} with {target.FloatLayers} float layers (output error {target.OutputError:G3}, {target.Trials.Count} trials)"));
        foreach (var kept in r.FloatOperators.Where(f => f.Reason.StartsWith("kept float", StringComparison.Ordinal)))
            stdout.WriteLine($"  node {kept.Node} {kept.Operator}: {kept.Reason}");
        if (r.FloatOperators.Count > 0)
            stdout.WriteLine($"  {r.FloatOperators.Count} operators stay float: {string.Join(", ", r.FloatOperators.GroupBy(f => f.Operator).Select(g => $"{g.Key} x{g.Count()}"))}");
        stdout.WriteLine($"  report: {reportPath}");
        return AccelCli.ExitOk;
    }

    private static string OneModel(ParsedArgs p, string command) => p.Positionals.Count == 1 ? p.Positionals[0]
        : throw new UsageException(p.Positionals.Count == 0 ? "no MODEL given" : $"expected one MODEL, got {p.Positionals.Count} arguments: {string.Join(" ", p.Positionals)}", command);

    /// <summary>A --max-… option: an integer in [1, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    private static long Limit(ParsedArgs p, string name, long fallback, long max, string command)
    {
        if (p.Value(name) is not { } text) return fallback;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < 1 || value > max)
            throw new UsageException($"{name} '{text}': an integer from 1 to {max}", command);
        return value;
    }

    /// <summary>A count option: an integer from 0 to int.MaxValue, 0 when absent.</summary>
    private static long Count(ParsedArgs p, string name, string command)
    {
        if (p.Value(name) is not { } text) return 0;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > int.MaxValue)
            throw new UsageException($"{name} '{text}': a whole number from 0 to {int.MaxValue}", command);
        return value;
    }

    /// <summary>--augment N [--augment-seed S] [--augment-ranges SPEC]: null without --augment (or with 0).</summary>
    private static CalibrationAugmentation? Augmentation(ParsedArgs p, string command)
    {
        if (!p.Has("--augment"))
        {
            string? stray = new[] { "--augment-seed", "--augment-ranges" }.FirstOrDefault(p.Has);
            if (stray is not null) throw new UsageException($"{stray} sets up --augment N: give --augment too", command);
            return null;
        }
        string text = p.Value("--augment")!;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count > CalibrationAugmentation.MaxCount)
            throw new UsageException($"--augment '{text}': an integer from 0 to {CalibrationAugmentation.MaxCount}", command);
        ulong seed = 0;
        if (p.Value("--augment-seed") is { } seedText && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
            throw new UsageException($"--augment-seed '{seedText}': a non-negative integer", command);
        AugmentationRanges? ranges = null;
        if (p.Value("--augment-ranges") is { } spec)
        {
            try { ranges = AugmentationRanges.Parse(spec); }
            catch (OptimizationException e) { throw new UsageException($"--augment-ranges '{spec}': {e.Message}", command); }
        }
        return count == 0 ? null : new CalibrationAugmentation(count, seed, ranges);
    }

    /// <summary>
    /// How images become input values: --mean / --std when either is given (one value, or one per channel separated by
    /// commas; the other defaults to 0 or 255), else the model's TFLite Support metadata when it has NormalizationOptions
    /// (as TFLite's Task Library reads it), else mean 0, std 255. Source says which, for the report. The metadata is read
    /// only where <paramref name="files"/> hold an image (raw tensors need no normalisation).
    /// </summary>
    private static (InputNormalization Value, string Source) ImageNormalization(ParsedArgs p, Model model, IReadOnlyList<string> files, string command)
    {
        if (p.Has("--mean") || p.Has("--std"))
        {
            float[] mean = Numbers(p, "--mean", 0, command), std = Numbers(p, "--std", 255, command);
            try { return (new InputNormalization(mean, std), "--mean/--std"); }
            catch (ArgumentException e) { throw new UsageException($"--mean/--std: {e.Message}", command); }
        }
        if (!files.Any(IsImage)) return (CalibrationData.DefaultNormalization, "the default (no image read)");
        return SupportMetadata.ReadInputNormalization(model) is { } own
            ? (own, $"the model's metadata ({SupportMetadata.MetadataName} NormalizationOptions)")
            : (CalibrationData.DefaultNormalization, "the default (the model's metadata gives none)");
    }

    private static float[] Numbers(ParsedArgs p, string name, float fallback, string command)
    {
        string? text = p.Value(name);
        if (text is null) return [fallback];
        var parts = text.Split(',');
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new UsageException($"{name} needs a number, or one per channel separated by commas; got '{text}'", command);
        return values;
    }

    private static bool IsImage(string file) => CalibrationData.ImageExtensions.Contains(Path.GetExtension(file));

    /// <summary>Records the image normalisation in the report when images were read.</summary>
    private static OptimizationResult WithImageNormalization(OptimizationResult result, IReadOnlyList<string> files,
        (InputNormalization Value, string Source) normalization) =>
        files.Any(IsImage)
            ? result with { Report = result.Report with { ImageNormalization = $"{normalization.Value}, from {normalization.Source}" } }
            : result;

    private static double Number(ParsedArgs p, string name, double fallback, string command)
    {
        string? text = p.Value(name);
        if (text is null) return fallback;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v : throw new UsageException($"{name} needs a number, got '{text}'", command);
    }

    /// <summary>The optimizer's phases (calibration, evaluation, latency) on the command's progress display.</summary>
    private sealed class TaskProgress(IProgressTask task, int expected) : IProgress<OptimizationProgress>
    {
        public void Report(OptimizationProgress value) => task.Report(value.Phase, value.Done, value.Total > 0 ? value.Total : expected);
    }
}
