using System.CommandLine;

namespace Accel.Cli;

public static partial class BenchCommand
{
    internal static Command Declare(CliContext context) =>
        new CommandSpec("bench", "TFLite's benchmark_model: init, first inference, latency distribution, memory, per-op profile; --json writes every sample and appends to the machine's history",
                "MODEL", "the .tflite file") { Details = Description }
            .Option("--delegate", "NAME[,NAME...]", "cpu (default), reference, vulkan, ilgpu, hexagon or opencl, as for 'accel run'", "-d")
            .Option("--threads", "N", "threads delegates may use (default 1)", "-t")
            .Option("--parallel-threshold-us", "T",
                "cpu delegate, more than one thread: nodes estimated below T microseconds on one thread run on the calling thread " +
                "alone (default 0: every node uses the pool; the outputs are the same bytes)")
            .Option("--parallelism", "adaptive|pool",
                "cpu delegate, more than one thread: adaptive (default) times each partition's invokes on the pool and on the calling " +
                "thread alone and keeps the faster, and bench notes which it kept; pool always uses the pool (the outputs are the same bytes)")
            .Option("--warmup", "N", "warm-up invokes after the first one (default: automatic, see --warmup-secs)")
            .Option("--warmup-secs", "S",
                $"automatic warm-up: invoke until {AutomaticWarmupRuns} warm-up runs or S seconds (default 2), whichever comes first. .NET's tiered JIT " +
                "recompiles a method optimized after 30 calls: Accel's kernels are compiled optimized at their first call, the rest of the " +
                "per-invoke code (the runtime's, the app's) reaches that after ~30 invokes")
            .Option("--runs", "N", "timed invokes (default 50)")
            .Option("--max-secs", "S", "stop the timed invokes after S seconds (default 150; at least one run is always timed)")
            .Switch("--profile-ops",
                "afterwards, profile the plan's steps (Interpreter.InvokeProfiled) and print a per-op table sorted by cost: op, node(s), time, " +
                "% of total, cumulative %, MACs and achieved GFLOP/s (2 FLOPs per MAC). A delegate partition is one step: its row covers all " +
                "its nodes, and the table says so")
            .Switch("--per-node",
                "with --profile-ops and a delegate: compile every claimed node as its own partition (same kernels, same threads) so each op " +
                "gets its own row; cross-node cache effects are lost")
            .Switch("--in-plan",
                "with --profile-ops: time each unit of work inside the real plan's delegate partitions where the delegate can (cpu), with " +
                "the plan's fusions, threads and parallelism choice as they run; nodes fused into one pass share a row")
            .Option("--profile-runs", "N", "profiled invokes; each step's median is reported (default 10)")
            .Option("--peak-gflops", "G|measure",
                "the FLOP rate to read the results against: G GFLOP/s (e.g. the FMA peak BenchmarkDotNet's MachineLimits suite measures), or " +
                "'measure': this machine's FMA peak at --threads, measured in this process just before and just after the timed runs (the " +
                "larger counts). Prints the invoke's GFLOP/s as a % of it, and adds a '% of peak' column to --profile-ops")
            .Option("--json", "FILE", "writes the result (accel-bench/1, every sample) to FILE ('-': standard output, instead of the text) and appends it to the history")
            .Option("--history", "FILE.jsonl|DIR",
                "history to append to (default: $ACCEL_BENCH_HISTORY, else ${ACCEL_CACHE:-~/.cache/accel}/bench-history/<machine>.jsonl); " +
                "given alone it also appends")
            .Switch("--no-history", "with --json: do not append")
            .Option("--github-json", "FILE", "github-action-benchmark 'customSmallerIsBetter' JSON (median ms)")
            .Option("--random-seed", "N", "input seed (default 0)")
            .Switch("--verbose", "stack traces on errors", "-v")
            .WithAction(parsed => Execute(parsed, context.Stdout, context.Stderr, context.Environment));
}
