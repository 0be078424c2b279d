using Accel.Testing.Faults;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The shared delegate-ownership test (Delegates.Testing/Faults) on this backend.</summary>
public sealed class VulkanOwnershipTests : DelegateOwnershipTests
{
    protected override IAccelDelegate CreateDelegate() => new VulkanDelegate(validation: VulkanTestEnvironment.ValidationRequested);
}
