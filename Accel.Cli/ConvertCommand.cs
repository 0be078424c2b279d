using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Accel.Conversion;

namespace Accel.Cli;

/// <summary><c>accel convert MODEL.onnx -o MODEL.tflite</c>: the ONNX converter (Accel.Convert) as a command.</summary>
public static partial class ConvertCommand
{
    /// <summary>What --help prints above the generated usage and options.</summary>
    internal const string Description = """
        Converts an ONNX model (ai.onnx opsets 9-21, external-data tensors) into a TFLite flatbuffer:
        constants folded, static shapes inferred, Identity/Dropout and dead nodes removed,
        Conv+BatchNormalization and MatMul+Add folded, Relu/Clip fused into the op before them, and
        the image path converted to NHWC with no avoidable TRANSPOSE. The file has a 'serving_default'
        signature with the ONNX input/output names and a description naming the converter and source.
        Which ONNX ops convert: Accel.Convert/README.md. Nothing is written at -o unless the whole
        model converts; an unsupported op is reported with every other one, by node name.
        --quantize fp16|dynamic|int8|int16x8 then quantizes the converted model as 'accel quantize --mode' does (the
        quantization options below are its own); only the quantized model is written at -o.
        """;

    /// <summary>A --max-… option: an integer in [1, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    private static long Limit(ParsedArgs parsed, string option, long fallback, long max)
    {
        if (parsed.Value(option) is not { } text) return fallback;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < 1 || value > max)
            throw new UsageException($"{option} '{text}': an integer from 1 to {max}", "convert");
        return value;
    }

    public static int Execute(ParsedArgs parsed, TextWriter stdout, TextWriter stderr, bool noColor = false)
    {
        if (parsed.Positionals.Count != 1)
            throw new UsageException(parsed.Positionals.Count == 0 ? "convert needs the ONNX model" : $"convert takes one model, got {parsed.Positionals.Count}", "convert");
        string output = parsed.Value("--output") ?? throw new UsageException("convert needs -o FILE.tflite", "convert");
        string? quantize = QuantizeMode(parsed);
        if (parsed.Has("--nhwc-io") && parsed.Has("--keep-nchw"))
            throw new UsageException("--nhwc-io and --keep-nchw are alternatives", "convert");
        var shapes = new Dictionary<string, int[]>();
        foreach (string spec in parsed.Values("--input-shape"))
        {
            int eq = spec.LastIndexOf('=');
            if (eq <= 0) throw new UsageException($"--input-shape '{spec}' is not NAME=D0,D1,...", "convert");
            try
            {
                int[] dims = spec[(eq + 1)..].Split(',').Select(d => int.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
                if (dims.Any(d => d <= 0)) throw new FormatException();
                shapes[spec[..eq]] = dims;
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new UsageException($"--input-shape '{spec}': dimensions are positive integers separated by commas", "convert");
            }
        }
        string input = parsed.Positionals[0];
        if (!File.Exists(input)) throw new CliException($"'{input}' does not exist");
        var defaults = new ConvertOptions();
        var options = new ConvertOptions
        {
            InputShapes = shapes,
            NhwcIo = parsed.Has("--nhwc-io"),
            KeepNchw = parsed.Has("--keep-nchw"),
            MaxModelBytes = Limit(parsed, "--max-model-bytes", defaults.MaxModelBytes, long.MaxValue),
            MaxNodeCount = (int)Limit(parsed, "--max-nodes", defaults.MaxNodeCount, int.MaxValue),
            MaxFoldedElements = Limit(parsed, "--max-folded-elements", defaults.MaxFoldedElements, int.MaxValue),
            MaxFoldedTotalElements = Limit(parsed, "--max-folded-total-elements", defaults.MaxFoldedTotalElements, long.MaxValue),
        };
        // With --quantize the float model goes to a temporary folder and only the quantized one to -o, so a failed
        // quantization leaves nothing there either.
        using var floatFolder = quantize is null ? null : new TemporaryFolder();
        string converted = floatFolder is null ? output : Path.Combine(floatFolder.Path, Path.GetFileNameWithoutExtension(output) + ".float.tflite");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        // The converter reports no steps: on a terminal a spinner says what runs and for how long; redirected, the
        // one result line that follows is the whole log (a plain 'started' line would only repeat it).
        var display = CliProgress.For(stderr, noColor);
        var result = display.IsInteractive
            ? display.Run("convert", task =>
            {
                task.Report(Path.GetFileName(input));
                return OnnxConverter.ConvertFile(input, converted, options);
            })
            : OnnxConverter.ConvertFile(input, converted, options);
        sw.Stop();
        bool json = parsed.Has("--json");
        if (!json)
            stdout.WriteLine($"{input} -> {(quantize is null ? output : "float model")}: {result.OnnxNodeCount} ONNX nodes -> {result.OperatorCount} TFLite operators, " +
                $"{result.TransposeCount} TRANSPOSE, {result.FoldedNodes} folded, {result.ConvBatchNormFolds} Conv+BN and {result.MatMulAddFolds} MatMul+Add folds, " +
                $"{result.FusedActivations.Count} fused activations, {result.Tflite.Length:N0} bytes, {sw.Elapsed.TotalMilliseconds:F0} ms");
        // With --json stdout carries only the JSON: the quantizer's lines go to stderr.
        string? quantizationReport = quantize is null ? null : Quantize(parsed, quantize, converted, output, json ? stderr : stdout, stderr);
        var report = new JsonObject
        {
            ["schema"] = JsonSchemas.Convert,
            ["source"] = input,
            ["output"] = output,
            ["onnxNodes"] = result.OnnxNodeCount,
            ["tfliteOperators"] = result.OperatorCount,
            ["transposes"] = result.TransposeCount,
            ["transposedValues"] = JsonSerializer.SerializeToNode(result.TransposedValues),
            ["foldedNodes"] = result.FoldedNodes,
            ["removedPassThrough"] = result.RemovedPassThrough,
            ["removedDeadNodes"] = result.RemovedDeadNodes,
            ["convBatchNormFolds"] = result.ConvBatchNormFolds,
            ["matMulAddFolds"] = result.MatMulAddFolds,
            ["fusedActivations"] = JsonSerializer.SerializeToNode(result.FusedActivations),
            ["bytes"] = result.Tflite.Length,
            ["milliseconds"] = sw.Elapsed.TotalMilliseconds,
            ["quantize"] = quantize,
            ["quantizationReport"] = quantizationReport,
        };
        if (parsed.Value("--report") is { } reportPath) File.WriteAllText(reportPath, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (json) stdout.Write(OutputWriter.ToJson(report));
        return AccelCli.ExitOk;
    }
}
