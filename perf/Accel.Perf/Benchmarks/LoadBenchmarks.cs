using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using TfliteModel = Accel.Model;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// What it costs to get a corpus model ready. <see cref="FromFile"/>: memory-map + verify (structure only, no weight
/// byte is read, so time should follow tensor/operator counts, not file size: see the µs/MB column).
/// <see cref="FromFileAndAllocate"/>: the same plus <c>new Interpreter</c> and AllocateTensors, which folds the
/// constant DEQUANTIZE (fp16 → fp32) and DENSIFY nodes once and plans the arena; that part does touch the weights.
/// Both dispose what they made, so unmapping and freeing are part of the cost. The Allocated column is managed heap
/// only; folded constants and the arena are native memory (shown in the Folded MB / Arena MB columns).
/// </summary>
[Config(typeof(Config))]
public class LoadBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(PerfJobs.Load)
        {
            AddColumn(StatisticColumn.Median, ModelColumn.FileMB, ModelColumn.ConstantMB, ModelColumn.Tensors,
                ModelColumn.Operators, ModelColumn.MicrosecondsPerFileMB, ModelColumn.MicrosecondsPerTensor);
        }
    }

    private string _path = "";

    [ParamsSource(nameof(Models))]
    public CorpusModel Model { get; set; } = null!;

    public static IEnumerable<CorpusModel> Models => CorpusModels.All;

    [GlobalSetup]
    public void Setup() => _path = Model.PathOnDisk;

    [Benchmark]
    public long FromFile()
    {
        using var model = TfliteModel.FromFile(_path);
        return model.SizeInBytes;
    }

    [Benchmark]
    public long FromFileAndAllocate()
    {
        using var model = TfliteModel.FromFile(_path);
        using var interpreter = new Interpreter(model, new InterpreterOptions());
        interpreter.AllocateTensors();
        return interpreter.ArenaBytes;
    }
}
