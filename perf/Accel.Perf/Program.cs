using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Accel.Perf;

/// <summary>
/// Entry point: BenchmarkSwitcher over every suite in this assembly (pick with BDN's <c>--filter</c>), plus:
/// <list type="bullet">
/// <item><c>--smoke</c>: 1 warmup + 3 short iterations per benchmark (rough numbers, proves everything runs).</item>
/// <item><c>--out-of-process</c>: BDN's usual separate benchmark process instead of the in-process default.</item>
/// <item><c>facts</c> (alone): print each corpus model's sizes, constant/folded/arena bytes, and exit.</item>
/// <item><c>int8-ab [ROUNDS]</c>: float32 vs int8 single-node kernels on the CPU delegate, interleaved (<see cref="QuantizedAb"/>).</item>
/// <item><c>allocations [MODEL...]</c>: exact managed bytes per Invoke on the calling thread (all models if none named).</item>
/// </list>
/// All other arguments go to BenchmarkDotNet unchanged (<c>--filter</c>, <c>--list flat</c>, <c>--exporters</c>, ...).
/// After a run the combined per-model table is written to <c>BenchmarkDotNet.Artifacts/results/accel-perf-summary.md</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["facts"])
        {
            Console.Write(PerfReport.FactsTable());
            return 0;
        }
        if (args is ["int8-ab", .. var rest])
        {
            Console.Write(QuantizedAb.Run(rest.Length > 0 ? int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture) : 15));
            return 0;
        }
        if (args is ["allocations", .. var named])
        {
            Console.Write(AllocationCheck.Run(named.Length > 0 ? named : CorpusModels.Names));
            return 0;
        }

        bool smoke = args.Contains("--smoke");
        bool outOfProcess = args.Contains("--out-of-process");
        string[] bdnArgs = args.Where(a => a is not ("--smoke" or "--out-of-process")).ToArray();

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
