using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>Runs a model on the reference interpreter and with the Vulkan delegate and compares bits.</summary>
internal static class VulkanHarness
{
    public static float[][] RandomInputs(Model model, Random random, double specialFraction) =>
        DelegateHarness.RandomInputs(model, random, specialFraction);

    /// <summary>NaNs (several payloads, both signs), ±0, ±inf, subnormals, huge values and the clamp edges.</summary>
    public static IReadOnlyList<float> Specials => DelegateHarness.Specials;

    /// <summary><see cref="Specials"/> plus the values binary ops need on both sides (every ordered pair is a case).</summary>
    public static IReadOnlyList<float> BinarySpecials => DelegateHarness.BinarySpecials;

    public static float[] Values(Random random, int count, double specialFraction = 0) =>
        DelegateHarness.Values(random, count, specialFraction);

    /// <summary>A fresh delegate on the test device (lavapipe here; see <see cref="VulkanTestEnvironment"/>).</summary>
    public static VulkanDelegate CreateDelegate(TimeSpan? fenceTimeout = null)
    {
        var vulkan = new VulkanDelegate(fenceTimeout: fenceTimeout, validation: VulkanTestEnvironment.ValidationRequested);
        Assert.That(vulkan.UnavailableReason, Is.Null, "Vulkan must be available for these tests (mesa-vulkan-drivers)");
        return vulkan;
    }

    /// <summary>Runs both and asserts every output is bit-identical (NaN compared as NaN); returns the delegated interpreter's plan.</summary>
    public static ExecutionPlan AssertBitExact(byte[] modelBytes, float[][] inputs, string name)
    {
        var model = Model.FromBytes(modelBytes);
        var expected = Run(model, inputs, null, out _);
        var actual = Run(model, inputs, CreateDelegate(), out var plan);
        AssertSameBits(expected, actual, name);
        return plan!;
    }

    public static void AssertSameBits(float[][] expected, float[][] actual, string name) =>
        DelegateHarness.AssertSameBits(expected, actual, name, "vulkan");

    /// <summary>
    /// Invokes twice (the second run proves the re-submitted command buffer and device-resident state are reused
    /// correctly) and fails on any validation-layer error when the layer is on.
    /// </summary>
    public static float[][] Run(Model model, float[][] inputs, VulkanDelegate? vulkan, out ExecutionPlan? plan)
    {
        var outputs = DelegateHarness.Run(model, inputs, vulkan, out plan);
        if (vulkan?.ValidationLog is { } log)
            Assert.That(log.ErrorCount, Is.Zero, "validation errors: " + string.Join("\n", log.Messages));
        return outputs;
    }

    public static int Tensor(this ModelBuilder mb, string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);

    public static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            dims[d] = da == 1 ? db : da;
        }
        return dims;
    }
}
