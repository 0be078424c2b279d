using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>CONCATENATION: any rank, axis and number of inputs, every activation; bits (NaN payloads included) kept.</summary>
[TestFixture]
public sealed class VulkanConcatenationTests
{
    private static readonly ActivationFunctionType[] Activations =
        [ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.ReluN1To1, ActivationFunctionType.Relu6];

    private static byte[] ConcatModel(int[][] shapes, int axis, ActivationFunctionType activation, Random? constants = null, int constantIndex = -1)
    {
        int rank = shapes[0].Length;
        int positive = axis < 0 ? axis + rank : axis;
        var outputShape = shapes[0].ToArray();
        outputShape[positive] = shapes.Sum(s => s[positive]);
        var mb = new ModelBuilder();
        var inputs = new int[shapes.Length];
        for (int i = 0; i < shapes.Length; i++)
            inputs[i] = i == constantIndex
                ? mb.AddConstant($"c{i}", shapes[i], VulkanHarness.Values(constants!, shapes[i].Aggregate(1, (a, b) => a * b), 0.3))
                : mb.Tensor($"x{i}", shapes[i]);
        int y = mb.Tensor("y", outputShape);
        mb.AddOperator(BuiltinOperator.Concatenation, inputs, [y], new ConcatenationOptions(axis, activation));
        for (int i = 0; i < shapes.Length; i++)
            if (i != constantIndex) mb.AddInput(inputs[i]);
        mb.AddOutput(y);
        return mb.Build();
    }

    [Test]
    public void RandomRanksAxesAndInputCountsWithEveryActivationMatchTheReferenceBitForBit()
    {
        var random = new Random(80);
        for (int t = 0; t < 40; t++)
        {
            int rank = random.Next(1, 6);
            int axis = random.Next(rank);
            var baseShape = Enumerable.Range(0, rank).Select(_ => random.Next(1, 7)).ToArray();
            if (t % 4 == 0) baseShape[^1] = new[] { 63, 64, 65 }[random.Next(3)];
            var shapes = Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
            {
                var s = baseShape.ToArray();
                s[axis] = random.Next(1, 9);
                return s;
            }).ToArray();
            int writtenAxis = random.Next(2) == 0 ? axis : axis - rank;
            var activation = Activations[t % 4];
            int constantIndex = t % 3 == 0 ? random.Next(shapes.Length) : -1;
            if (shapes.Length == 1) constantIndex = -1;
            var bytes = ConcatModel(shapes, writtenAxis, activation, random, constantIndex);
            string name = $"CONCATENATION {string.Join(" ", shapes.Select(s => $"[{string.Join(",", s)}]"))} axis {writtenAxis} {activation} const={constantIndex}";
            var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
            Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
        }
    }

    [Test]
    public void TheSameTensorTwiceAndChannelConcatsLikeTheCorpusMatchTheReference()
    {
        var random = new Random(81);
        var mb = new ModelBuilder();
        int x = mb.Tensor("x", 1, 9, 7, 33);
        int y = mb.Tensor("y", 1, 9, 7, 66);
        mb.AddOperator(BuiltinOperator.Concatenation, [x, x], [y], new ConcatenationOptions(3, ActivationFunctionType.None));
        mb.AddInput(x);
        mb.AddOutput(y);
        var bytes = mb.Build();
        VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.2), "x ++ x");

        // Many inputs (more than the usual descriptor counts of one shader) along the last axis.
        var many = Enumerable.Range(0, 12).Select(i => new[] { 2, 5, 1 + i % 4 }).ToArray();
        var manyBytes = ConcatModel(many, -1, ActivationFunctionType.Relu6);
        VulkanHarness.AssertBitExact(manyBytes, VulkanHarness.RandomInputs(Model.FromBytes(manyBytes), random, 0.2), "12 inputs");
    }

    [TestCase(ActivationFunctionType.None)]
    [TestCase(ActivationFunctionType.Relu6)]
    public void NaNPayloadsSignedZerosAndSubnormalsKeepEveryBit(ActivationFunctionType activation)
    {
        // The harness compares NaN as NaN; here every output word must equal the input word (no clamp reaches these values).
        uint[] words = [0x7FC00001, 0xFFC12345, 0x7F800001, 0xFF80FFFF, 0x7FFFFFFF, 0x80000000, 0x00000001, 0x007FFFFF, 0x80000001, 0x3F800000];
        var a = words.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var b = words.Reverse().Select(BitConverter.UInt32BitsToSingle).ToArray();
        var bytes = ConcatModel([[2, 5], [2, 5]], 1, activation);
        var actual = VulkanHarness.Run(Model.FromBytes(bytes), [a, b], VulkanHarness.CreateDelegate(), out var plan);
        Assert.That(plan!.DelegatedNodeCount, Is.EqualTo(1));
        uint[] expected = [.. words[..5], .. words.Reverse().Take(5), .. words[5..], .. words.Reverse().Skip(5)];
        var actualWords = actual[0].Select(BitConverter.SingleToUInt32Bits).ToArray();
        if (activation == ActivationFunctionType.Relu6)   // clamps: negatives (−0 is not < 0) and subnormal negatives → +0, 1.0 stays
            expected = expected.Select(w => w is 0x80000001 ? 0u : w).ToArray();
        Assert.That(actualWords.Select(w => w.ToString("X8")), Is.EqualTo(expected.Select(w => w.ToString("X8"))));
        VulkanHarness.AssertBitExact(bytes, [a, b], $"payloads {activation}");
    }

    [Test]
    public void NonFloat32InputsAreRefusedWithTheReasonAndRunOnTheReference()
    {
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Int32, [2, 3]);
        int b = mb.AddTensor("b", TensorType.Int32, [2, 4]);
        int y = mb.AddTensor("y", TensorType.Int32, [2, 7]);
        mb.AddOperator(BuiltinOperator.Concatenation, [a, b], [y], new ConcatenationOptions(1, ActivationFunctionType.None));
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single(r => r.Delegate == "vulkan").Reason, Does.Contain("only float32 is supported"));
    }
}
