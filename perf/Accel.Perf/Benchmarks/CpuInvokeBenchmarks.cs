using Accel.Delegates;
using Accel.Delegates.Cpu;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using TfliteModel = Accel.Model;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// Latency of one <see cref="Interpreter.Invoke"/> with the CPU delegate, per corpus model, at 1 and 2 threads;
/// <see cref="InvokeBenchmarks"/> has the reference executor on the same models and inputs. Allocated must read
/// "-" (the delegate allocates nothing per invoke).
/// </summary>
[Config(typeof(Config))]
public class CpuInvokeBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(PerfJobs.Invoke)
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max, ModelColumn.ArenaMB);
            AddExporter(JsonExporter.Full, CsvExporter.Default);
        }
    }

    private TfliteModel? _model;
    private Interpreter? _interpreter;

    [ParamsSource(nameof(Models))]
    public CorpusModel Model { get; set; } = null!;

    public static IEnumerable<CorpusModel> Models => CorpusModels.All;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = TfliteModel.FromFile(Model.PathOnDisk);
        var options = new InterpreterOptions { Threads = Threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        _interpreter = new Interpreter(_model, options);
        _interpreter.AllocateTensors();
        CorpusModels.FillInputs(_interpreter);
        _interpreter.Invoke();
    }

    [Benchmark]
    public void CpuInvoke() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }
}
