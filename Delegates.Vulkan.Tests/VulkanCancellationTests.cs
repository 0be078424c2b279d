using Accel.Testing.Faults;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The shared cancellation tests (Delegates.Testing/Faults) on Vulkan (lavapipe here): checked between command-buffer submissions.</summary>
public sealed class VulkanCancellationTests : DelegateCancellationTests
{
    protected override IAccelDelegate CreateDelegate() => new VulkanDelegate(validation: VulkanTestEnvironment.ValidationRequested);
}
