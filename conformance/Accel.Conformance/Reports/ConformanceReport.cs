using System.Text.Json.Serialization;

namespace Accel.Conformance.Reports;

/// <summary>The verdict of one case × backend cell.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CellStatus>))]
public enum CellStatus
{
    /// <summary>Every output bit-exact with the golden.</summary>
    Pass,
    /// <summary>At least one output differs from the golden (or has another shape, dtype or count).</summary>
    Mismatch,
    /// <summary>The cell could not be decided: the case, model, golden or backend run failed.</summary>
    Error,
    /// <summary>The backend is not available on this machine (the reason says why).</summary>
    Skipped,
}

/// <summary>A GTest-style shard: this run covers the cases whose index in the (filtered) case list is ≡ Index mod Total.</summary>
public sealed record ShardInfo(int Index, int Total)
{
    public static readonly ShardInfo Whole = new(0, 1);
    public override string ToString() => $"{Index}/{Total}";
}

/// <summary>A backend as one run saw it.</summary>
public sealed record BackendInfo(string Name, string Description, bool Available, string? Reason);

/// <summary>One invocation of the runner (one shard on one device). A merged report has several.</summary>
public sealed record RunInfo(
    string Tool,
    DeviceInfo Device,
    ShardInfo Shard,
    string? CaseFilter,
    string StartedUtc,
    double Seconds,
    string Manifest,
    string? ManifestSha256,
    IReadOnlyList<BackendInfo> Backends);

public sealed record CaseInfo(string Id, string Kind, string Summary);

/// <summary>
/// One output of a cell. For a bit-exact output only identity fields are set; otherwise the statistics against the
/// expected bits (see <c>comparedWith</c> of the cell) or a note saying why there are none.
/// </summary>
public sealed record OutputResult(
    int Index,
    string Name,
    string Dtype,
    int[] Shape,
    string Sha256,
    bool BitExact,
    long? Elements = null,
    long? Differing = null,
    long? MaxUlp = null,
    double? MaxAbsDiff = null,
    long? FirstDiffIndex = null,
    string? Expected = null,
    string? Actual = null,
    long? NanMismatches = null,
    string? Note = null);

/// <summary>
/// One case × backend result. <see cref="OnReference"/>: the nodes the backend's delegate refused, which ran on the
/// reference kernels (<c>node N OPERATOR: reason</c>); null for the reference itself and when the delegate took every node.
/// </summary>
public sealed record CellResult(
    string Case,
    string Backend,
    CellStatus Status,
    int Run,
    double Seconds,
    string? Message = null,
    string? ComparedWith = null,
    int? DelegatedNodes = null,
    int? ExecutedNodes = null,
    IReadOnlyList<OutputResult>? Outputs = null,
    IReadOnlyList<string>? OnReference = null);

/// <summary>A problem outside any one cell (a broken case list or manifest), from run <see cref="Run"/>.</summary>
public sealed record SuiteError(int Run, string Message);

public sealed record ReportSummary(int Cells, int Pass, int Mismatch, int Error, int Skipped, int SuiteErrors)
{
    public bool Ok => Mismatch == 0 && Error == 0 && SuiteErrors == 0;
}

/// <summary>
/// A conformance report: runs (device + shard), the backends (columns) and cases (rows) and the cells. Serialized as
/// the JSON documented in conformance/report-schema.md (<see cref="SchemaId"/>).
/// </summary>
public sealed record ConformanceReport(
    string Schema,
    IReadOnlyList<RunInfo> Runs,
    IReadOnlyList<string> Backends,
    IReadOnlyList<CaseInfo> Cases,
    IReadOnlyList<CellResult> Cells,
    IReadOnlyList<SuiteError> Errors,
    IReadOnlyList<string> Warnings,
    ReportSummary Summary)
{
    public const string SchemaId = "accel-conformance-report/1";

    public static ReportSummary Summarize(IReadOnlyList<CellResult> cells, int suiteErrors) => new(
        cells.Count,
        cells.Count(c => c.Status == CellStatus.Pass),
        cells.Count(c => c.Status == CellStatus.Mismatch),
        cells.Count(c => c.Status == CellStatus.Error),
        cells.Count(c => c.Status == CellStatus.Skipped),
        suiteErrors);
}
