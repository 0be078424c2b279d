using Accel.Building;
using Accel.Delegates.Vulkan.Kernels;
using Accel.Operators;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>MediaPipe's Convolution2DTransposeBias: fully delegated and bit-identical to the reference (the gather form).</summary>
[TestFixture]
public sealed class VulkanTransposeConvBiasTests
{
    private const int Unknown = 0, Same = 1, Valid = 2;

    /// <summary>MediaPipe's output size for one dimension (the reference's Prepare).</summary>
    private static int OutputSize(int padding, int input, int filter, int stride)
    {
        int total = padding == Same ? Math.Max(0, filter - (input - 1) % stride - 1) : 0;
        return stride * (input - 1) + filter - total;
    }

    /// <summary>A one-node model; the weights are a constant unless <paramref name="weightsAreInput"/>.</summary>
    private static byte[] Model(Random random, int[] inputShape, int outputChannels, int kernelH, int kernelW, int padding, int strideH,
        int strideW, double specialFraction, bool weightsAreInput = false, byte[]? options = null)
    {
        int[] weightShape = [outputChannels, kernelH, kernelW, inputShape[3]];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", inputShape);
        int weights = weightsAreInput
            ? mb.Tensor("weights", weightShape)
            : mb.AddConstant("weights", weightShape, VulkanHarness.Values(random, weightShape.Aggregate(1, (a, b) => a * b), specialFraction));
        int bias = mb.AddConstant("bias", [outputChannels], VulkanHarness.Values(random, outputChannels, specialFraction));
        int y = mb.Tensor("y", inputShape[0], OutputSize(padding, inputShape[1], kernelH, strideH), OutputSize(padding, inputShape[2], kernelW, strideW),
            outputChannels);
        options ??= [.. BitConverter.GetBytes(padding), .. BitConverter.GetBytes(strideW), .. BitConverter.GetBytes(strideH)];
        mb.AddCustomOperator(CustomOps.Convolution2DTransposeBias, [x, weights, bias], [y], options);
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
    public void EveryPaddingStrideAndKernelSizeMatchesTheReferenceBitForBit()
    {
        var random = new Random(901);
        int caseIndex = 0;
        foreach (int padding in new[] { Same, Valid, Unknown })
            foreach (int stride in new[] { 1, 2, 3 })
                foreach (int k in new[] { 1, 2, 3, 4 })
                {
                    caseIndex++;
                    // Input depths in and out of whole octets of 8 (read 8 channels per load, or walked flat).
                    int depth = caseIndex % 2 == 0 ? 8 * (1 + caseIndex % 3) : 1 + caseIndex % 7;
                    int[] shape = [1 + caseIndex % 2, 3 + random.Next(5), 2 + random.Next(6), depth];
                    var bytes = Model(random, shape, 1 + random.Next(12), k, k, padding, stride, stride, 0.02);
                    AssertDelegatedAndExact(bytes, random, 0.02, $"padding {padding} stride {stride} {k}x{k} in [{string.Join(",", shape)}]");
                }
    }

    [Test]
    public void UnequalStridesRectangularKernelsAndChannelTailsMatchTheReference()
    {
        var random = new Random(902);
        (int Kh, int Kw, int Sh, int Sw, int Cout)[] cases = [(2, 3, 2, 1, 1), (3, 2, 1, 2, 7), (4, 4, 2, 2, 8), (1, 3, 3, 1, 9), (3, 3, 2, 3, 17), (2, 2, 2, 2, 16)];
        foreach (var (kh, kw, sh, sw, cout) in cases)
            foreach (int padding in new[] { Same, Valid })
            {
                var bytes = Model(random, [1, 5, 6, 16], cout, kh, kw, padding, sh, sw, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"{kh}x{kw} s{sh},{sw} Cout {cout} padding {padding}");
            }
    }

    [Test]
    public void SpecialValuesInInputsWeightsAndBiasPropagateExactlyAsTheReference()
    {
        var random = new Random(903);
        foreach (int depth in new[] { 3, 8 })
        {
            var bytes = Model(random, [1, 4, 5, depth], 10, 3, 3, Same, 2, 2, 0.3);
            AssertDelegatedAndExact(bytes, random, 0.3, $"specials depth {depth}");
        }
    }

    [Test]
    public void WeightsComputedAtRunTimeAreRePackedOnTheDevice()
    {
        var random = new Random(904);
        var bytes = Model(random, [1, 4, 4, 8], 6, 2, 2, Same, 2, 2, 0.05, weightsAreInput: true);
        AssertDelegatedAndExact(bytes, random, 0.05, "runtime weights");
    }

    [Test]
    public void WithoutAnExactFmaOrWithSmallSubgroupsTheNodeIsRefusedWithTheReason()
    {
        var bytes = Model(new Random(905), [1, 3, 3, 2], 3, 2, 2, Same, 2, 2, 0);
        var node = ConvNodeProbe.Capture(bytes).Single();
        var noFma = new TransposeConvBiasKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(noFma.IsSupported, Is.False);
        Assert.That(noFma.Reason, Does.StartWith("Convolution2DTransposeBias needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        var smallSubgroups = new TransposeConvBiasKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(smallSubgroups.IsSupported, Is.False);
        Assert.That(smallSubgroups.Reason, Does.Contain("subgroups of at least 8"));
    }
}
