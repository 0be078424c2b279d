using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Accel.Perf;

/// <summary>
/// A throughput column: the benchmark's work per invoke (FLOPs or bytes, from <paramref name="workPerInvoke"/>)
/// divided by its median time (or, with <paramref name="fromMinimum"/>, its fastest iteration: the figure for a
/// physical limit on a shared machine, where other jobs only ever make things slower), in G-units per second.
/// Used for GFLOP/s of kernels and the machine limits.
/// </summary>
public sealed class RateColumn(string name, Func<BenchmarkCase, double?> workPerInvoke, bool fromMinimum, string legend) : IColumn
{
    public RateColumn(string name, bool fromMinimum = false)
        : this(name, WorkOf, fromMinimum, $"work per invoke / {(fromMinimum ? "fastest iteration's" : "median")} time, 10^9 per second") { }

    /// <summary>Work of the suites in this assembly that declare it (MachineLimits, CpuKernels).</summary>
    private static double? WorkOf(BenchmarkCase benchmark)
    {
        string method = benchmark.Descriptor.WorkloadMethod.Name;
        int threads = benchmark.Parameters["Threads"] is int t ? t : 1;
        return benchmark.Descriptor.Type.Name switch
        {
            nameof(Benchmarks.MachineLimitsBenchmarks) => Benchmarks.MachineLimitsBenchmarks.WorkPerInvoke(method, threads),
            nameof(Benchmarks.CpuKernelBenchmarks) when benchmark.Parameters["Kernel"] is string kernel => 2.0 * Benchmarks.CpuKernelBenchmarks.MacsOf(kernel),
            nameof(Benchmarks.CpuQuantizedKernelBenchmarks) when benchmark.Parameters["Kernel"] is string kernel => 2.0 * Benchmarks.CpuQuantizedKernelBenchmarks.MacsOf(kernel),
            _ => null,
        };
    }

    public string Id => nameof(RateColumn) + "." + ColumnName;
    public string ColumnName { get; } = name;
    public string Legend { get; } = legend;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        summary[benchmarkCase]?.ResultStatistics is { } stats && workPerInvoke(benchmarkCase) is double work && stats.Median > 0
            ? (work / (fromMinimum ? stats.Min : stats.Median)).ToString("0.00") // work per ns = G per second
            : "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public override string ToString() => ColumnName;
}
