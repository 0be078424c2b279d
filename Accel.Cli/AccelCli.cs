using System.Reflection;
using System.Runtime.InteropServices;

namespace Accel.Cli;

/// <summary>
/// The <c>accel</c> command line, callable in-process: <see cref="Run"/> takes the arguments and the two writers
/// and returns the exit code (0 ok, 1 runtime error, 2 usage error). Errors are one <c>accel: error: …</c> line on
/// <paramref name="stderr"/> (the unsupported-operator list continues on further lines); stack traces only with
/// <c>--verbose</c>.
/// </summary>
public static class AccelCli
{
    public const int ExitOk = 0;
    public const int ExitRuntimeError = 1;
    public const int ExitUsageError = 2;

    public const string Usage = """
        accel - Accel, a TensorFlow Lite compatible inference runtime

        usage:
          accel inspect MODEL [--json]
              inputs/outputs, operator histogram, tensor/node counts, constant, folded-constant
              and arena bytes, estimated MACs per operator and the top 10 nodes
          accel run MODEL [--input NAME_OR_INDEX=FILE.bin ...] [--random-seed N] [--output-dir DIR]
                          [--runs N] [--verbose]
              runs the model once (or N times) on given or seeded random inputs; writes raw
              outputs and outputs.json in the LiteRT.js oracle's format
          accel conform [--backend all|reference|cpu|...] [--cases FILTER] [--shard I/N]
                        [--junit FILE] [--json FILE] [--html FILE] [--generate [--update]] [--list]
          accel conform merge REPORT.json... [--json FILE] [--junit FILE] [--html FILE]
              the conformance suite: every case x backend bit for bit against the goldens
          accel bench MODEL [--delegate NAME] [--threads N] [--warmup N] [--runs N] [--max-secs S]
                            [--profile-ops [--per-node]] [--json FILE] [--history FILE|DIR]
              TFLite's benchmark_model: init, first inference, latency distribution, memory,
              per-op profile; --json writes every sample and appends to the machine's history
          accel perf report HISTORY... --html FILE [--github-json FILE]
          accel perf compare BASELINE.json CURRENT.json [--alpha A] [--min-effect F]
              dashboard (latency over commits, peer ratios, regressions) and a statistical
              regression gate (exit 3 on a regression)
          accel ops [--json | --markdown | --write-docs FILE]
              operator coverage: every defined operator x dtype, its versions, and per backend
              (reference, cpu, vulkan, ilgpu, hexagon, opencl) whether it runs it or why not (docs/ops.md)
          accel quantize MODEL -o OUT --mode fp16|int8 [--calibration DIR|FILE ...] [--io float|int8|uint8]
              post-training quantization (float16 weights, or full int8 with calibrated activations)
          accel prune MODEL -o OUT --sparsity S [--block 1x4|1x16] [--format dense|sparse]
              magnitude pruning of large weights (dense zeros, or TFLite's sparse format + DENSIFY)
          accel convert MODEL.onnx -o MODEL.tflite [--input-shape NAME=DIMS ...] [--nhwc-io] [--keep-nchw]
              ONNX -> NHWC .tflite (Accel.Convert/README.md says which ops convert)
          accel version
          accel help [COMMAND]      (or: accel COMMAND --help)

        Backends (--delegate): cpu (SIMD), vulkan (compute shaders), ilgpu (CUDA / OpenCL; or ILGPU's
        CPU accelerator with ACCEL_ILGPU_ACCELERATOR=cpu), hexagon (int8/uint8 on the Hexagon DSP
        runtime, run under qemu-hexagon), opencl (OpenCL C kernels: GPU, else a CPU implementation
        such as PoCL).
        Exit codes: 0 ok, 1 runtime error (bad model, missing file, kernel error), 2 usage error,
        3 'accel perf compare' found a regression.
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool verbose = args.Contains("--verbose") || args.Contains("-v");
        try
        {
            // The edge: the environment is read here, once per run, and passed on as values.
            var environment = CliEnvironment.Read();
            environment.ApplyProcessSwitches();
            return Dispatch(args, stdout, stderr, environment);
        }
        catch (UsageException e)
        {
            string hint = e.Command is null ? "see 'accel --help'" : $"see 'accel help {e.Command}'";
            stderr.WriteLine($"accel: error: {e.Message} ({hint})");
            if (verbose) stderr.WriteLine(e);
            return ExitUsageError;
        }
        catch (Exception e) when (e is CliException or AccelException or IOException or UnauthorizedAccessException)
        {
            // AccelException covers ModelFormatException ("Malformed model at ..."), UnsupportedOperatorException
            // (a list of every unsupported node), KernelException (names the node), TensorAccessException.
            stderr.WriteLine($"accel: error: {e.Message}");
            if (verbose) stderr.WriteLine(e);
            return ExitRuntimeError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"accel: error: internal error: {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (--verbose shows the stack trace)"));
            if (verbose) stderr.WriteLine(e);
            return ExitRuntimeError;
        }
    }

    private static int Dispatch(string[] args, TextWriter stdout, TextWriter stderr, CliEnvironment environment)
    {
        if (args.Length == 0)
        {
            stderr.Write(Usage);
            stderr.WriteLine();
            return ExitUsageError;
        }
        string command = args[0];
        var rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "-h":
            case "--help":
                stdout.Write(Usage);
                stdout.WriteLine();
                return ExitOk;
            case "help":
                return Help(rest, stdout);
            case "version":
            case "--version":
                if (rest.Length > 0 && command == "version" && !IsHelp(rest)) throw new UsageException($"'version' takes no arguments, got '{rest[0]}'", "version");
                stdout.WriteLine(VersionText());
                return ExitOk;
            case "inspect":
                return InspectCommand.Execute(rest, stdout, environment);
            case "run":
                return RunCommand.Execute(rest, stdout, stderr, environment);
            case "conform":
                return ConformCommand.Execute(rest, stdout, stderr, environment);
            case "bench":
                return BenchCommand.Execute(rest, stdout, stderr, environment);
            case "perf":
                return PerfCommand.Execute(rest, stdout, stderr);
            case "ops":
                return OpsCommand.Execute(rest, stdout, environment);
            case "quantize":
                return OptimizeCommands.Quantize(rest, stdout, stderr);
            case "prune":
                return OptimizeCommands.Prune(rest, stdout, stderr);
            case "convert":
                return ConvertCommand.Execute(rest, stdout);
            default:
                if (command.StartsWith("--delegate", StringComparison.Ordinal))
                    throw new UsageException("--delegate is an option of 'run', 'inspect' and 'bench'; a command comes first");
                throw new UsageException(command.StartsWith('-') ? $"unknown option '{command}' (a command comes first)" : $"unknown command '{command}'");
        }
    }

    private static int Help(string[] rest, TextWriter stdout)
    {
        string text = rest.Length == 0 ? Usage : rest[0] switch
        {
            "inspect" => InspectCommand.Usage,
            "run" => RunCommand.Usage,
            "version" => "usage: accel version\n  prints the versions of accel, Accel.Runtime.Core and .NET",
            "help" => Usage,
            "conform" => ConformCommand.Usage,
            "bench" => BenchCommand.Usage,
            "perf" => PerfCommand.Usage,
            "ops" => OpsCommand.Usage,
            "quantize" => OptimizeCommands.QuantizeUsage,
            "prune" => OptimizeCommands.PruneUsage,
            "convert" => ConvertCommand.Usage,
            _ => throw new UsageException($"no help for unknown command '{rest[0]}'"),
        };
        stdout.Write(text);
        stdout.WriteLine();
        return ExitOk;
    }

    internal static bool IsHelp(IReadOnlyList<string> args) => args.Any(a => a is "-h" or "--help");

    /// <summary>One line: accel's version, the runtime library's and .NET's.</summary>
    public static string VersionText() =>
        $"accel {InformationalVersion(typeof(AccelCli).Assembly)} (Accel.Runtime.Core {InformationalVersion(typeof(Interpreter).Assembly)}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier})";

    internal static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}
