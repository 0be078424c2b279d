using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// The embedded SPIR-V and the float-controls patching. lavapipe does not support DenormPreserve, so the patched
/// modules a GPU would get are checked offline with spirv-val (package spirv-tools) instead of on a device.
/// </summary>
[TestFixture]
public sealed class VulkanSpirvTests
{
    [Test]
    public void EveryShaderIsEmbeddedInBothFmaVariants()
    {
        Assert.That(VulkanPipelineCache.EmbeddedShaders, Is.SupersetOf(new[] { "binary", "clamp", "fma_probe", "hard_swish", "logistic", "pad", "subnormal_probe" }));
        foreach (string shader in VulkanPipelineCache.EmbeddedShaders)
        {
            Assert.That(VulkanPipelineCache.LoadSpirv(shader)[0], Is.EqualTo(0x07230203u), shader);
            Assert.That(VulkanPipelineCache.LoadSpirv(shader + VulkanPipelineCache.Float64FmaVariant)[0], Is.EqualTo(0x07230203u), shader);
        }
    }

    [Test]
    public void PatchedShadersWithEveryFloatControlModeAreValidVulkan12Spirv()
    {
        int[] modes = [SpirvFloatControls.DenormPreserve, SpirvFloatControls.SignedZeroInfNanPreserve, SpirvFloatControls.RoundingModeRte];
        string directory = Directory.CreateTempSubdirectory("accel-spirv-").FullName;
        try
        {
            foreach (string shader in VulkanPipelineCache.EmbeddedShaders)
                foreach (string variant in new[] { shader, shader + VulkanPipelineCache.Float64FmaVariant })
                {
                    var patched = SpirvFloatControls.Apply(VulkanPipelineCache.LoadSpirv(variant), modes);
                    string file = Path.Combine(directory, variant + ".spv");
                    File.WriteAllBytes(file, MemoryMarshal.AsBytes(patched.AsSpan()).ToArray());
                    var (code, output) = Tool("spirv-val", $"--target-env vulkan1.2 {file}");
                    Assert.That(code, Is.Zero, $"{variant}: {output}");
                    var (_, disassembly) = Tool("spirv-dis", file);
                    Assert.That(disassembly, Does.Contain("OpCapability DenormPreserve"), variant);
                    Assert.That(disassembly, Does.Contain("OpExtension \"SPV_KHR_float_controls\""), variant);
                    Assert.That(disassembly, Does.Contain("OpExecutionMode %main DenormPreserve 32"), variant);
                    Assert.That(disassembly, Does.Contain("OpExecutionMode %main SignedZeroInfNanPreserve 32"), variant);
                    Assert.That(disassembly, Does.Contain("OpExecutionMode %main RoundingModeRTE 32"), variant);
                }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void WithNoModesTheModuleIsUnchanged()
    {
        var original = VulkanPipelineCache.LoadSpirv("binary");
        Assert.That(SpirvFloatControls.Apply(original, []), Is.EqualTo(original));
        Assert.Throws<InvalidDataException>(() => SpirvFloatControls.Apply([1u, 2u, 3u, 4u, 5u], [SpirvFloatControls.DenormPreserve]));
    }

    private static (int Code, string Output) Tool(string name, string arguments)
    {
        var start = new ProcessStartInfo(name, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{name} is not installed (Debian package spirv-tools)");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }
    }
}
