using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// Issue 11's crafted models: CONV_2D / DEPTHWISE_CONV_2D with a huge dilation on a 3x3 filter. Where the window's
/// offsets overflow an int (2^30, 2^31−1) the operator's definition refuses the node at AllocateTensors, before the
/// Vulkan delegate sees it; the largest dilation that fits (715827883: effective filter 2^31 − 129) runs on the
/// delegate bit-identical to the reference.
/// </summary>
[TestFixture]
public sealed class VulkanDilationOverflowTests
{
    private const int FitsDilation = 715_827_883;

    /// <summary>A one-node model, 3x3 filter, SAME padding, output [1, ceil(5 / stride), ceil(6 / stride), Cout].</summary>
    private static byte[] Model(BuiltinOperator op, int dilationH, int dilationW, int stride = 1)
    {
        var random = new Random(1130);
        int[] inputShape = [1, 5, 6, 3];
        int outputChannels = op == BuiltinOperator.Conv2D ? 4 : 6;
        int[] filterShape = op == BuiltinOperator.Conv2D ? [outputChannels, 3, 3, inputShape[3]] : [1, 3, 3, outputChannels];
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", inputShape);
        int filter = mb.AddConstant("filter", filterShape, VulkanHarness.Values(random, 9 * filterShape[0] * filterShape[3], 0.05));
        int bias = mb.AddConstant("bias", [outputChannels], VulkanHarness.Values(random, outputChannels, 0.05));
        int y = mb.Tensor("y", 1, (5 + stride - 1) / stride, (6 + stride - 1) / stride, outputChannels);
        if (op == BuiltinOperator.Conv2D)
            mb.AddOperator(op, [x, filter, bias], [y],
                new Conv2DOptions(Padding.Same, stride, stride, ActivationFunctionType.Relu6, dilationW, dilationH));
        else
            mb.AddOperator(op, [x, filter, bias], [y],
                new DepthwiseConv2DOptions(Padding.Same, stride, stride, 2, ActivationFunctionType.Relu6, dilationW, dilationH));
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    [TestCase(BuiltinOperator.Conv2D, 1 << 30, 1 << 30)]
    [TestCase(BuiltinOperator.Conv2D, int.MaxValue, int.MaxValue)]
    [TestCase(BuiltinOperator.Conv2D, 1, 1 << 30)]
    [TestCase(BuiltinOperator.Conv2D, int.MaxValue, 1)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1 << 30, 1 << 30)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, int.MaxValue, int.MaxValue)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1, int.MaxValue)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1 << 30, 1)]
    public void ADilationWhoseOffsetsOverflowIsRefusedAtAllocateTensorsNamingTheNode(BuiltinOperator op, int dilationH, int dilationW)
    {
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(Accel.Model.FromBytes(Model(op, dilationH, dilationW)), options);
        var error = Assert.Throws<KernelException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.NodeIndex, Is.Zero);
        Assert.That(error.OperatorName, Does.Contain(op.ToSchemaName()));
        Assert.That(error.Message, Does.StartWith($"node 0 ({error.OperatorName}):").And.Contain("dilation").And.Contain("32-bit index"));
    }

    [TestCase(BuiltinOperator.Conv2D, FitsDilation, FitsDilation)]
    [TestCase(BuiltinOperator.Conv2D, 1, FitsDilation)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, FitsDilation, FitsDilation)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, FitsDilation, 1)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1, 20_000)]
    public void TheLargestDilationThatFitsRunsOnVulkanBitIdenticalToTheReference(BuiltinOperator op, int dilationH, int dilationW)
    {
        var bytes = Model(op, dilationH, dilationW);
        var inputs = VulkanHarness.RandomInputs(Accel.Model.FromBytes(bytes), new Random(1131), 0.05);
        var plan = VulkanHarness.AssertBitExact(bytes, inputs, $"{op} dilation {dilationH}x{dilationW}");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), string.Join("; ", plan.Refused.Select(r => r.Reason)));
    }

    /// <summary>A stride of 2^30 fits too (one output per row and column); the depthwise strip path must not wrap its span.</summary>
    [TestCase(BuiltinOperator.Conv2D, 1)]
    [TestCase(BuiltinOperator.Conv2D, 3)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 3)]
    public void AHugeStrideRunsOnVulkanBitIdenticalToTheReference(BuiltinOperator op, int dilation)
    {
        var bytes = Model(op, dilation, dilation, stride: 1 << 30);
        var inputs = VulkanHarness.RandomInputs(Accel.Model.FromBytes(bytes), new Random(1132), 0.05);
        var plan = VulkanHarness.AssertBitExact(bytes, inputs, $"{op} stride 2^30 dilation {dilation}");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), string.Join("; ", plan.Refused.Select(r => r.Reason)));
    }
}
