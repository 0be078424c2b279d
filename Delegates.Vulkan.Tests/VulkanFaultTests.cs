using Accel.Testing.Faults;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The shared injected-fault tests (Delegates.Testing/Faults) on Vulkan: no handle or device byte is left after Dispose.</summary>
public sealed class VulkanFaultTests : DelegateFaultTests
{
    protected override IAccelDelegate CreateDelegate() => new VulkanDelegate(validation: VulkanTestEnvironment.ValidationRequested);

    protected override long? HeldResources(IAccelDelegate accelDelegate)
    {
        var vulkan = (VulkanDelegate)accelDelegate;
        return vulkan.LiveVulkanObjects + vulkan.AllocatedDeviceBytes;
    }
}
