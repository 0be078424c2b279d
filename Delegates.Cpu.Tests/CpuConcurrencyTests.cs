using Accel.Testing.Faults;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The shared concurrency tests (Delegates.Testing/Faults) on the cpu delegate.</summary>
public sealed class CpuConcurrencyTests : DelegateConcurrencyTests
{
    protected override IAccelDelegate CreateDelegate() => new CpuDelegate();
}
