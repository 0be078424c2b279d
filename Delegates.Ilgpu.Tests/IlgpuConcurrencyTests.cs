using Accel.Testing.Faults;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The shared concurrency tests (Delegates.Testing/Faults) on the ilgpu delegate.</summary>
public sealed class IlgpuConcurrencyTests : DelegateConcurrencyTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);

    /// <summary>A device round trip per invoke: fewer of them keep the test short.</summary>
    protected override int InvokesPerThread => 60;

    protected override int CreateDisposeCycles => 3;
}
