using Accel.Building;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// Issue 11's crafted models: CONV_2D / DEPTHWISE_CONV_2D with a huge dilation on a 3×3 filter, whose window offsets
/// (origin + tap × dilation) do not fit an int. Their definitions refuse them at AllocateTensors, before the ILGPU
/// delegate is asked; a dilation whose offsets just fit runs on ILGPU, bit-identical to the reference.
/// </summary>
[TestFixture]
public sealed class IlgpuDilationOverflowTests
{
    private const int InputSize = 5, InputDepth = 2, Multiplier = 2, OutputDepth = InputDepth * Multiplier;

    /// <summary>
    /// x [1,5,5,2] → the convolution (SAME, stride 1, 3×3 filter, bias) → y. The declared output shape is the
    /// SAME one (5×5); the definition computes the real one.
    /// </summary>
    private static byte[] BuildModel(BuiltinOperator op, int dilationH, int dilationW)
    {
        var random = new Random(dilationH ^ dilationW);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, InputSize, InputSize, InputDepth);
        int[] filterShape = op == BuiltinOperator.Conv2D ? [OutputDepth, 3, 3, InputDepth] : [1, 3, 3, OutputDepth];
        int filter = mb.AddConstant("filter", filterShape, IlgpuHarness.Values(random, filterShape.Aggregate(1, (a, b) => a * b), 0.05));
        int bias = mb.AddConstant("bias", [OutputDepth], IlgpuHarness.Values(random, OutputDepth, 0.1));
        int y = mb.Tensor("y", 1, InputSize, InputSize, OutputDepth);
        OperatorOptions options = op == BuiltinOperator.Conv2D
            ? new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None, dilationW, dilationH)
            : new DepthwiseConv2DOptions(Padding.Same, 1, 1, Multiplier, ActivationFunctionType.None, dilationW, dilationH);
        mb.AddOperator(op, [x, filter, bias], [y], options);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    [TestCase(BuiltinOperator.Conv2D, 1 << 30, 1 << 30)]
    [TestCase(BuiltinOperator.Conv2D, int.MaxValue, int.MaxValue)]
    [TestCase(BuiltinOperator.Conv2D, 1 << 30, 1)]
    [TestCase(BuiltinOperator.Conv2D, 1, int.MaxValue)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1 << 30, 1 << 30)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, int.MaxValue, int.MaxValue)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1 << 30, 1)]
    [TestCase(BuiltinOperator.DepthwiseConv2D, 1, int.MaxValue)]
    public void DilationWhoseOffsetsOverflowIsAKernelExceptionNamingTheNodeAtAllocateTensors(BuiltinOperator op, int dilationH, int dilationW)
    {
        using var model = Model.FromBytes(BuildModel(op, dilationH, dilationW));
        var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(model, options);

        var error = Assert.Throws<KernelException>(() => interpreter.AllocateTensors())!;
        Assert.That(error.NodeIndex, Is.Zero);
        Assert.That(error.OperatorName, Is.EqualTo(op.ToSchemaName()));
        Assert.That(error.Message, Does.StartWith($"node 0 ({op.ToSchemaName()}): "));
        Assert.That(error.Message, Does.Contain($"dilation {(dilationH > 1 ? dilationH : dilationW)}"));
        Assert.That(error.Message, Does.Contain("do not fit a 32-bit index"));
        Assert.That(ilgpu.AllocatedDeviceBytes, Is.Zero, "nothing reached the device");
    }

    /// <summary>
    /// 715827883 = ⌈(2^31 − 1) / 3⌉: the effective filter 2·715827883 + 1 = 1431655767 plus the input and the stride
    /// still fits an int. SAME pads 715827883 before, so only the centre tap of each window lands in the input.
    /// </summary>
    [TestCase(BuiltinOperator.Conv2D)]
    [TestCase(BuiltinOperator.DepthwiseConv2D)]
    public void LargestDilationThatFitsRunsOnIlgpuBitIdenticalToTheReference(BuiltinOperator op)
    {
        const int dilation = 715827883;
        var bytes = BuildModel(op, dilation, dilation);
        var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), new Random(17), 0.1),
            $"{op} dilation {dilation}");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), string.Join("; ", plan.Refused.Select(r => r.Reason)));
    }
}
