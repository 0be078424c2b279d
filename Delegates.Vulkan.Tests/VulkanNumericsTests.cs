namespace Accel.Delegates.Vulkan.Tests;

/// <summary>What the device's float arithmetic does: fma rounding, contraction, subnormals (docs/numerics.md §General rules).</summary>
[TestFixture]
public sealed class VulkanNumericsTests
{
    [Test]
    public void StartUpFmaProbeAgreesWithAnIndependentCheckOnAdversarialInputs()
    {
        using var vulkan = VulkanHarness.CreateDelegate();
        var (a, b, c) = AdversarialFmaInputs(new Random(21), 4096);
        var results = RunFmaProbe(vulkan, a, b, c);
        int fusedMismatches = 0, separateMismatches = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(MathF.FusedMultiplyAdd(a[i], b[i], c[i])) != results[0][i]) fusedMismatches++;
            if (BitConverter.SingleToUInt32Bits(a[i] * b[i] + c[i]) != results[1][i]) separateMismatches++;
        }
        TestContext.Out.WriteLine($"{vulkan.Device}: accelFma mismatches {fusedMismatches} of {a.Length}; probe says: {vulkan.FmaProblem ?? "exact"}");
        Assert.That(separateMismatches, Is.Zero, "precise a*b + c must stay two rounded operations (no contraction)");
        Assert.That(vulkan.FmaProblem is null, Is.EqualTo(fusedMismatches == 0), "the start-up probe must see what this check sees");
    }

    internal static uint[][] RunFmaProbe(VulkanDelegate vulkan, float[] a, float[] b, float[] c)
    {
        var pipelines = new VulkanPipelineCache(vulkan.Backend!);
        try
        {
            return VulkanShaderRunner.Run(vulkan.Backend!, pipelines, "fma_probe", [Bits(a), Bits(b), Bits(c)], [a.Length, a.Length],
                (uint)a.Length, TimeSpan.FromSeconds(10));
        }
        finally
        {
            pipelines.Dispose();
        }
    }

    /// <summary>Products whose rounding error c exposes: c = −RN(a·b), near-cancelling and random addends.</summary>
    internal static (float[] A, float[] B, float[] C) AdversarialFmaInputs(Random random, int n)
    {
        var a = new float[n];
        var b = new float[n];
        var c = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-30, 31));
            b[i] = (1f + (float)random.NextDouble()) * MathF.ScaleB(1f, random.Next(-30, 31));
            float product = a[i] * b[i];
            c[i] = (i % 4) switch
            {
                0 => -product,
                1 => (float)(random.NextDouble() - 0.5) * product,
                2 => -product * (1 + 1e-7f * random.Next(-4, 5)),
                _ => MathF.BitIncrement(-product),
            };
        }
        return (a, b, c);
    }

    private static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();
}
