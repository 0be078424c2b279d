using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Accel.Perf;

/// <summary>
/// Extra summary columns derived from the benchmark's <c>Model</c> parameter (see <see cref="ModelFacts"/>), so BDN's
/// own tables explain each timing: how big the file is, what AllocateTensors materialises, and time per file MB.
/// </summary>
public sealed class ModelColumn : IColumn
{
    private readonly Func<Summary, BenchmarkCase, ModelFacts, string> _value;

    private ModelColumn(string name, string legend, Func<Summary, BenchmarkCase, ModelFacts, string> value)
    {
        ColumnName = name;
        Legend = legend;
        _value = value;
    }

    public static readonly IColumn FileMB = new ModelColumn("File MB", "Model file size in MB (10^6 bytes)",
        (_, _, f) => f.FileMB.ToString("0.000"));

    public static readonly IColumn ConstantMB = new ModelColumn("Const MB", "Bytes of constant buffers in the file, MB",
        (_, _, f) => (f.ConstantBytes / ModelFacts.BytesPerMB).ToString("0.000"));

    public static readonly IColumn Tensors = new ModelColumn("Tensors", "Tensors in the main subgraph (verifier work)",
        (_, _, f) => f.TensorCount.ToString());

    public static readonly IColumn Operators = new ModelColumn("Ops", "Operators in the main subgraph (verifier work)",
        (_, _, f) => f.OperatorCount.ToString());

    public static readonly IColumn FoldedMB = new ModelColumn("Folded MB", "Constants materialised by AllocateTensors (fp16 DEQUANTIZE, DENSIFY), MB",
        (_, _, f) => f.FoldedConstantBytes is long b ? (b / ModelFacts.BytesPerMB).ToString("0.000") : "n/a");

    public static readonly IColumn ArenaMB = new ModelColumn("Arena MB", "Planned activation arena, MB",
        (_, _, f) => f.ArenaBytes is long b ? (b / ModelFacts.BytesPerMB).ToString("0.000") : "n/a");

    public static readonly IColumn MicrosecondsPerFileMB = new ModelColumn("µs/MB", "Median time divided by file MB",
        (summary, benchmark, f) => summary[benchmark]?.ResultStatistics is { } stats
            ? (stats.Median / 1000.0 / f.FileMB).ToString("0.0")
            : "n/a");

    public static readonly IColumn MicrosecondsPerTensor = new ModelColumn("µs/tensor", "Median time divided by tensor count",
        (summary, benchmark, f) => summary[benchmark]?.ResultStatistics is { } stats
            ? (stats.Median / 1000.0 / f.TensorCount).ToString("0.00")
            : "n/a");

    public string Id => nameof(ModelColumn) + "." + ColumnName;
    public string ColumnName { get; }
    public string Legend { get; }
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters["Model"] is CorpusModel model ? _value(summary, benchmarkCase, ModelFacts.For(model.Name)) : "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public override string ToString() => ColumnName;
}
