using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;

namespace Accel.Perf;

/// <summary>
/// What every suite shares: its own job, the MemoryDiagnoser, full model names in the tables (BDN cuts parameter
/// values at 20 characters by default) and rows in declared order (corpus models small to large).
/// </summary>
public abstract class SuiteConfig : ManualConfig
{
    protected SuiteConfig(Job job)
    {
        AddJob(job);
        AddDiagnoser(MemoryDiagnoser.Default);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
        WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared));
    }
}
