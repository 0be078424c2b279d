using System.CommandLine;

namespace Accel.Cli;

public static partial class ConvertCommand
{
    internal static Command Declare(CliContext context) =>
        new CommandSpec("convert", "ONNX -> NHWC .tflite (Accel.Convert/README.md says which ops convert)",
                "MODEL", "the .onnx file") { Details = Description }
            .Option("--output", "FILE", "the .tflite to write (required)", "-o")
            .Repeatable("--input-shape", "NAME=DIMS", "fixes a model input's shape (symbolic batch etc.)")
            .Switch("--nhwc-io", "rank-4 inputs and outputs are NHWC (default: ONNX's own layout)")
            .Switch("--keep-nchw", "keep ONNX's layout between ops (a TRANSPOSE pair around each conv)")
            .Option("--report", "FILE", "write what the conversion did as JSON (accel-convert/1: docs/cli.md)")
            .Switch("--json", "print that JSON instead of the one-line summary")
            .Option("--quantize", "fp16|int8|int16x8|dynamic",
                "then quantize the converted model as 'accel quantize --mode MODE' does (docs/optimize.md); int8 and int16x8 need --calibration. " +
                "accel quantize's options (--calibration to --no-latency, declared once for both commands) need --quantize")
            .With(OptimizeCommands.QuantizationOptions)
            .Option("--quantize-report", "FILE", "the quantization report: HTML for a .html name, else JSON (default OUT.report.json)")
            .Option("--max-model-bytes", "N", "refuse a larger ONNX file, checked before reading it (default 2147483647)")
            .Option("--max-nodes", "N", "refuse an ONNX graph with more nodes (default 100000)")
            .Option("--max-folded-elements", "N", "refuse a constant folded at conversion with more elements (default 67108864 = 2^26; at most 2^31-1)")
            .Option("--max-folded-total-elements", "N", "refuse when all folded constants together hold more elements (default 134217728 = 2^27)")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Stderr, context.Environment.NoColor));
}
