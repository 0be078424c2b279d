using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Accel.Perf;

/// <summary>
/// Entry point (command line: <see cref="PerfCommandLine"/>): BenchmarkSwitcher over every suite in this assembly (pick with BDN's <c>--filter</c>), plus:
/// <list type="bullet">
/// <item><c>--smoke</c>: 1 warmup + 3 short iterations per benchmark (rough numbers, proves everything runs).</item>
/// <item><c>--out-of-process</c>: BDN's usual separate benchmark process instead of the in-process default.</item>
/// <item><c>facts</c> (alone): print each corpus model's sizes, constant/folded/arena bytes, and exit.</item>
/// <item><c>int8-ab [ROUNDS]</c>: float32 vs int8 single-node kernels on the CPU delegate, interleaved (<see cref="QuantizedAb"/>).</item>
/// <item><c>net-ab MODEL... [--rounds N] [--threads T...]</c>: whole models on the CPU delegate, interleaved (<see cref="NetworkAb"/>).</item>
/// <item><c>allocations [MODEL...]</c>: exact managed bytes per Invoke on the calling thread (all models if none named).</item>
/// </list>
/// All other arguments go to BenchmarkDotNet unchanged (<c>--filter</c>, <c>--list flat</c>, <c>--exporters</c>, ...).
/// After a run the combined per-model table is written to <c>BenchmarkDotNet.Artifacts/results/accel-perf-summary.md</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => PerfCommandLine.Invoke(args, Run, Console.Out, Console.Error);

    private static int Run(PerfInvocation invocation)
    {
        switch (invocation.Kind)
        {
            case "facts":
                Console.Write(PerfReport.FactsTable());
                return 0;
            case "int8-ab":
                Console.Write(QuantizedAb.Run(invocation.Rounds));
                return 0;
            case "net-ab":
                Console.Write(NetworkAb.Run(invocation.Models, invocation.Threads ?? [1], invocation.Rounds));
                return 0;
            case "allocations":
                Console.Write(AllocationCheck.Run(invocation.Models.Length > 0 ? invocation.Models : CorpusModels.Names));
                return 0;
        }
        bool smoke = invocation.Smoke;
        bool outOfProcess = invocation.OutOfProcess;
        string[] bdnArgs = invocation.BenchmarkArguments;

        var config = DefaultConfig.Instance;
        if (!outOfProcess) config = config.AddJob(PerfJobs.InProcessMutator);
        if (smoke) config = config.AddJob(PerfJobs.SmokeMutator);

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(bdnArgs, config).ToArray();
        if (summaries.Length == 0) return 0;

        string table = PerfReport.CombinedTable(summaries);
        string resultsDirectory = summaries[0].ResultsDirectoryPath;
        Directory.CreateDirectory(resultsDirectory);
        string path = Path.Combine(resultsDirectory, "accel-perf-summary.md");
        File.WriteAllText(path, table);
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine($"(written to {path})");
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
