using System.CommandLine;
using System.CommandLine.Parsing;

namespace Accel.Perf.Peers;

/// <summary>What one peers run was asked to do.</summary>
internal sealed record Options(string Command, int? Rounds, int Warmup, double MaxSeconds, string[] Models, string[] Builds,
    int[] Threads, bool WithReference, string? Json, string? History, bool NoHistory, int Later = 60, bool ThreadCpu = false, bool DefaultTiering = false)
{
    public static readonly string[] AllModels =
    [
        "face_detection_short_range", "selfie_segmentation", "selfie_segmentation_landscape", "face_detection_full_range_sparse",
        "face_detection_full_range", "hand_landmark_lite", "pose_landmark_lite", "hand_landmark_full", "pose_landmark_full", "pose_landmark_heavy",
    ];

    public static readonly string[] AllBuilds = ["compat", "relaxed", "threaded"];

    /// <summary>The cold-start command's default models: the small model (with an ONNX peer) and its large one.</summary>
    public static readonly string[] ColdModels = ["face_detection_short_range", "pose_landmark_heavy"];
}

/// <summary>
/// The peers program's command line on System.CommandLine, as the <c>accel</c> tool's: help, usage errors (exit 2)
/// and response files come from these declarations.
/// </summary>
internal static class PeersCommandLine
{
    public const int ExitUsage = 2;

    /// <summary>The root command; each of ort, converted, qdq, litert, all and cold calls <paramref name="run"/> with the parsed options.</summary>
    public static RootCommand Create(Func<Options, int> run)
    {
        var rounds = new Option<int?>("--rounds") { HelpName = "N", Description = "timed interleaved rounds per session (default: ort 60, litert 20)", Recursive = true };
        // Validators read the token: a value that is no number at all is already the parser's own error.
        rounds.Validators.Add(r => { if (r.Tokens is [var t] && int.TryParse(t.Value, out int n) && n < 1) r.AddError("--rounds expects an integer >= 1"); });
        var warmup = new Option<int>("--warmup")
        {
            HelpName = "N", DefaultValueFactory = _ => 35, Recursive = true,
            Description = "interleaved warm-up rounds (default 35, or fewer if they take over 20 s: .NET's tiered JIT optimizes a method " +
                "after 30 calls: Accel's kernels are optimized at their first call, the rest of each contender's per-invoke code after ~30 invokes)",
        };
        warmup.Validators.Add(r => { if (r.Tokens is [var t] && int.TryParse(t.Value, out int n) && n < 0) r.AddError("--warmup expects an integer >= 0"); });
        var maxSeconds = new Option<double>("--max-secs") { HelpName = "S", DefaultValueFactory = _ => 120, Recursive = true, Description = "stop a session's timed rounds after S seconds (default 120)" };
        maxSeconds.Validators.Add(r =>
        {
            if (r.Tokens is [var t] && double.TryParse(t.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && !(s > 0))
                r.AddError("--max-secs expects a positive number");
        });
        var models = new Option<string[]>("--models")
        {
            HelpName = "a,b,...", Recursive = true, CustomParser = SplitList,
            Description = "litert: corpus models (default: all ten; 'all' names them all); converted: ONNX models (default: every one); qdq: ONNX models (default: the two BlazeFace); " +
                "cold: corpus models or paths to .tflite files",
        };
        var builds = new Option<string[]>("--builds") { HelpName = "a,b", Recursive = true, CustomParser = SplitList, Description = "litert: compat,relaxed,threaded (default: all three)" };
        builds.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string[]>()?.Except(Options.AllBuilds).FirstOrDefault() is { } bad)
                r.AddError($"unknown LiteRT.js build '{bad}' (compat, relaxed, threaded)");
        });
        var threads = new Option<int[]>("--threads")
        {
            HelpName = "1,2", Recursive = true, Description = "litert: thread counts (default 1,2; 1 runs compat+relaxed, 2 runs threaded); qdq: thread counts (default 1,2)",
            CustomParser = r =>
            {
                var values = new List<int>();
                foreach (string part in SplitList(r))
                {
                    if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1)
                    {
                        r.AddError($"--threads expects positive integers separated by commas, got '{part}'");
                        return [];
                    }
                    values.Add(n);
                }
                return [.. values];
            },
        };
        var withReference = new Option<bool>("--with-reference") { Recursive = true, Description = "litert: also Accel's reference kernels (seconds per run on the big models)" };
        var json = new Option<string?>("--json") { HelpName = "FILE", Recursive = true, Description = "every contender's record (accel-bench/1 JSON array)" };
        var history = new Option<string?>("--history")
        {
            HelpName = "FILE.jsonl|DIR", Recursive = true,
            Description = "history to append to (default: the machine's file in ${ACCEL_CACHE:-~/.cache/accel}/bench-history, as accel bench --json)",
        };
        var noHistory = new Option<bool>("--no-history") { Recursive = true, Description = "do not append" };
        var later = new Option<int>("--later")
        {
            HelpName = "N", DefaultValueFactory = _ => 60, Recursive = true,
            Description = "cold: invokes after the first in each process, checked against the median of their later half (default 60)",
        };
        var clock = new Option<string>("--clock")
        {
            HelpName = "wall|thread", DefaultValueFactory = _ => "wall", Recursive = true,
            Description = "ort, converted, qdq: time each run by the wall clock (default) or by the calling thread's CPU time (Linux " +
                "CLOCK_THREAD_CPUTIME_ID; both runtimes run 1-thread work on the caller's thread, so a loaded machine's waits for a core drop out)",
        };
        var defaultTiering = new Option<bool>("--default-tiering")
        {
            Recursive = true,
            Description = "cold: run each child with .NET's default tiering (quick JIT for loops on, as in an application that sets nothing; " +
                "this program's own runtimeconfig turns it off for its in-process loops), so the early windows show any kernel left as tier-0 code",
        };
        clock.Validators.Add(r => { if (r.Tokens is [var t] && t.Value is not ("wall" or "thread")) r.AddError($"--clock expects wall or thread, got '{t.Value}'"); });
        later.Validators.Add(r => { if (r.Tokens is [var t] && int.TryParse(t.Value, out int n) && n < 2) r.AddError("--later expects an integer >= 2"); });

        var root = new RootCommand("""
            Accel against its peers on the same machine, same inputs, interleaved round by round (A B C, B C A, ...).
            Run: dotnet run -c Release --project perf/Accel.Perf.Peers -- COMMAND [options]
            """);
        foreach (var option in new Option[] { rounds, warmup, maxSeconds, models, builds, threads, withReference, json, history, noHistory, later, clock, defaultTiering })
            root.Options.Add(option);
        var commands = new (string Name, string Description)[]
        {
            ("ort", "Accel (reference and cpu delegate, 1 thread) on face_detection_short_range.tflite vs ONNX Runtime (native CPU, 1 intra-op " +
                    "thread) on keijiro's ONNX conversion of the same network (scripts/fetch-onnx-models.sh installs it)"),
            ("litert", "Accel's cpu delegate vs LiteRT.js (wasm XNNPACK under Node, conformance/oracle/bench.mjs) on corpus models: 1 thread " +
                       "(compat and relaxed-SIMD builds), 2 threads (threaded build)"),
            ("converted", "Accel's cpu delegate (1 thread) on each ONNX model converted in-process by Accel.Convert vs ONNX Runtime (native " +
                          "CPU, 1 intra-op thread) on the ONNX file, interleaved, after checking that their outputs agree (relative L2 " +
                          "per output; --models names files in ${ACCEL_CACHE:-~/.cache/accel}/onnx without .onnx, default every one " +
                          "there: scripts/fetch-onnx-models.sh)"),
            ("qdq", "Accel's int8 model against ONNX Runtime on the same network quantized (QDQ): each ONNX model (--models, default the " +
                    "two BlazeFace conversions) converted by Accel.Convert (ONNX's layout at the boundary), quantized to int8 by Accel.Optimize on the " +
                    "cache's images (6 views each, min/max), and written back as QDQ ONNX with that model's scales and zero points " +
                    "(activations int8 and uint8, Conv weights int8 per channel); ORT's fused graph and both sides' outputs (in output LSB) " +
                    "printed, then Accel int8/float and ORT QDQ int8/uint8/float interleaved at each --threads count (default 1,2)"),
            ("all", "ort, then litert"),
            ("cold", "cold start (issue 20): Accel's cpu delegate (1 thread) and, for face_detection_short_range, ONNX Runtime (1 thread), each " +
                     "in fresh processes of this program, alternating: process CPU and wall time from process start to the first output, " +
                     "then --later invokes against their steady median (--models, default face_detection_short_range and " +
                     "pose_landmark_heavy, or paths to .tflite files; --rounds processes per contender, default 10; --default-tiering)"),
        };
        foreach (var (name, description) in commands)
        {
            var command = new Command(name, description);
            command.SetAction(result =>
            {
                string[] chosen = result.GetValue(models) is { Length: > 0 } m && !(m is ["all"]) ? m
                    : name is "converted" or "qdq" ? []
                    : name == "cold" && result.GetValue(models) is not ["all"] ? Options.ColdModels : Options.AllModels;
                return run(new Options(name, result.GetValue(rounds), result.GetValue(warmup), result.GetValue(maxSeconds), chosen,
                    result.GetValue(builds) is { Length: > 0 } b ? b : Options.AllBuilds,
                    result.GetValue(threads) is { Length: > 0 } t ? t : [1, 2],
                    result.GetValue(withReference), result.GetValue(json), result.GetValue(history), result.GetValue(noHistory),
                    result.GetValue(later), result.GetValue(clock) == "thread", result.GetValue(defaultTiering)));
            });
            root.Subcommands.Add(command);
        }
        // Without a command: the generated help and the usage exit code.
        root.SetAction(result =>
        {
            result.InvocationConfiguration.Error.WriteLine("peers: error: a command is required: ort, converted, qdq, litert, all or cold (see --help)");
            return ExitUsage;
        });
        return root;
    }

    /// <summary>Parses and runs; a usage error is one line on <paramref name="stderr"/> and exit code 2.</summary>
    public static int Invoke(string[] args, Func<Options, int> run, TextWriter stdout, TextWriter stderr)
    {
        var result = Create(run).Parse(args);
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        if (result.Errors.Count > 0 && result.Action is not System.CommandLine.Help.HelpAction)
        {
            stderr.WriteLine($"peers: error: {result.Errors[0].Message} (see --help)");
            return ExitUsage;
        }
        return result.Invoke(configuration);
    }

    private static string[] SplitList(ArgumentResult result) =>
        result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}
