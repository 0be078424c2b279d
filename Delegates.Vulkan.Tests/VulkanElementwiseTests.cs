using Accel.Building;

namespace Accel.Delegates.Vulkan.Tests;

/// <summary>
/// MAXIMUM, MINIMUM, SQUARED_DIFFERENCE: fully delegated and bit-identical to the reference (the other element-wise ops
/// are in the cross-backend op suite, Delegates.Testing/OpSuite; these three join it when it grows typed cases).
/// </summary>
[TestFixture]
public sealed class VulkanElementwiseTests
{
    private static readonly (int[] A, int[] B)[] Shapes =
    [
        ([1, 5, 7, 9], [1, 5, 7, 9]),
        ([1, 5, 7, 9], [9]),
        ([1, 5, 7, 9], [1, 1, 1, 9]),
        ([2, 3, 4, 5], [2, 1, 4, 1]),
        ([1, 1, 1, 6], [1, 4, 3, 6]),
        ([3, 17], [3, 1]),
        ([1, 6, 6, 3], [1]),
        ([1], [2, 1, 3]),
        ([], [4, 3]),
        ([7, 1, 5], [1, 3, 1]),
        ([1, 64, 65, 3], [1, 64, 65, 3]),
    ];


    /// <summary>Ranks 0..4 on either side, every broadcast pattern, and sizes around the 64-wide workgroup.</summary>
    private static readonly (int[] A, int[] B)[] SelectionShapes =
    [
        .. Shapes,
        ([4, 3], []),
        ([], []),
        ([7], [7]),
        ([63], [1]),
        ([1], [64]),
        ([65], [65]),
        ([5, 1], [1, 65]),
        ([2, 1, 33], [1, 3, 1]),
        ([1, 1, 1, 1], [2, 3, 5, 7]),
        ([2, 3, 5, 7], [1, 3, 1, 7]),
    ];

    [TestCase(BuiltinOperator.Maximum)]
    [TestCase(BuiltinOperator.Minimum)]
    [TestCase(BuiltinOperator.SquaredDifference)]
    public void MaximumMinimumSquaredDifferenceWithBroadcastsMatchTheReferenceBitForBit(BuiltinOperator op)
    {
        var random = new Random(20 + (int)op);
        foreach (var (shapeA, shapeB) in SelectionShapes)
            foreach (bool constantB in new[] { false, true })
            {
                var mb = new ModelBuilder();
                int a = mb.Tensor("a", shapeA);
                int b = constantB
                    ? mb.AddConstant("b", shapeB, VulkanHarness.Values(random, shapeB.Aggregate(1, (x, y) => x * y), 0.3))
                    : mb.Tensor("b", shapeB);
                int y = mb.Tensor("y", VulkanHarness.Broadcast(shapeA, shapeB));
                mb.AddOperator(op, [a, b], [y]);
                mb.AddInput(a);
                if (!constantB) mb.AddInput(b);
                mb.AddOutput(y);
                var bytes = mb.Build();
                string name = $"{op} [{string.Join(",", shapeA)}]⊕[{string.Join(",", shapeB)}] constB={constantB}";
                var plan = VulkanHarness.AssertBitExact(bytes, VulkanHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
                Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
            }
    }

    /// <summary>
    /// Every ordered pair of special values (NaN in either operand, ±0 both ways round, ±inf, subnormals, overflowing
    /// and underflowing squares) as a [n, 1] ⊕ [1, n] broadcast, and a grid-stride run beyond 65,535 workgroups.
    /// MAXIMUM/MINIMUM must keep the reference's operand order: NaN only from the second operand, the second of ±0 wins.
    /// </summary>
    [TestCase(BuiltinOperator.Maximum)]
    [TestCase(BuiltinOperator.Minimum)]
    [TestCase(BuiltinOperator.SquaredDifference)]
    public void MaximumMinimumSquaredDifferenceOnEveryPairOfSpecialValuesMatchTheReference(BuiltinOperator op)
    {
        var specials = VulkanHarness.BinarySpecials.ToArray();
        int n = specials.Length;
        var mb = new ModelBuilder();
        int a = mb.Tensor("a", n, 1);
        int b = mb.Tensor("b", 1, n);
        int y = mb.Tensor("y", n, n);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        var plan = VulkanHarness.AssertBitExact(mb.Build(), [specials, specials], $"{op} special pairs");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));

        int big = 65535 * 64 + 37;
        var random = new Random(30 + (int)op);
        mb = new ModelBuilder();
        a = mb.Tensor("a", big);
        b = mb.Tensor("b", big);
        y = mb.Tensor("y", big);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        VulkanHarness.AssertBitExact(mb.Build(), [VulkanHarness.Values(random, big, 0.3), VulkanHarness.Values(random, big, 0.3)], $"{op} [{big}]");
    }

    [Test]
    public void MaximumMinimumKeepTheOperandOrderForNanAndSignedZeros()
    {
        float nan = float.NaN;
        float[] first = [nan, 1f, nan, -0f, 0f, -0f, 0f, float.NegativeInfinity, 1f];
        float[] second = [1f, nan, nan, 0f, -0f, -0f, 0f, 2f, float.PositiveInfinity];
        float[] maximum = [1f, nan, nan, 0f, -0f, -0f, 0f, 2f, float.PositiveInfinity];
        float[] minimum = [1f, nan, nan, 0f, -0f, -0f, 0f, float.NegativeInfinity, 1f];
        foreach (var (op, expected) in new[] { (BuiltinOperator.Maximum, maximum), (BuiltinOperator.Minimum, minimum) })
        {
            var mb = new ModelBuilder();
            int a = mb.Tensor("a", first.Length);
            int b = mb.Tensor("b", first.Length);
            int y = mb.Tensor("y", first.Length);
            mb.AddOperator(op, [a, b], [y]);
            mb.AddInput(a);
            mb.AddInput(b);
            mb.AddOutput(y);
            var outputs = VulkanHarness.Run(Model.FromBytes(mb.Build()), [first, second], VulkanHarness.CreateDelegate(), out var plan);
            Assert.That(plan!.DelegatedNodeCount, Is.EqualTo(1));
            VulkanHarness.AssertSameBits([expected], outputs, $"{op} operand order");
        }
    }

    // int32 runs on the device (the op suite's binary cases); int64 does not: the kernels move 32-bit words.
    [TestCase(BuiltinOperator.Maximum)]
    [TestCase(BuiltinOperator.Minimum)]
    public void Int64IsRefusedWithTheReason(BuiltinOperator op)
    {
        var mb = new ModelBuilder();
        int a = mb.AddTensor("a", TensorType.Int64, [2, 3]);
        int b = mb.AddTensor("b", TensorType.Int64, [3]);
        int y = mb.AddTensor("y", TensorType.Int64, [2, 3]);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(VulkanHarness.CreateDelegate()));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single(r => r.Delegate == "vulkan").Reason, Does.Contain("int64"));
    }
}
