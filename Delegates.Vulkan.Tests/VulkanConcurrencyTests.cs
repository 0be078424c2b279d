using Accel.Testing.Faults;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The shared concurrency tests (Delegates.Testing/Faults) on the vulkan delegate.</summary>
public sealed class VulkanConcurrencyTests : DelegateConcurrencyTests
{
    protected override IAccelDelegate CreateDelegate() => new VulkanDelegate(validation: VulkanTestEnvironment.ValidationRequested);

    /// <summary>A device round trip per invoke: fewer of them keep the test short.</summary>
    protected override int InvokesPerThread => 40;

    protected override int CreateDisposeCycles => 2;
}
