using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using TfliteModel = Accel.Model;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// Latency of one <see cref="Interpreter.Invoke"/> on the scalar reference executor, per corpus model. Load,
/// AllocateTensors and input filling (deterministic, <see cref="CorpusModels.FillInputs"/>) happen once in the global
/// setup; the benchmark is Invoke alone, and the Allocated column must read "-" (0 B): Invoke allocates nothing.
/// </summary>
[Config(typeof(Config))]
public class InvokeBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(PerfJobs.Invoke)
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max,
                ModelColumn.FileMB, ModelColumn.FoldedMB, ModelColumn.ArenaMB);
        }
    }

    private TfliteModel? _model;
    private Interpreter? _interpreter;

    [ParamsSource(nameof(Models))]
    public CorpusModel Model { get; set; } = null!;

    public static IEnumerable<CorpusModel> Models => CorpusModels.All;

    [GlobalSetup]
    public void Setup()
    {
        _model = TfliteModel.FromFile(Model.PathOnDisk);
        _interpreter = new Interpreter(_model, new InterpreterOptions());
        _interpreter.AllocateTensors();
        CorpusModels.FillInputs(_interpreter);
        // One checked run: a model that produces non-finite outputs from in-range inputs is broken, not fast.
        _interpreter.Invoke();
        CheckOutputsFinite(_interpreter);
    }

    [Benchmark]
    public void Invoke() => _interpreter!.Invoke();

    [GlobalCleanup]
    public void Cleanup()
    {
        _interpreter?.Dispose();
        _model?.Dispose();
    }

    private void CheckOutputsFinite(Interpreter interpreter)
    {
        for (int o = 0; o < interpreter.OutputCount; o++)
        {
            var tensor = interpreter.GetOutputTensor(o);
            if (tensor.Type != TensorType.Float32) continue;
            foreach (float value in tensor.Read<float>())
                if (!float.IsFinite(value))
                    throw new InvalidOperationException($"{Model}: output {o} ({tensor.Name}) has a non-finite value after Invoke.");
        }
    }
}
