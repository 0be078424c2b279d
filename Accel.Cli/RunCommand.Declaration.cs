using System.CommandLine;

namespace Accel.Cli;

public static partial class RunCommand
{
    internal static Command Declare(CliContext context) =>
        new CommandSpec("run", "runs a model once (or N times) on given or seeded random inputs; writes raw outputs and outputs.json in the LiteRT.js oracle's format",
                "MODEL", "the .tflite file") { Details = Description }
            .Option("--delegate", "NAME[,NAME...]",
                "backends in priority order: cpu (the default: the SIMD CPU delegate), reference (reference kernels only, no delegate), " +
                "vulkan (first discrete GPU, else integrated, else a CPU implementation such as lavapipe), ilgpu (CUDA, else OpenCL; " +
                "ACCEL_ILGPU_ACCELERATOR=cuda|opencl|cpu picks one), hexagon (qemu-hexagon) or opencl (first GPU, else accelerator, else a CPU " +
                "implementation such as PoCL). All are bit-exact with the reference; what a delegate refuses runs on the reference. An unknown " +
                "name, or a device backend this machine cannot run, is an error saying why", "-d")
            .Option("--threads", "N", "threads delegates may use (default 1)", "-t")
            .Repeatable("--input", "NAME_OR_INDEX=FILE.bin",
                "raw little-endian bytes for an input, exactly the tensor's byte size; NAME_OR_INDEX is a tensor name or a 0-based position " +
                "in the model's input list (an exact name wins over an index)", "-i")
            .Option("--random-seed", "N", "seed (0..2^64-1, default 0) for the inputs not given with --input")
            .Option("--output-dir", "DIR",
                "writes DIR/input_<i>.bin (the bytes every input was fed), DIR/output_<i>.bin (raw bytes, model output order) and " +
                "DIR/outputs.json (the LiteRT.js oracle's format: model, outputs[{index,name,shape,dtype,sha256}], inputs, modelSha256, " +
                "runtime); earlier input_*/output_*.bin and outputs.json there are removed", "-o")
            .Option("--runs", "N", "invokes N times (default 1) and also reports the median latency")
            .Switch("--json", "print one JSON object instead of text: the outputs.json fields (model, outputs with sha256, inputs, runtime) plus latencyMs, delegates, delegatedNodes and executedNodes")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Stderr, context.Environment));
}
