using Accel.Testing.Faults;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The shared injected-fault tests (Delegates.Testing/Faults) on the CPU delegate.</summary>
public sealed class CpuFaultTests : DelegateFaultTests
{
    protected override IAccelDelegate CreateDelegate() => new CpuDelegate();
}
