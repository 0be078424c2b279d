using Accel.Testing.Contract;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>The int8 corpus models (Delegates.Testing/Contract) on Vulkan.</summary>
public sealed class VulkanInt8CorpusTests : Int8CorpusContractTests
{
    protected override IAccelDelegate CreateDelegate() => VulkanHarness.CreateDelegate();
}
