using Accel.Testing.Faults;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The shared cancellation tests (Delegates.Testing/Faults) on ILGPU's CPU accelerator: checked between kernel launches.</summary>
public sealed class IlgpuCancellationTests : DelegateCancellationTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
}
