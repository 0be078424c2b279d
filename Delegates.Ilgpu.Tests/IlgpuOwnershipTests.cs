using Accel.Testing.Faults;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The shared delegate-ownership test (Delegates.Testing/Faults) on this backend.</summary>
public sealed class IlgpuOwnershipTests : DelegateOwnershipTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
}
