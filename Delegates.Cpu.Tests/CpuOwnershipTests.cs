using Accel.Testing.Faults;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The shared delegate-ownership test (Delegates.Testing/Faults) on this backend.</summary>
public sealed class CpuOwnershipTests : DelegateOwnershipTests
{
    protected override IAccelDelegate CreateDelegate() => new CpuDelegate();
}
