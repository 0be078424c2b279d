using System.CommandLine;

namespace Accel.Perf;

/// <summary>What a run of the suite program was asked to do.</summary>
/// <param name="Kind">benchmarks (BenchmarkDotNet), facts, int8-ab, net-ab or allocations.</param>
/// <param name="BenchmarkArguments">The arguments BenchmarkDotNet gets (<c>--filter</c>, <c>--list flat</c>, ...), in order.</param>
/// <param name="Threads">net-ab: the CPU delegate's thread counts, each model opened once per count (default: 1).</param>
internal sealed record PerfInvocation(string Kind, bool Smoke, bool OutOfProcess, int Rounds, string[] Models, string[] BenchmarkArguments, int[]? Threads = null);

/// <summary>
/// The suite program's command line on System.CommandLine, as the <c>accel</c> tool's. Its own options and commands
/// are declared; every other token goes to BenchmarkDotNet unchanged, in order.
/// </summary>
internal static class PerfCommandLine
{
    public const int ExitUsage = 2;

    /// <summary>The root command; each action calls <paramref name="run"/> with what was asked.</summary>
    public static RootCommand Create(Func<PerfInvocation, int> run)
    {
        var smoke = new Option<bool>("--smoke") { Description = "1 warmup + 3 short iterations per benchmark (rough numbers, proves everything runs)" };
        var outOfProcess = new Option<bool>("--out-of-process") { Description = "BenchmarkDotNet's usual separate benchmark process instead of the in-process default" };
        var root = new RootCommand("""
            Accel's BenchmarkDotNet suites (pick with BenchmarkDotNet's --filter; its other options, e.g. --list flat or
            --exporters, pass through unchanged). After a run the combined per-model table is written to
            BenchmarkDotNet.Artifacts/results/accel-perf-summary.md.
            Run: dotnet run -c Release --project perf/Accel.Perf -- [options] [BenchmarkDotNet options]
            """)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Options.Add(smoke);
        root.Options.Add(outOfProcess);
        root.SetAction(result => run(new PerfInvocation("benchmarks", result.GetValue(smoke), result.GetValue(outOfProcess), 0, [], [.. result.UnmatchedTokens])));

        var facts = new Command("facts", "print each corpus model's sizes, constant/folded/arena bytes, and exit");
        facts.SetAction(_ => run(new PerfInvocation("facts", false, false, 0, [], [])));
        root.Subcommands.Add(facts);

        var rounds = new Argument<int>("ROUNDS") { Description = "interleaved rounds (default 15)", DefaultValueFactory = _ => 15, Arity = ArgumentArity.ZeroOrOne };
        // Validators read the token: a value that is no integer at all is already the parser's own error.
        rounds.Validators.Add(r => { if (r.Tokens is [var t] && int.TryParse(t.Value, out int n) && n < 1) r.AddError("ROUNDS expects an integer >= 1"); });
        var int8 = new Command("int8-ab", "float32 vs int8 single-node kernels on the CPU delegate, interleaved") { rounds };
        int8.SetAction(result => run(new PerfInvocation("int8-ab", false, false, result.GetValue(rounds), [], [])));
        root.Subcommands.Add(int8);

        var netRounds = new Option<int>("--rounds") { Description = "interleaved rounds (default 15)", DefaultValueFactory = _ => 15 };
        var netThreads = new Option<int[]>("--threads")
        {
            Description = "CPU delegate thread counts (default 1); several (--threads 1 2) open each model once per count, interleaved, and add each count's speed-up over the first",
            DefaultValueFactory = _ => [1], AllowMultipleArgumentsPerToken = true,
        };
        netThreads.Validators.Add(r => { if (r.GetValueOrDefault<int[]>() is { } t && (t.Length == 0 || t.Any(n => n < 1))) r.AddError("--threads expects integers >= 1"); });
        var netModels = new Argument<string[]>("MODEL") { Description = ".tflite files, measured interleaved (e.g. a float model and its int8 one)", Arity = ArgumentArity.OneOrMore };
        var net = new Command("net-ab", "whole .tflite models on the CPU delegate, interleaved: fastest invoke (wall) and process CPU time per invoke")
            { netModels, netRounds, netThreads };
        net.SetAction(result => run(new PerfInvocation("net-ab", false, false, result.GetValue(netRounds), result.GetValue(netModels) ?? [], [], result.GetValue(netThreads))));
        root.Subcommands.Add(net);

        var models = new Argument<string[]>("MODEL") { Description = "corpus model names (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var allocations = new Command("allocations", "exact managed bytes per Invoke on the calling thread") { models };
        allocations.SetAction(result => run(new PerfInvocation("allocations", false, false, 0, result.GetValue(models) ?? [], [])));
        root.Subcommands.Add(allocations);
        return root;
    }

    /// <summary>Parses and runs; a usage error is one line on <paramref name="stderr"/> and exit code 2.</summary>
    public static int Invoke(string[] args, Func<PerfInvocation, int> run, TextWriter stdout, TextWriter stderr)
    {
        var result = Create(run).Parse(args);
        if (result.Errors.Count > 0 && result.Action is not System.CommandLine.Help.HelpAction)
        {
            stderr.WriteLine($"Accel.Perf: error: {result.Errors[0].Message} (see --help)");
            return ExitUsage;
        }
        return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }
}
