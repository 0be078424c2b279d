using Accel.Building;
using Accel.Delegates.Vulkan.Kernels;
using Accel.Operators;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// The convolution family's device requirements, on faked device capabilities: without a single-rounding fma every
/// kernel refuses its node naming the problem; CONV_2D, FULLY_CONNECTED and Convolution2DTransposeBias also need
/// subgroups of at least 8 (their shared loads), DEPTHWISE_CONV_2D does not. (Their bit-exactness is the op suite's:
/// <see cref="VulkanOpSuite"/>.)
/// </summary>
[TestFixture]
public sealed class VulkanKernelRequirementTests
{
    private static byte[] SingleNode(BuiltinOperator op, int[] input, int[] weights, int[] output, OperatorOptions options)
    {
        var random = new Random(609);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", input);
        int w = mb.AddConstant("weights", weights, VulkanHarness.Values(random, weights.Aggregate(1, (a, b) => a * b)));
        int y = mb.Tensor("y", output);
        mb.AddOperator(op, [x, w], [y], options);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static DelegateNode Conv2DNode(int kernel) => ConvNodeProbe.Capture(SingleNode(BuiltinOperator.Conv2D, [1, 4, 4, 2], [3, kernel, kernel, 2],
        [1, 4, 4, 3], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None))).Single();

    [Test]
    public void Conv2DWithoutAnExactFmaIsRefusedNamingTheProblem()
    {
        var node = Conv2DNode(3);
        var support = new Conv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("CONV_2D needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        Assert.That(new Conv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma with { FmaExact = true, FmaProblem = null }).IsSupported, Is.True);
    }

    [Test]
    public void Conv2DWithSubgroupsSmallerThan8IsRefusedNamingTheSize()
    {
        var support = new Conv2DKernel().Supports(Conv2DNode(1), ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("CONV_2D needs subgroup ballot operations").And.Contain("size 4"));
    }

    [Test]
    public void DepthwiseConv2DWithoutAnExactFmaIsRefusedButSmallSubgroupsAreFine()
    {
        var node = ConvNodeProbe.Capture(SingleNode(BuiltinOperator.DepthwiseConv2D, [1, 4, 4, 2], [1, 3, 3, 2], [1, 4, 4, 2],
            new DepthwiseConv2DOptions(Padding.Same, 1, 1, 1, ActivationFunctionType.None))).Single();
        var support = new DepthwiseConv2DKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.StartWith("DEPTHWISE_CONV_2D needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        // No subgroup operations: small subgroups are fine.
        Assert.That(new DepthwiseConv2DKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4).IsSupported, Is.True);
    }

    [Test]
    public void FullyConnectedWithoutAnExactFmaOrWithSmallSubgroupsIsRefusedWithTheReason()
    {
        var node = ConvNodeProbe.Capture(SingleNode(BuiltinOperator.FullyConnected, [2, 4], [3, 4], [2, 3],
            new FullyConnectedOptions(ActivationFunctionType.None))).Single();
        var noFma = new FullyConnectedKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(noFma.IsSupported, Is.False);
        Assert.That(noFma.Reason, Does.StartWith("FULLY_CONNECTED needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        var smallSubgroups = new FullyConnectedKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(smallSubgroups.IsSupported, Is.False);
        Assert.That(smallSubgroups.Reason, Does.Contain("subgroups of at least 8"));
    }

    [Test]
    public void TransposeConvBiasWithoutAnExactFmaOrWithSmallSubgroupsIsRefusedWithTheReason()
    {
        var random = new Random(905);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 3, 3, 2);
        int w = mb.AddConstant("weights", [3, 2, 2, 2], VulkanHarness.Values(random, 24));
        int b = mb.AddConstant("bias", [3], VulkanHarness.Values(random, 3));
        int y = mb.Tensor("y", 1, 6, 6, 3);
        mb.AddCustomOperator(CustomOps.Convolution2DTransposeBias, [x, w, b], [y],
            [.. BitConverter.GetBytes(1), .. BitConverter.GetBytes(2), .. BitConverter.GetBytes(2)]);
        mb.AddInput(x);
        mb.AddOutput(y);
        var node = ConvNodeProbe.Capture(mb.Build()).Single();
        var noFma = new TransposeConvBiasKernel().Supports(node, ConvNodeProbe.DeviceWithoutExactFma);
        Assert.That(noFma.IsSupported, Is.False);
        Assert.That(noFma.Reason, Does.StartWith("Convolution2DTransposeBias needs a single-rounding fma").And.Contain(ConvNodeProbe.FmaProblem));
        var smallSubgroups = new TransposeConvBiasKernel().Supports(node, ConvNodeProbe.DeviceWithSubgroupsOf4);
        Assert.That(smallSubgroups.IsSupported, Is.False);
        Assert.That(smallSubgroups.Reason, Does.Contain("subgroups of at least 8"));
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
