using Accel.Building;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// Work beyond Vulkan's 65,535 workgroups per dispatch dimension: the shaders' grid-stride loops wrap, bit-identically
/// to the reference (element-wise: 64 elements per workgroup; CONV_2D: 64 pixels per workgroup). Vulkan-specific
/// sizes, too large to run on every backend; every other per-op case is the op suite's (<see cref="VulkanOpSuite"/>).
/// </summary>
[TestFixture]
public sealed class VulkanDispatchLimitTests
{
    [TestCase(BuiltinOperator.Relu)]
    [TestCase(BuiltinOperator.Relu6)]
    [TestCase(BuiltinOperator.HardSwish)]
    [TestCase(BuiltinOperator.Logistic)]
    public void AUnaryOpOverMoreThan65535WorkgroupsWrapsItsGridStrideLoop(BuiltinOperator op)
    {
        int[] shape = [65535 * 64 + 37];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", shape);
        int y = mb.Tensor("y", shape);
        mb.AddOperator(op, [x], [y]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();
        AssertBitExact(bytes, new Random(13 + (int)op), 0.4, $"{op} [{shape[0]}]");
    }

    [Test]
    public void AConvolutionOverMoreThan65535WorkgroupsOfPixelsWrapsItsGridStrideLoop()
    {
        // 4 x 1100 x 1000 = 4.4 M pixels: more than 65,535 groups of 64.
        var random = new Random(608);
        var options = new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None);
        var rows = SpatialPadding.Compute(options.Padding, 1100, 1, 1, 1);
        var cols = SpatialPadding.Compute(options.Padding, 1000, 1, 1, 1);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4, 1100, 1000, 1);
        int filter = mb.AddConstant("filter", [2, 1, 1, 1], VulkanHarness.Values(random, 2, 0.01));
        int bias = mb.AddConstant("bias", [2], VulkanHarness.Values(random, 2, 0.01));
        int y = mb.Tensor("y", 4, rows.OutputSize, cols.OutputSize, 2);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, filter, bias], [y], options);
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();
        AssertBitExact(bytes, random, 0.01, "4.4 M pixels");
    }

    /// <summary>
    /// Reference vs Vulkan, bit for bit, the node delegated. Each submission is millions of invocations, which lavapipe
    /// on a loaded 2-core machine can take longer than the default 10 s fence timeout to run: this test allows 2 minutes.
    /// </summary>
    private static void AssertBitExact(byte[] bytes, Random random, double specialFraction, string name)
    {
        var model = Model.FromBytes(bytes);
        var inputs = VulkanHarness.RandomInputs(model, random, specialFraction);
        var expected = VulkanHarness.Run(model, inputs, null, out _);
        var actual = VulkanHarness.Run(model, inputs, VulkanHarness.CreateDelegate(TimeSpan.FromMinutes(2)), out var plan);
        VulkanHarness.AssertSameBits(expected, actual, name);
        Assert.That(plan!.DelegatedNodeCount, Is.EqualTo(1), name);
    }
}
