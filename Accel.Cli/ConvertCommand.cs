using System.Globalization;
using System.Text.Json;
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
        """;

    /// <summary>A --max-… option: an integer in [1, <paramref name="max"/>], or <paramref name="fallback"/> when absent.</summary>
    private static long Limit(ParsedArgs parsed, string option, long fallback, long max)
    {
        if (parsed.Value(option) is not { } text) return fallback;
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < 1 || value > max)
            throw new UsageException($"{option} '{text}': an integer from 1 to {max}", "convert");
        return value;
    }

    public static int Execute(ParsedArgs parsed, TextWriter stdout)
    {
        if (parsed.Positionals.Count != 1)
            throw new UsageException(parsed.Positionals.Count == 0 ? "convert needs the ONNX model" : $"convert takes one model, got {parsed.Positionals.Count}", "convert");
        string output = parsed.Value("--output") ?? throw new UsageException("convert needs -o FILE.tflite", "convert");
        if (parsed.Has("--quantize"))
            throw new UsageException("--quantize is not built in 'convert'; quantization is the separate 'accel quantize' tool", "convert");
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
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var result = OnnxConverter.ConvertFile(input, output, options);
        sw.Stop();
        stdout.WriteLine($"{input} -> {output}: {result.OnnxNodeCount} ONNX nodes -> {result.OperatorCount} TFLite operators, " +
            $"{result.TransposeCount} TRANSPOSE, {result.FoldedNodes} folded, {result.ConvBatchNormFolds} Conv+BN and {result.MatMulAddFolds} MatMul+Add folds, " +
            $"{result.FusedActivations.Count} fused activations, {result.Tflite.Length:N0} bytes, {sw.Elapsed.TotalMilliseconds:F0} ms");
        if (parsed.Value("--report") is { } report)
        {
            var json = JsonSerializer.Serialize(new
            {
                schema = "accel-convert/1",
                source = input,
                output,
                onnxNodes = result.OnnxNodeCount,
                tfliteOperators = result.OperatorCount,
                transposes = result.TransposeCount,
                transposedValues = result.TransposedValues,
                foldedNodes = result.FoldedNodes,
                removedPassThrough = result.RemovedPassThrough,
                removedDeadNodes = result.RemovedDeadNodes,
                convBatchNormFolds = result.ConvBatchNormFolds,
                matMulAddFolds = result.MatMulAddFolds,
                fusedActivations = result.FusedActivations,
                bytes = result.Tflite.Length,
                milliseconds = sw.Elapsed.TotalMilliseconds,
            }, new JsonSerializerOptions { WriteIndented = true });
            File.WriteAllText(report, json + "\n");
        }
        return AccelCli.ExitOk;
    }
}
