using Accel.Testing.Faults;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The shared cancellation tests (Delegates.Testing/Faults) on the CPU delegate: checked between nodes.</summary>
public sealed class CpuCancellationTests : DelegateCancellationTests
{
    protected override IAccelDelegate CreateDelegate() => new CpuDelegate();
}
