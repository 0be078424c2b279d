using Accel.Testing.Faults;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The shared cancellation tests (Delegates.Testing/Faults) on OpenCL (PoCL here): checked between segments of enqueued commands.</summary>
public sealed class OpenClCancellationTests : DelegateCancellationTests
{
    protected override IAccelDelegate CreateDelegate() => new OpenClDelegate();
}
