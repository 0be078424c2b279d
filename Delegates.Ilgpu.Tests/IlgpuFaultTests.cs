using Accel.Testing.Faults;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>The shared injected-fault tests (Delegates.Testing/Faults) on ILGPU's CPU accelerator: no device byte is left after Dispose.</summary>
public sealed class IlgpuFaultTests : DelegateFaultTests
{
    protected override IAccelDelegate CreateDelegate() => new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);

    protected override long? HeldResources(IAccelDelegate accelDelegate) => ((IlgpuDelegate)accelDelegate).AllocatedDeviceBytes;
}
