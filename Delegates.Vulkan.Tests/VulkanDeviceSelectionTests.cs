using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>Device selection by name, index and type, and the "unavailable" paths: never an exception, a clear reason, nothing claimed.</summary>
[TestFixture]
public sealed class VulkanDeviceSelectionTests
{
    [Test]
    public void DefaultSelectionFallsBackToTheCpuImplementationWhenThereIsNoGpu()
    {
        using var vulkan = new VulkanDelegate();
        Assert.That(vulkan.UnavailableReason, Is.Null);
        Assert.That(vulkan.Name, Is.EqualTo("vulkan"));
        Assert.That(vulkan.Capabilities.Memory, Is.EqualTo(DelegateMemory.Device));
        Assert.That(vulkan.Devices, Has.Count.GreaterThanOrEqualTo(1));
        Assert.That(vulkan.Devices.Any(d => d.Type is VulkanDeviceType.DiscreteGpu or VulkanDeviceType.IntegratedGpu), Is.False,
            "this machine has no GPU");
        Assert.That(vulkan.Device!.Type, Is.EqualTo(VulkanDeviceType.Cpu));
        Assert.That(vulkan.Device.Name, Does.Contain("llvmpipe"));
        Assert.That(vulkan.FenceTimeout, Is.EqualTo(VulkanDelegate.DefaultCpuDeviceFenceTimeout), "a CPU implementation gets the longer default");
        TestContext.Out.WriteLine($"{vulkan.Device}; fma: {vulkan.FmaImplementation}; subnormals: {vulkan.Subnormals}; " +
                                  $"float controls: {vulkan.FloatControls}");
    }

    [Test]
    public void DefaultChoicePrefersDiscreteThenIntegratedThenVirtualThenCpu()
    {
        var cpu = new VulkanDeviceDescription(0, "llvmpipe", VulkanDeviceType.Cpu, new Version(1, 3));
        var integrated = new VulkanDeviceDescription(1, "iGPU", VulkanDeviceType.IntegratedGpu, new Version(1, 3));
        var discrete = new VulkanDeviceDescription(2, "dGPU", VulkanDeviceType.DiscreteGpu, new Version(1, 3));
        var virtualGpu = new VulkanDeviceDescription(3, "vGPU", VulkanDeviceType.VirtualGpu, new Version(1, 3));
        var any = new VulkanDeviceSelection();
        Assert.That(any.Choose([cpu, integrated, discrete, virtualGpu]), Is.EqualTo(discrete));
        Assert.That(any.Choose([cpu, virtualGpu, integrated]), Is.EqualTo(integrated));
        Assert.That(any.Choose([cpu, virtualGpu]), Is.EqualTo(virtualGpu));
        Assert.That(any.Choose([cpu]), Is.EqualTo(cpu));
        Assert.That(any.Choose([]), Is.Null);
        Assert.That(new VulkanDeviceSelection(Index: 1).Choose([cpu, integrated, discrete]), Is.EqualTo(integrated));
        Assert.That(new VulkanDeviceSelection(NameContains: "DGP").Choose([cpu, integrated, discrete]), Is.EqualTo(discrete));
        Assert.That(new VulkanDeviceSelection(Type: VulkanDeviceType.Cpu).Choose([integrated, discrete, cpu]), Is.EqualTo(cpu));
        Assert.That(new VulkanDeviceSelection("gpu", 2, VulkanDeviceType.IntegratedGpu).Choose([cpu, integrated, discrete]), Is.Null,
            "every given criterion must match");
    }

    [Test]
    public void ExplicitNameIndexAndTypeSelectTheDevice()
    {
        using (var byName = new VulkanDelegate(deviceName: "LLVMPIPE"))
            Assert.That(byName.Device?.Name, Does.Contain("llvmpipe"), byName.UnavailableReason);
        using (var byIndex = new VulkanDelegate(deviceIndex: 0))
            Assert.That(byIndex.Device?.Index, Is.EqualTo(0), byIndex.UnavailableReason);
        using (var byType = new VulkanDelegate(deviceType: VulkanDeviceType.Cpu))
            Assert.That(byType.Device?.Type, Is.EqualTo(VulkanDeviceType.Cpu), byType.UnavailableReason);
    }

    [TestCase("no-such-gpu", null, null, "name containing 'no-such-gpu'")]
    [TestCase(null, 7, null, "index 7")]
    [TestCase(null, null, VulkanDeviceType.DiscreteGpu, "type DiscreteGpu")]
    public void ASelectionMatchingNoDeviceIsUnavailableWithTheDevicesListedAndClaimsNothing(string? name, int? index, VulkanDeviceType? type,
        string criterion)
    {
        var vulkan = new VulkanDelegate(name, index, type);
        Assert.That(vulkan.UnavailableReason, Does.StartWith($"no Vulkan device matches {criterion}"));
        Assert.That(vulkan.UnavailableReason, Does.Contain("llvmpipe"), "the reason lists the devices found");
        Assert.That(vulkan.Device, Is.Null);
        Assert.That(vulkan.LiveVulkanObjects, Is.Zero, "the instance opened to look is destroyed again");
        AssertRunsOnTheReferenceOnly(vulkan);
    }

    [Test]
    public void AMissingDriverIsUnavailableWithAReasonNamingTheIcd()
    {
        // The loader reads VK_ICD_FILENAMES (with getenv) at every vkCreateInstance; a manifest that does not exist leaves
        // it no driver, as on a machine without mesa-vulkan-drivers.
        string? saved = Environment.GetEnvironmentVariable("VK_ICD_FILENAMES");
        NativeEnvironment.Set("VK_ICD_FILENAMES", "/nonexistent/accel_no_such_icd.json");
        try
        {
            var vulkan = new VulkanDelegate();
            TestContext.Out.WriteLine(vulkan.UnavailableReason);
            Assert.That(vulkan.UnavailableReason, Does.Contain("ErrorIncompatibleDriver").Or.Contain("no physical device"));
            Assert.That(vulkan.UnavailableReason, Does.Contain("mesa-vulkan-drivers"));
            AssertRunsOnTheReferenceOnly(vulkan);
        }
        finally
        {
            NativeEnvironment.Set("VK_ICD_FILENAMES", saved);
        }
    }

    [Test]
    public void AMissingLoaderLibraryIsUnavailableWithAReasonNamingThePackage()
    {
        // The same load Silk.NET does for libvulkan.so.1, of a file that does not exist (as on a machine without libvulkan1).
        var vulkan = new VulkanDelegate(null, null, null, null, null, loaderLibrary: "libaccel-no-such-vulkan.so.1");
        TestContext.Out.WriteLine(vulkan.UnavailableReason);
        Assert.That(vulkan.UnavailableReason, Does.StartWith("no Vulkan loader (libvulkan.so.1, Debian package libvulkan1) could be loaded"));
        Assert.That(vulkan.Devices, Is.Empty);
        AssertRunsOnTheReferenceOnly(vulkan);
    }

    /// <summary>The interpreter takes the unavailable delegate, refuses every node with its reason, and runs the reference.</summary>
    private static void AssertRunsOnTheReferenceOnly(VulkanDelegate vulkan)
    {
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4);
        int y = mb.Tensor("y", 4);
        mb.AddOperator(BuiltinOperator.Relu, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(vulkan));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        interpreter.GetInputTensor(0).CopyFrom<float>([-1f, 2f, -0f, float.NaN]);
        interpreter.Invoke();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.GetOutputTensor(0).Read<float>().ToArray(), Is.EqualTo(new[] { 0f, 2f, -0f, float.NaN }));
        Assert.That(interpreter.Diagnostics, Has.Some.StartsWith($"delegate 'vulkan' is unavailable: {vulkan.UnavailableReason}"));
    }
}
