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
            .Option("--quantize", "MODE", "not built: post-training quantization is the 'accel quantize' tool's work (an error saying so)")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Stderr, context.Environment.NoColor));
}
