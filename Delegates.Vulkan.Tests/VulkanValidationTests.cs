using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// The validation layer path: with validation on, VK_LAYER_KHRONOS_validation's messages reach
/// VulkanDelegate.ValidationLog (VulkanHarness and VulkanOpSuite fail a test on any error). Run the whole suite with
/// VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation to validate every test's Vulkan usage.
/// </summary>
[TestFixture]
public sealed class VulkanValidationTests
{
    [Test]
    public unsafe void WithValidationOnAnInvalidCallIsReportedAsAnErrorInTheLog()
    {
        using var vulkan = new VulkanDelegate(validation: true);
        Assert.That(vulkan.UnavailableReason, Is.Null);
        Assert.That(vulkan.ValidationLog, Is.Not.Null, "the validation layer (vulkan-validationlayers) must be installed");
        Assert.That(vulkan.ValidationLog!.ErrorCount, Is.Zero, "start-up (device, probes) must be valid usage");

        // VUID-VkBufferCreateInfo-size-00912: a buffer of size 0 is invalid.
        var device = vulkan.Backend!;
        var info = new BufferCreateInfo
        {
            SType = StructureType.BufferCreateInfo,
            Size = 0,
            Usage = BufferUsageFlags.StorageBufferBit,
            SharingMode = SharingMode.Exclusive,
        };
        Silk.NET.Vulkan.Buffer buffer;
        if (device.Api.CreateBuffer(device.Device, &info, null, &buffer) == Result.Success)
            device.Api.DestroyBuffer(device.Device, buffer, null);
        Assert.That(vulkan.ValidationLog.ErrorCount, Is.Positive);
        Assert.That(vulkan.ValidationLog.Messages, Has.Some.Contains("VUID-VkBufferCreateInfo-size"));
    }

    /// <summary>
    /// The Invoke-time input checks (domain_check.comp, its host-visible status buffer, the fill that resets it) are valid
    /// usage: the negative SQRT/RSQRT input and zero DIV denominator tests run with validation on, without an error.
    /// </summary>
    [Test]
    public void TheDeviceInputChecksOfSqrtRsqrtAndDivAreValidUsage()
    {
        var logs = new List<VulkanValidationLog>();
        IAccelDelegate Create()
        {
            var vulkan = new VulkanDelegate(validation: true);
            Assert.That(vulkan.ValidationLog, Is.Not.Null, "the validation layer (vulkan-validationlayers) must be installed");
            logs.Add(vulkan.ValidationLog!);
            return vulkan;
        }
        Accel.Testing.QuantizedLogSqrtRsqrtOps.AssertANegativeInputFailsTheInvokeWithTheReferencesError(Create);
        Accel.Testing.QuantizedBinaryTableOps.AssertAZeroDenominatorFailsTheInvokeWithTheReferencesError(Create);
        Assert.That(logs, Has.Count.EqualTo(4));
        foreach (var log in logs) Assert.That(log.ErrorCount, Is.Zero, string.Join("\n", log.Messages));
    }

    [Test]
    public void WithoutValidationThereIsNoLog()
    {
        using var vulkan = new VulkanDelegate(validation: false);
        Assert.That(vulkan.ValidationLog, Is.Null);
    }
}
