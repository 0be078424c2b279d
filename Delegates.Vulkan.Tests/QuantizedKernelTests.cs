using Accel.Numerics;
using Accel.Testing;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// The 8-bit integer kernels on the test device (lavapipe unless the environment names a driver): the requantization
/// arithmetic of Shaders/quant.glsl against Runtime.Core's on adversarial values, whole int8 and uint8 networks run
/// entirely on Vulkan with the reference's bits, and integer ops without a Vulkan kernel refused with the reason.
/// </summary>
[TestFixture]
public sealed class QuantizedKernelTests
{
    [Test]
    public void ShaderRequantizationEqualsTheReferenceOnAdversarialValues()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        var triples = RequantizationValues.Triples(seed: 13, randomCount: 50_000);
        var words = new uint[triples.Length * 3];
        for (int i = 0; i < triples.Length; i++)
            (words[3 * i], words[3 * i + 1], words[3 * i + 2]) = ((uint)triples[i].X, (uint)triples[i].Multiplier, (uint)triples[i].Shift);
        var pipelines = new VulkanPipelineCache(vulkan.Backend!, float64Fma: false);
        uint[][] results;
        try
        {
            results = VulkanShaderRunner.Run(vulkan.Backend!, pipelines, "mbqm_probe", [words], [triples.Length, triples.Length],
                (uint)triples.Length, TimeSpan.FromSeconds(30));
        }
        finally
        {
            pipelines.Dispose();
        }
        for (int i = 0; i < triples.Length; i++)
        {
            var (x, m, shift) = triples[i];
            Assert.That((int)results[1][i], Is.EqualTo(Quantization.SaturatingRoundingDoublingHighMul(x, m)), $"SRDHM({x}, {m})");
            Assert.That((int)results[0][i], Is.EqualTo(Quantization.MultiplyByQuantizedMultiplier(x, m, shift)), $"MBQM({x}, {m}, {shift})");
        }
    }

    [Test]
    public void Int8AndUint8NetworksRunEntirelyOnVulkanWithTheReferencesBits() =>
        QuantizedNetworks.AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(() => VulkanHarness.CreateDelegate());
}
