using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>Assertions shared by the CPU delegate's bit-exactness tests.</summary>
internal static class BitExactAssert
{
    /// <summary>The delegate claimed every executed node and reproduced the reference's bits (twice).</summary>
    public static void FullyDelegatedAndIdentical(BitExactCase c, params int[] threadCounts)
    {
        foreach (int threads in threadCounts.Length == 0 ? [1, 2] : threadCounts)
        {
            var outcome = BitExactHarness.Compare(c, threads);
            Assert.That(outcome.Mismatch, Is.Null, $"{c.Name} at {threads} thread(s)");
            Assert.That(outcome.DelegatedNodes, Is.EqualTo(outcome.ExecutedNodes),
                $"{c.Name}: not every node was delegated: {string.Join("; ", outcome.Refusals)}");
            Assert.That(outcome.ExecutedNodes, Is.GreaterThan(0), c.Name);
        }
    }

    public static IEnumerable<TestCaseData> Seeds(string prefix, int count, int firstSeed) =>
        Enumerable.Range(firstSeed, count).Select(seed => new TestCaseData(seed).SetName($"{prefix}(seed {seed})"));
}

/// <summary>
/// ADD, SUB, MUL (broadcasting, fused activations, constant operands, absent options) and RELU, RELU6, HARD_SWISH,
/// LOGISTIC on the CPU delegate: bit-identical to the reference kernels at 1 and 2 threads, including special values
/// (±0, subnormals, ±inf, NaN, huge magnitudes, the SpecMath thresholds and their bit neighbours).
/// </summary>
[TestFixture]
public sealed class ElementwiseTests
{
    private static readonly BuiltinOperator[] BinaryOps = [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];
    private static readonly BuiltinOperator[] UnaryOps =
        [BuiltinOperator.Relu, BuiltinOperator.Relu6, BuiltinOperator.HardSwish, BuiltinOperator.Logistic];

    [TestCaseSource(nameof(BinarySeeds))]
    public void BinaryOpsWithRandomBroadcastsMatchTheReferenceBitForBit(int seed)
    {
        var random = new Random(seed);
        foreach (var op in BinaryOps)
            for (int i = 0; i < 6; i++)
                BitExactAssert.FullyDelegatedAndIdentical(OpCases.Binary(op, random, specialFraction: i % 2 == 0 ? 0 : 0.15));
    }

    private static IEnumerable<TestCaseData> BinarySeeds() =>
        BitExactAssert.Seeds(nameof(BinaryOpsWithRandomBroadcastsMatchTheReferenceBitForBit), 4, 100);

    [Test]
    public void LargeBinaryOpsSplitAcrossThreadsMatchTheReference()
    {
        var random = new Random(7);
        foreach (var op in BinaryOps)
            for (int i = 0; i < 2; i++)
                BitExactAssert.FullyDelegatedAndIdentical(OpCases.Binary(op, random, 0.05, large: true), 2);
    }

    [TestCaseSource(nameof(UnarySeeds))]
    public void UnaryOpsMatchTheReferenceBitForBit(int seed)
    {
        var random = new Random(seed);
        foreach (var op in UnaryOps)
            for (int i = 0; i < 5; i++)
                BitExactAssert.FullyDelegatedAndIdentical(OpCases.Unary(op, random, i % 2 == 0 ? 0 : 0.2,
                    scale: op == BuiltinOperator.Logistic ? 120f : 8f));
    }

    private static IEnumerable<TestCaseData> UnarySeeds() =>
        BitExactAssert.Seeds(nameof(UnaryOpsMatchTheReferenceBitForBit), 3, 200);

    [Test]
    public void UnaryOpsPassSpecialValuesAndTheirBitNeighboursExactlyAsTheReference()
    {
        foreach (var op in UnaryOps) BitExactAssert.FullyDelegatedAndIdentical(OpCases.UnarySpecials(op));
    }

    [Test]
    public void LargeUnaryOpsSplitAcrossThreadsMatchTheReference()
    {
        var random = new Random(8);
        foreach (var op in UnaryOps)
            BitExactAssert.FullyDelegatedAndIdentical(OpCases.Unary(op, random, 0.05, scale: 100f, large: true), 2);
    }

    /// <summary>PAD → MAX_POOL → ADD → RELU → MUL → SUB → RELU6 → HARD_SWISH → LOGISTIC → AVERAGE_POOL → RESIZE_BILINEAR → DEPTH_TO_SPACE → RESHAPE → MEAN → CONCATENATION.</summary>
    private static BitExactCase EveryKernelChained()
    {
        var random = new Random(42);
        var mb = new ModelBuilder();
        int T(string name, params int[] shape) => mb.AddTensor(name, TensorType.Float32, shape);
        int x = T("x", 1, 9, 9, 20);
        int p = T("padded", 1, 11, 11, 20);
        mb.AddOperator(BuiltinOperator.Pad, [x, mb.AddConstant("paddings", [4, 2], new[] { 0, 0, 1, 1, 1, 1, 0, 0 })], [p]);
        int m = T("maxpool", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.MaxPool2D, [p], [m], new Pool2DOptions(Padding.Valid, 2, 2, 3, 3, ActivationFunctionType.None));
        int a = T("add", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Add, [m, mb.AddConstant("bias", [20], OpCases.Values(random, 20))], [a], new AddOptions(ActivationFunctionType.None));
        int r = T("relu", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Relu, [a], [r]);
        int mu = T("mul", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Mul, [r, a], [mu], new MulOptions(ActivationFunctionType.ReluN1To1));
        int su = T("sub", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Sub, [mu, a], [su], new SubOptions(ActivationFunctionType.None));
        int r6 = T("relu6", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Relu6, [su], [r6]);
        int h = T("hardswish", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.HardSwish, [r6], [h]);
        int l = T("logistic", 1, 5, 5, 20);
        mb.AddOperator(BuiltinOperator.Logistic, [h], [l]);
        int av = T("avgpool", 1, 4, 4, 20);
        mb.AddOperator(BuiltinOperator.AveragePool2D, [l], [av], new Pool2DOptions(Padding.Valid, 1, 1, 2, 2, ActivationFunctionType.Relu));
        int rz = T("resize", 1, 8, 8, 20);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [av, mb.AddConstant("size", [2], new[] { 8, 8 })], [rz], new ResizeBilinearOptions(false, true));
        int d = T("d2s", 1, 16, 16, 5);
        mb.AddOperator(BuiltinOperator.DepthToSpace, [rz], [d], new DepthToSpaceOptions(2));
        int rs = T("reshape", 1, 256, 5);
        mb.AddOperator(BuiltinOperator.Reshape, [d, mb.AddConstant("shape", [3], new[] { 1, 256, 5 })], [rs]);
        int mn = T("mean", 1, 1, 5);
        mb.AddOperator(BuiltinOperator.Mean, [rs, mb.AddConstant("axes", [1], new[] { 1 })], [mn], new ReducerOptions(true));
        int y = T("y", 1, 2, 5);
        mb.AddOperator(BuiltinOperator.Concatenation, [mn, mn], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        mb.AddOutput(rz);
        return new BitExactCase("every kernel chained", mb.Build(), [OpCases.Values(random, 9 * 9 * 20, 4f, 0.05)]);
    }

    [Test]
    public void AChainOfEveryKernelIsDelegatedAsOnePartitionAndMatchesTheReference()
    {
        var c = EveryKernelChained();
        BitExactAssert.FullyDelegatedAndIdentical(c);
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.Partitions, Has.Count.EqualTo(1));
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(15));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void InvokingEveryKernelAllocatesNothingAfterWarmUp(int threads)
    {
        var c = EveryKernelChained();
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, (float[])c.Inputs[0]);
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)");
    }
}
