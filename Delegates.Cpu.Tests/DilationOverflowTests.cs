using Accel.Building;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Regression (issue 11): a crafted model with CONV_2D or DEPTHWISE_CONV_2D whose dilation makes a 3×3 window's
/// offsets overflow an int used to crash the process through the CPU delegate. Its definition now refuses it at
/// AllocateTensors with a typed error naming the node, before the delegate sees it; a dilation that still fits runs
/// on the delegate bit-identically to the reference.
/// </summary>
public sealed class DilationOverflowTests
{
    /// <summary>Fits: (3 − 1)·715827883 + 1 = 1431655767, and input + effective filter + stride stays below 2^31.</summary>
    private const int LargestFittingDilation = 715827883;

    private static readonly BuiltinOperator[] ConvOps = [BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D];

    /// <summary>input → RELU → the convolution (node 1) → output; a 3×3 filter, 2 input and output channels.</summary>
    private static byte[] ReluThenConv(BuiltinOperator op, Padding padding, int dilationH, int dilationW)
    {
        var random = new Random(dilationH ^ dilationW);
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, 4, 5, 2]);
        int r = b.AddTensor("relu", TensorType.Float32, [1, 4, 5, 2]);
        int[] filterShape = op == BuiltinOperator.Conv2D ? [2, 3, 3, 2] : [1, 3, 3, 2];
        int w = b.AddConstant("filter", filterShape, Random(random, filterShape.Aggregate(1, (n, d) => n * d)));
        int c = b.AddConstant("bias", [2], Random(random, 2));
        int y = b.AddTensor("output", TensorType.Float32, [1, 4, 5, 2]);
        OperatorOptions options = op == BuiltinOperator.Conv2D
            ? new Conv2DOptions(padding, 1, 1, ActivationFunctionType.None, dilationW, dilationH)
            : new DepthwiseConv2DOptions(padding, 1, 1, 1, ActivationFunctionType.None, dilationW, dilationH);
        b.AddOperator(BuiltinOperator.Relu, [x], [r]);
        b.AddOperator(op, [r, w, c], [y], options, version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    [Test]
    public void DilationsWhoseOffsetsOverflowAreRefusedAtAllocateTensorsNamingTheNode(
        [ValueSource(nameof(ConvOps))] BuiltinOperator op, [Values(1 << 30, int.MaxValue)] int dilation,
        [Values(Padding.Same, Padding.Valid)] Padding padding)
    {
        foreach (var (dilationH, dilationW) in new[] { (dilation, 1), (1, dilation), (dilation, dilation) })
        {
            using var model = Model.FromBytes(ReluThenConv(op, padding, dilationH, dilationW));
            var options = new InterpreterOptions();
            options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
            using var interpreter = new Interpreter(model, options);
            var error = Assert.Throws<KernelException>(() => interpreter.AllocateTensors(),
                $"{op} dilation {dilationH}x{dilationW} {padding}")!;
            Assert.That(error.NodeIndex, Is.EqualTo(1));
            Assert.That(error.OperatorName, Is.EqualTo(op.ToSchemaName()));
            Assert.That(error.Message, Does.StartWith($"node 1 ({op.ToSchemaName()})").And.Contain("32-bit"));
        }
    }

    [Test]
    public void TheLargestFittingDilationRunsOnTheDelegateBitIdenticalToTheReference([ValueSource(nameof(ConvOps))] BuiltinOperator op)
    {
        var random = new Random(17);
        foreach (var (dilationH, dilationW) in new[] { (LargestFittingDilation, 1), (1, LargestFittingDilation), (LargestFittingDilation, LargestFittingDilation) })
        {
            byte[] model = ReluThenConv(op, Padding.Same, dilationH, dilationW);
            float[] input = WithSpecials(random, Random(random, 40, 4f), 0.1);
            // SAME keeps the 4×5 output; of each 3-tap axis only the centre tap lands inside the input.
            AssertMatchesReference(model, input, $"{op} dilation {dilationH}x{dilationW}", expectedDelegatedNodes: 2);
        }
    }

    [Test]
    public void TheLargestFittingDilationWithValidPaddingIsAnEmptyOutputTheDelegateLeavesToTheReference(
        [ValueSource(nameof(ConvOps))] BuiltinOperator op)
    {
        byte[] model = ReluThenConv(op, Padding.Valid, LargestFittingDilation, LargestFittingDilation);
        float[] input = Random(new Random(18), 40);
        float[] actual = RunDelegated(model, input, 1, out var plan);
        var refusal = plan.Refused.Single(r => r.Node == 1);
        Assert.That(refusal.Reason, Does.Contain("empty dimension"));
        Assert.That(actual, Is.Empty);
        AssertBitEqual(actual, RunReference(model, input), "empty output on the reference");
    }
}
