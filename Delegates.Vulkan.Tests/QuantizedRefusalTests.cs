using Accel.Testing;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The Vulkan delegate has no integer kernels yet: it refuses int8 nodes with the reason, and the reference runs them.</summary>
[TestFixture]
public sealed class QuantizedRefusalTests
{
    [Test]
    public void Int8NodesAreRefusedWithAReasonAndTheNetworkKeepsTheReferencesBits()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        QuantizedNetwork.AssertIntegerNodesAreRefusedWithAReasonAndTheOutputIsTheReferences(vulkan);
    }
}
