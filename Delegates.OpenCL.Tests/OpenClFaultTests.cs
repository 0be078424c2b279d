using Accel.Testing.Faults;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>The shared injected-fault tests (Delegates.Testing/Faults) on OpenCL (PoCL here): no OpenCL object or buffer is left after Dispose.</summary>
public sealed class OpenClFaultTests : DelegateFaultTests
{
    protected override IAccelDelegate CreateDelegate() => new OpenClDelegate();

    protected override long? HeldResources(IAccelDelegate accelDelegate)
    {
        var openCl = (OpenClDelegate)accelDelegate;
        return openCl.LiveOpenClObjects + openCl.AllocatedDeviceBytes;
    }
}
