using Accel.Building;
using Accel.Delegates.Vulkan.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>DEPTHWISE_CONV_2D: fully delegated and bit-identical to the reference for every geometry, multiplier and special value.</summary>
[TestFixture]
public sealed class VulkanDepthwiseConv2DTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    /// <summary>A one-node DEPTHWISE_CONV_2D model; the filter is a constant unless <paramref name="filterIsInput"/>.</summary>
    private static byte[] Model(Random random, int[] inputShape, int multiplier, int kernelH, int kernelW, DepthwiseConv2DOptions options,
        bool bias, double specialFraction, bool filterIsInput = false)
    {
        int outputChannels = inputShape[3] * multiplier;
        int[] filterShape = [1, kernelH, kernelW, outputChannels];
        var rows = SpatialPadding.Compute(options.Padding, inputShape[1], kernelH, options.StrideH, options.DilationH);
        var cols = SpatialPadding.Compute(options.Padding, inputShape[2], kernelW, options.StrideW, options.DilationW);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", inputShape);
        int filter = filterIsInput
            ? mb.Tensor("filter", filterShape)
            : mb.AddConstant("filter", filterShape, VulkanHarness.Values(random, kernelH * kernelW * outputChannels, specialFraction));
        int y = mb.Tensor("y", inputShape[0], rows.OutputSize, cols.OutputSize, outputChannels);
        int[] inputs = bias ? [x, filter, mb.AddConstant("bias", [outputChannels], VulkanHarness.Values(random, outputChannels, specialFraction))] : [x, filter];
        mb.AddOperator(BuiltinOperator.DepthwiseConv2D, inputs, [y], options);
        mb.AddInput(x);
        if (filterIsInput) mb.AddInput(filter);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static void AssertDelegatedAndExact(byte[] bytes, Random random, double specialFraction, string name)
    {
        var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Accel.Model.FromBytes(bytes), random, specialFraction), name);
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
    }

    [Test]
    public void EveryKernelSizeStrideDilationPaddingAndActivationMatchesTheReferenceBitForBit()
    {
        var random = new Random(801);
        int caseIndex = 0;
        foreach (int k in new[] { 1, 3, 5 })
            foreach (int stride in new[] { 1, 2 })
                foreach (int dilation in new[] { 1, 2 })
                    foreach (var padding in new[] { Padding.Same, Padding.Valid })
                    {
                        var activation = Activations[caseIndex % Activations.Length];
                        bool bias = caseIndex % 3 != 0;
                        caseIndex++;
                        // Channels a multiple of 8 (input read 8 at a time) on every other case, odd counts otherwise.
                        int channels = caseIndex % 2 == 0 ? 8 * (1 + random.Next(3)) : 1 + random.Next(13);
                        int[] shape = [1 + caseIndex % 2, 5 + random.Next(9), 4 + random.Next(11), channels];
                        var options = new DepthwiseConv2DOptions(padding, stride, stride, 1, activation, dilation, dilation);
                        var bytes = Model(random, shape, 1, k, k, options, bias, 0.02);
                        AssertDelegatedAndExact(bytes, random, 0.02,
                            $"{k}x{k} s{stride} d{dilation} {padding} {activation} bias={bias} in [{string.Join(",", shape)}]");
                    }
    }

    [Test]
    public void DepthMultipliersReadInputChannelOcOverMultiplierAndIgnoreTheOptionField()
    {
        var random = new Random(802);
        (int Channels, int Multiplier, int OptionField)[] cases = [(1, 8, 8), (3, 2, 2), (4, 2, 0), (5, 3, 3), (8, 2, 1), (16, 4, 4), (6, 5, 0)];
        foreach (var (channels, multiplier, optionField) in cases)
            foreach (int k in new[] { 1, 3 })
            {
                var options = new DepthwiseConv2DOptions(Padding.Same, 2, 1, optionField, ActivationFunctionType.Relu6);
                var bytes = Model(random, [1, 7, 6, channels], multiplier, k, k, options, true, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"Cin {channels} multiplier {multiplier} (option {optionField}) {k}x{k}");
            }
    }

    [Test]
    public void ChannelAndPixelTailsAroundTheBlockAndWorkgroupSizesMatchTheReference()
    {
        var random = new Random(803);
        foreach (int channels in new[] { 1, 7, 8, 9, 15, 16, 17, 24, 33 })
            foreach (int width in new[] { 1, 63, 64, 65 })
            {
                var options = new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None);
                var bytes = Model(random, [1, 2, width, channels], 1, 3, 3, options, channels % 2 == 0, 0.01);
                AssertDelegatedAndExact(bytes, random, 0.01, $"C {channels} width {width}");
            }
    }

    [Test]
    public void UnequalStridesDilationsAndRectangularKernelsMatchTheReferenceBitForBit()
    {
        var random = new Random(804);
        (int Kh, int Kw, int Sh, int Sw, int Dh, int Dw)[] cases = [(3, 1, 1, 2, 1, 1), (1, 5, 2, 1, 1, 3), (2, 3, 3, 2, 2, 1), (7, 7, 1, 1, 1, 1), (4, 2, 2, 3, 3, 2)];
        foreach (var (kh, kw, sh, sw, dh, dw) in cases)
            foreach (var padding in new[] { Padding.Same, Padding.Valid })
            {
                var options = new DepthwiseConv2DOptions(padding, sw, sh, 1, ActivationFunctionType.None, dw, dh);
                var bytes = Model(random, [1, 12, 11, 16], 1, kh, kw, options, true, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"{kh}x{kw} s{sh},{sw} d{dh},{dw} {padding}");
            }
    }

    [Test]
    public void StripsOfFourOutputsCoverEveryRowRemainderStrideAndDilation()
    {
        // Windows up to 5x5 compute 4 horizontally adjacent outputs per invocation: widths around multiples of 4,
        // column strides and dilations that make a column feed 0, 1 or several outputs of the strip.
        var random = new Random(808);
        foreach (int width in new[] { 1, 3, 4, 5, 8, 11 })
            foreach (var (k, stride, dilation) in new[] { (3, 1, 1), (3, 2, 1), (5, 1, 2), (2, 3, 1), (3, 1, 3), (4, 2, 2) })
            {
                var options = new DepthwiseConv2DOptions(width % 2 == 0 ? Padding.Same : Padding.Valid, stride, 1, 1, ActivationFunctionType.None,
                    dilation, 1);
                int paddedWidth = width + (k - 1) * dilation; // VALID needs the window to fit
                var bytes = Model(random, [2, 4, width % 2 == 0 ? width : paddedWidth, 16], 1, 2, k, options, true, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"width {width} 2x{k} stride {stride} dilation {dilation}");
            }
    }

    [Test]
    public void SpecialValuesInInputsFilterAndBiasPropagateExactlyAsTheReference()
    {
        var random = new Random(805);
        foreach (var activation in Activations)
            foreach (int channels in new[] { 5, 16 })
            {
                var options = new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, activation);
                var bytes = Model(random, [1, 6, 7, channels], 1, 3, 3, options, true, 0.3);
                AssertDelegatedAndExact(bytes, random, 0.3, $"specials C {channels} {activation}");
            }
    }

    [Test]
    public void ANegativeZeroProductStartsFromPlusZeroAsTheReference()
    {
        // fma(-0, 1, +0) = +0 for a 1x1 window (one step), which a compiler folding fma(x, w, 0) into x*w gets wrong.
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 1, 2, 8);
        int y = mb.Tensor("y", 1, 1, 2, 8);
        mb.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, mb.AddConstant("filter", [1, 1, 1, 8], new[] { 1f, -1f, 2f, -2f, 1f, -1f, 0f, -0f })], [y],
            new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        float[] input = [-0f, -0f, -0f, -0f, 0f, 0f, 1f, -1f, 0f, 0f, 0f, 0f, -0f, -0f, -1f, 1f];
        var plan = VulkanHarness.AssertBitExact(mb.Build(), [input], "-0 products");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));
    }

    [Test]
    public void AFilterComputedAtRunTimeIsRePackedOnTheDevice()
    {
        var random = new Random(806);
        foreach (int channels in new[] { 6, 16 })
        {
            var options = new DepthwiseConv2DOptions(Padding.Valid, 1, 2, 1, ActivationFunctionType.Relu, 2, 1);
            var bytes = Model(random, [2, 8, 9, channels], channels == 6 ? 2 : 1, 3, 2, options, true, 0.05, filterIsInput: true);
            AssertDelegatedAndExact(bytes, random, 0.05, $"runtime filter C {channels}");
        }
    }

    [Test]
    public void WithoutAnExactFmaTheNodeIsRefusedNamingTheProblem()
    {
        var bytes = Model(new Random(807), [1, 4, 4, 2], 1, 3, 3, new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None), true, 0);
        var node = ConvNodeProbe.Capture(bytes).Single();
        var support = new DepthwiseConv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("DEPTHWISE_CONV_2D needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        // No subgroup operations: small subgroups are fine.
        Assert.That(new DepthwiseConv2DKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4).IsSupported, Is.True);
    }
}
