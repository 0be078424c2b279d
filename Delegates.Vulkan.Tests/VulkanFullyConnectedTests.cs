using Accel.Building;
using Accel.Delegates.Vulkan.Kernels;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>FULLY_CONNECTED: fully delegated and bit-identical to the reference for every shape, option and special value.</summary>
[TestFixture]
public sealed class VulkanFullyConnectedTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    private enum BiasKind { None, Omitted, Constant }

    /// <summary>A one-node FULLY_CONNECTED model; the weights are a constant unless <paramref name="weightsAreInput"/>.</summary>
    private static byte[] Model(Random random, int[] inputShape, int units, int depth, BiasKind bias, FullyConnectedOptions options,
        double specialFraction, bool weightsAreInput = false)
    {
        int batch = inputShape.Aggregate(1, (a, b) => a * b) / depth;
        int[] outputShape = options.KeepNumDims ? [.. inputShape[..^1], units] : [batch, units];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", inputShape);
        int weights = weightsAreInput
            ? mb.Tensor("weights", units, depth)
            : mb.AddConstant("weights", [units, depth], VulkanHarness.Values(random, units * depth, specialFraction));
        int y = mb.Tensor("y", outputShape);
        int[] inputs = bias switch
        {
            BiasKind.Constant => [x, weights, mb.AddConstant("bias", [units], VulkanHarness.Values(random, units, specialFraction))],
            BiasKind.Omitted => [x, weights, -1],
            _ => [x, weights],
        };
        mb.AddOperator(BuiltinOperator.FullyConnected, inputs, [y], options);
        mb.AddInput(x);
        if (weightsAreInput) mb.AddInput(weights);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static void AssertDelegatedAndExact(byte[] bytes, Random random, double specialFraction, string name)
    {
        var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Accel.Model.FromBytes(bytes), random, specialFraction), name);
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
    }

    [Test]
    public void EveryDepthUnitCountBatchBiasAndActivationMatchesTheReferenceBitForBit()
    {
        var random = new Random(701);
        // Depths in and out of whole octets of 8, unit counts around the 8-channel blocks, batches around 64 rows.
        int[] depths = [1, 3, 8, 13, 16, 40, 100];
        int[] unitCounts = [1, 7, 8, 9, 17, 63];
        int caseIndex = 0;
        foreach (int depth in depths)
            foreach (int units in unitCounts)
            {
                int batch = new[] { 1, 2, 63, 64, 65, 130 }[caseIndex % 6];
                var bias = (BiasKind)(caseIndex % 3);
                var activation = Activations[caseIndex % 4];
                caseIndex++;
                var bytes = Model(random, [batch, depth], units, depth, bias, new FullyConnectedOptions(activation), 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"[{batch},{depth}] x [{units},{depth}] bias {bias} {activation}");
            }
    }

    [Test]
    public void InputsOfAnyRankFlattenToRowsAndKeepNumDimsKeepsTheirShape()
    {
        var random = new Random(702);
        (int[] Shape, int Depth)[] cases = [([24], 24), ([2, 3, 8], 8), ([2, 3, 8], 24), ([1, 4, 5, 6], 6), ([3, 5, 2, 16], 16), ([2, 2, 2, 9], 36)];
        foreach (var (shape, depth) in cases)
            foreach (bool keep in new[] { false, true })
            {
                if (keep && shape[^1] != depth) continue;
                var options = new FullyConnectedOptions(ActivationFunctionType.Relu, KeepNumDims: keep);
                var bytes = Model(random, shape, 11, depth, BiasKind.Constant, options, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"[{string.Join(",", shape)}] depth {depth} keep={keep}");
            }
    }

    [Test]
    public void SpecialValuesInInputsWeightsAndBiasPropagateExactlyAsTheReference()
    {
        var random = new Random(703);
        foreach (var activation in Activations)
            foreach (int depth in new[] { 5, 16 })
            {
                var bytes = Model(random, [3, depth], 10, depth, BiasKind.Constant, new FullyConnectedOptions(activation), 0.3);
                AssertDelegatedAndExact(bytes, random, 0.3, $"specials depth {depth} {activation}");
            }
    }

    [Test]
    public void ANegativeZeroProductStartsFromPlusZeroAsTheReference()
    {
        // K = 1: out = fma(x, w, +0), which is +0 for a -0 product.
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 4, 1);
        int y = mb.Tensor("y", 4, 2);
        mb.AddOperator(BuiltinOperator.FullyConnected, [x, mb.AddConstant("weights", [2, 1], new[] { 1f, -1f })], [y],
            new FullyConnectedOptions(ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        var plan = VulkanHarness.AssertBitExact(mb.Build(), [[-0f, 0f, -0f, 0f]], "-0 products");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));
    }

    [Test]
    public void WeightsComputedAtRunTimeAreRePackedOnTheDevice()
    {
        var random = new Random(704);
        foreach (int depth in new[] { 7, 24 })
        {
            var bytes = Model(random, [5, depth], 13, depth, BiasKind.Constant, new FullyConnectedOptions(ActivationFunctionType.None), 0.05,
                weightsAreInput: true);
            AssertDelegatedAndExact(bytes, random, 0.05, $"runtime weights depth {depth}");
        }
    }

    [Test]
    public void WithoutAnExactFmaOrWithSmallSubgroupsTheNodeIsRefusedWithTheReason()
    {
        var bytes = Model(new Random(705), [2, 4], 3, 4, BiasKind.None, new FullyConnectedOptions(ActivationFunctionType.None), 0);
        var node = ConvNodeProbe.Capture(bytes).Single();
        var noFma = new FullyConnectedKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(noFma.IsSupported, Is.False);
        Assert.That(noFma.Reason, Does.StartWith("FULLY_CONNECTED needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        var smallSubgroups = new FullyConnectedKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(smallSubgroups.IsSupported, Is.False);
        Assert.That(smallSubgroups.Reason, Does.Contain("subgroups of at least 8"));
    }
}
