using Accel.Testing.Contract;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The device-delegate contract tests shared with OpenCL (Delegates.Testing/Contract) on Vulkan.</summary>
public sealed class VulkanSharedContractTests : DeviceDelegateContractTests
{
    protected override IAccelDelegate CreateDelegate() => VulkanHarness.CreateDelegate();
}
