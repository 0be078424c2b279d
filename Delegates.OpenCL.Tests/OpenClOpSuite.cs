using Accel.Testing.OpSuite;


namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// The cross-backend op suite (Delegates.Testing/OpSuite) on the OpenCL delegate (PoCL here); ignored with the reason
/// where OpenCL is unavailable. A delegate per case (its device buffers and uploaded constants are per model). Ops
/// without an OpenCL kernel must be refused (the suite checks the catalog).
/// </summary>
public sealed class OpenClOpSuite : OpSuiteTests
{
    protected override IAccelDelegate CreateDelegate() => new OpenClDelegate();

    protected override IReadOnlyDictionary<string, string> Refuses { get; } = new Dictionary<string, string>
    {
        [Features.MeanManyRuns] = "runs of dimensions remain",
    };
}
