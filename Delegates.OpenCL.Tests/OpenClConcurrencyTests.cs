using Accel.Testing.Faults;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The shared concurrency tests (Delegates.Testing/Faults) on the opencl delegate.</summary>
public sealed class OpenClConcurrencyTests : DelegateConcurrencyTests
{
    protected override IAccelDelegate CreateDelegate() => new OpenClDelegate();

    /// <summary>A device round trip per invoke and a program build per interpreter: fewer of them keep the test short.</summary>
    protected override int InvokesPerThread => 40;

    protected override int CreateDisposeCycles => 2;
}
