using Accel.Building;
using Accel.Delegates.Vulkan.Kernels;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>CONV_2D: fully delegated and bit-identical to the reference for every geometry, option and special value.</summary>
[TestFixture]
public sealed class VulkanConv2DTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    /// <summary>A one-node CONV_2D model; the filter is a constant unless <paramref name="filterIsInput"/>.</summary>
    internal static byte[] Model(Random random, int[] inputShape, int outputChannels, int kernelH, int kernelW, int groups,
        Conv2DOptions options, bool bias, double specialFraction, bool filterIsInput = false)
    {
        int filterDepth = inputShape[3] / groups;
        int[] filterShape = [outputChannels, kernelH, kernelW, filterDepth];
        var rows = SpatialPadding.Compute(options.Padding, inputShape[1], kernelH, options.StrideH, options.DilationH);
        var cols = SpatialPadding.Compute(options.Padding, inputShape[2], kernelW, options.StrideW, options.DilationW);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", inputShape);
        int filter = filterIsInput
            ? mb.Tensor("filter", filterShape)
            : mb.AddConstant("filter", filterShape, VulkanHarness.Values(random, filterShape.Aggregate(1, (a, b) => a * b), specialFraction));
        int y = mb.Tensor("y", inputShape[0], rows.OutputSize, cols.OutputSize, outputChannels);
        int[] inputs = bias ? [x, filter, mb.AddConstant("bias", [outputChannels], VulkanHarness.Values(random, outputChannels, specialFraction))] : [x, filter];
        mb.AddOperator(BuiltinOperator.Conv2D, inputs, [y], options);
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
        var random = new Random(601);
        int[] kernels = [1, 3, 5];
        int caseIndex = 0;
        foreach (int k in kernels)
            foreach (int stride in new[] { 1, 2 })
                foreach (int dilation in new[] { 1, 2 })
                    foreach (var padding in new[] { Padding.Same, Padding.Valid })
                    {
                        var activation = Activations[caseIndex % Activations.Length];
                        bool bias = caseIndex % 3 != 0;
                        caseIndex++;
                        int[] shape = [1 + caseIndex % 2, 5 + random.Next(9), 4 + random.Next(11), 1 + random.Next(7)];
                        int outputChannels = 1 + random.Next(13);
                        var options = new Conv2DOptions(padding, stride, stride, activation, dilation, dilation);
                        var bytes = Model(random, shape, outputChannels, k, k, 1, options, bias, 0.02);
                        AssertDelegatedAndExact(bytes, random, 0.02,
                            $"{k}x{k} s{stride} d{dilation} {padding} {activation} bias={bias} in [{string.Join(",", shape)}] Cout {outputChannels}");
                    }
    }

    [Test]
    public void InputDepthsInAndOutOfWholeOctetsMatchTheReferenceBitForBit()
    {
        // Depth a multiple of 8: the input is read 8 channels per load, tap by tap; otherwise (tap, ci) is walked flat.
        var random = new Random(611);
        foreach (int depth in new[] { 8, 16, 24, 40, 3, 9, 12, 20, 31 })
            foreach (int k in new[] { 1, 3, 5 })
            {
                var options = new Conv2DOptions(k == 5 ? Padding.Valid : Padding.Same, 1 + depth % 2, 1, Activations[depth % 4], 1, 1 + k % 2);
                var bytes = Model(random, [1, 9, 8, depth], 11 + depth % 7, k, k, 1, options, depth % 3 != 0, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"depth {depth} {k}x{k}");
            }
    }

    [Test]
    public void OneOrTwoFiltersPerGroupUseSingleChannelBlocksAndMatchTheReference()
    {
        // Blocks of one channel: 64 reduction steps per load round, tap by tap (depth % 8 == 0, rounds cut at the
        // tap's depth) or walked flat.
        var random = new Random(612);
        foreach (int depth in new[] { 8, 64, 72, 136, 3, 13, 70 })
            foreach (int outputChannels in new[] { 1, 2 })
                foreach (int k in new[] { 1, 3 })
                {
                    var options = new Conv2DOptions(Padding.Same, 1, 1, Activations[depth % 4]);
                    var bytes = Model(random, [1, 5, 9, depth], outputChannels, k, k, 1, options, depth % 2 == 0, 0.02);
                    AssertDelegatedAndExact(bytes, random, 0.02, $"depth {depth} Cout {outputChannels} {k}x{k}");
                }
        foreach (var (cin, groups, cout) in new[] { (16, 8, 16), (24, 3, 3), (10, 5, 10) })
        {
            var bytes = Model(random, [1, 6, 5, cin], cout, 3, 3, groups, new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), true, 0.02);
            AssertDelegatedAndExact(bytes, random, 0.02, $"groups {groups} Cin {cin} Cout {cout}");
        }
    }

    [Test]
    public void UnequalStridesDilationsAndRectangularKernelsMatchTheReferenceBitForBit()
    {
        var random = new Random(602);
        (int Kh, int Kw, int Sh, int Sw, int Dh, int Dw)[] cases = [(3, 1, 1, 2, 1, 1), (1, 5, 2, 1, 1, 3), (2, 3, 3, 2, 2, 1), (4, 2, 1, 1, 1, 2), (3, 3, 2, 1, 3, 1)];
        foreach (var (kh, kw, sh, sw, dh, dw) in cases)
            foreach (var padding in new[] { Padding.Same, Padding.Valid })
            {
                var options = new Conv2DOptions(padding, sw, sh, ActivationFunctionType.None, dw, dh);
                var bytes = Model(random, [1, 11, 9, 5], 7, kh, kw, 1, options, true, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"{kh}x{kw} s{sh},{sw} d{dh},{dw} {padding}");
            }
    }

    [Test]
    public void OutputChannelAndPixelTailsAroundTheBlockAndWorkgroupSizesMatchTheReference()
    {
        // 8 channels per invocation, 64 pixels per workgroup: every remainder of both.
        var random = new Random(603);
        int[] channels = [1, 2, 7, 8, 9, 15, 16, 17, 63, 65];
        int[] widths = [1, 63, 64, 65, 129];
        foreach (int c in channels)
            foreach (int width in widths)
            {
                var options = new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu6);
                var bytes = Model(random, [1, 1, width, 3], c, 1, 1, 1, options, true, 0.01);
                AssertDelegatedAndExact(bytes, random, 0.01, $"1x1 Cout {c} width {width}");
            }
    }

    [Test]
    public void GroupedConvolutionReadsEachGroupsInputChannelsLikeTheReference()
    {
        var random = new Random(604);
        // (Cin, groups, Cout): filters per group 1, 2, 3, 4, 6, 8, 12, 16 (blocks of 1, 2, 1, 4, 2, 8, 4, 8 channels).
        (int Cin, int Groups, int Cout)[] cases = [(4, 4, 4), (6, 3, 6), (6, 2, 6), (8, 2, 8), (9, 3, 18), (16, 2, 16), (12, 4, 48), (10, 5, 80)];
        foreach (var (cin, groups, cout) in cases)
            foreach (int k in new[] { 1, 3 })
            {
                var options = new Conv2DOptions(Padding.Same, 1, 2, ActivationFunctionType.None);
                var bytes = Model(random, [1, 7, 6, cin], cout, k, k, groups, options, groups % 2 == 0, 0.02);
                AssertDelegatedAndExact(bytes, random, 0.02, $"groups {groups} Cin {cin} Cout {cout} {k}x{k}");
            }
    }

    [Test]
    public void SpecialValuesInInputsFilterAndBiasPropagateExactlyAsTheReference()
    {
        // NaN payloads, ±0, ±inf, subnormals and huge values: 0 × inf taps, overflow, -0 sums, subnormal accumulators.
        var random = new Random(605);
        foreach (var activation in Activations)
            foreach (int k in new[] { 1, 3 })
            {
                var options = new Conv2DOptions(Padding.Same, 1, 1, activation);
                var bytes = Model(random, [1, 6, 7, 4], 9, k, k, 1, options, true, 0.3);
                AssertDelegatedAndExact(bytes, random, 0.3, $"specials {k}x{k} {activation}");
            }
    }

    [Test]
    public void SubnormalProductsAndCancellationsAccumulateExactlyAsTheReference()
    {
        // Tiny magnitudes make every fma step land near subnormal results, where a double-rounded fma goes wrong.
        var random = new Random(606);
        var mb = new ModelBuilder();
        int[] filterShape = [5, 3, 3, 6];
        var weights = new float[5 * 3 * 3 * 6];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, -60 - random.Next(20)));
        int x = mb.Tensor("x", 1, 5, 5, 6);
        int y = mb.Tensor("y", 1, 5, 5, 5);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, mb.AddConstant("filter", filterShape, weights)], [y],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();
        var input = new float[5 * 5 * 6];
        for (int i = 0; i < input.Length; i++) input[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(2, -60 - random.Next(20)));
        var plan = VulkanHarness.AssertBitExact(bytes, [input], "subnormal chains");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));
    }

    [Test]
    public void ANegativeZeroProductStartsFromPlusZeroAsTheReference()
    {
        // fma(-0, 1, +0) = +0: a chain of one step whose product is -0 must not come out -0 (a compiler that sees the
        // +0 start as a literal may fold fma(x, w, 0) into x*w).
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 2, 2, 1);
        int y = mb.Tensor("y", 1, 2, 2, 2);
        mb.AddOperator(BuiltinOperator.Conv2D, [x, mb.AddConstant("filter", [2, 1, 1, 1], new[] { 1f, -1f })], [y],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        var plan = VulkanHarness.AssertBitExact(mb.Build(), [[-0f, 0f, -0f, 0f]], "-0 products");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));
    }

    [Test]
    public void AFilterComputedAtRunTimeIsReadFromItsDeviceBuffer()
    {
        var random = new Random(607);
        var options = new Conv2DOptions(Padding.Valid, 2, 1, ActivationFunctionType.Relu, 1, 2);
        var bytes = Model(random, [2, 8, 9, 3], 10, 3, 2, 1, options, true, 0.05, filterIsInput: true);
        AssertDelegatedAndExact(bytes, random, 0.05, "runtime filter");
    }

    [Test]
    public void ALargeConvolutionBeyond65535WorkgroupsOfPixelsWrapsItsGridStrideLoop()
    {
        // 2 x 1100 x 1000 = 2.2 M pixels = 34,375 groups … and 4.4 M pixels at batch 4 exceed 65,535 groups of 64.
        var random = new Random(608);
        var options = new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None);
        var bytes = Model(random, [4, 1100, 1000, 1], 2, 1, 1, 1, options, true, 0.01);
        AssertDelegatedAndExact(bytes, random, 0.01, "4.4 M pixels");
    }

    [Test]
    public void WithoutAnExactFmaTheNodeIsRefusedNamingTheProblem()
    {
        var random = new Random(609);
        var bytes = Model(random, [1, 4, 4, 2], 3, 3, 3, 1, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), true, 0);
        var node = ConvNodeProbe.Capture(bytes).Single();
        var support = new Conv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("CONV_2D needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        Assert.That(new Conv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma with { FmaExact = true, FmaProblem = null }).IsSupported, Is.True);
    }

    [Test]
    public void WithSubgroupsSmallerThan8TheNodeIsRefusedNamingTheSize()
    {
        var bytes = Model(new Random(610), [1, 4, 4, 2], 3, 1, 1, 1, new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None), false, 0);
        var support = new Conv2DKernel().Supports(ConvNodeProbe.Capture(bytes).Single(), ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("CONV_2D needs subgroup ballot operations").And.Contain("size 4"));
    }
}

/// <summary>Hands the DelegateNodes of a model to a test (through a delegate that claims nothing) and fakes device capabilities.</summary>
internal static class ConvNodeProbe
{
    public const string FmaProblem = "fma(a, b, c) rounded twice (test)";

    public static VulkanDeviceInfo DeviceWithoutExactFma { get; } = new(
        new VulkanDeviceDescription(0, "test device", VulkanDeviceType.Cpu, new Version(1, 1)),
        new VulkanDeviceLimits(1UL << 31, 65535, 128) { SubgroupSize = 8, SubgroupBallotInCompute = true }, VulkanFloatControls.None,
        FmaExact: false, FmaProblem, SubnormalProblem: null);

    /// <summary>A device with an exact fma whose subgroups are too small for conv_block.glsl's shared loads.</summary>
    public static VulkanDeviceInfo DeviceWithSubgroupsOf4 { get; } = DeviceWithoutExactFma with
    {
        FmaExact = true, FmaProblem = null, Limits = DeviceWithoutExactFma.Limits with { SubgroupSize = 4 },
    };

    /// <summary>The nodes the interpreter offers a delegate, in order.</summary>
    public static List<DelegateNode> Capture(byte[] modelBytes)
    {
        var spy = new SpyDelegate();
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(spy));
        using var interpreter = new Interpreter(Model.FromBytes(modelBytes), options);
        interpreter.AllocateTensors();
        return spy.Nodes;
    }

    private sealed class SpyDelegate : IAccelDelegate
    {
        public List<DelegateNode> Nodes { get; } = new();
        public string Name => "spy";
        public DelegateCapabilities Capabilities { get; } = new(new HashSet<TensorType> { TensorType.Float32 }, false, DelegateMemory.Device);
        public string? UnavailableReason => null;

        public NodeSupport Supports(DelegateNode node)
        {
            Nodes.Add(node);
            return NodeSupport.Refuse("spy");
        }

        public IPartitionKernel Compile(DelegatePartition partition) => throw new InvalidOperationException("the spy claims nothing");
        public double EstimateSeconds(DelegateNode node) => 0;
        public double EstimateTransferSeconds(long bytes) => 0;
        public void Dispose() { }
    }
}
