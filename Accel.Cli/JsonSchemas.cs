namespace Accel.Cli;

/// <summary>
/// The <c>"schema"</c> value of each command's <c>--json</c> document (documented in docs/cli.md). A schema's fields
/// are only ever added; a change that removes or retypes one bumps the number.
/// </summary>
internal static class JsonSchemas
{
    public const string Inspect = "accel-inspect/1";
    public const string Run = "accel-run/1";
    public const string Ops = "accel-ops/1";
    public const string Vision = "accel-vision/1";
    public const string Optimize = "accel-optimize/1";
    public const string Convert = "accel-convert/1";
    public const string PerfCompare = "accel-perf-compare/1";

    /// <summary>The value of a FILE option (<c>--json FILE</c> of bench and conform) that means standard output.</summary>
    public const string StandardOutput = "-";
}
