using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Ilgpu.Tests;

/// <summary>
/// MAXIMUM, MINIMUM, SQUARED_DIFFERENCE on ILGPU's CPU accelerator: fully delegated and bit-identical to the reference
/// (the other element-wise ops are in the cross-backend op suite, Delegates.Testing/OpSuite).
/// </summary>
[TestFixture]
public sealed class IlgpuElementwiseTests
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
        ([1, 64, 65, 3], [1, 64, 65, 3]),
    ];


    /// <summary>Ranks 0..4 on either side, every broadcast pattern, and sizes that leave a partial last chunk.</summary>
    private static readonly (int[] A, int[] B)[] SelectionShapes =
    [
        .. Shapes,
        ([], [4, 3]),
        ([4, 3], []),
        ([], []),
        ([7], [7]),
        ([63], [1]),
        ([1], [65]),
        ([5, 1], [1, 65]),
        ([2, 1, 33], [1, 3, 1]),
        ([1, 1, 1, 1], [2, 3, 5, 7]),
        ([2, 3, 5, 7], [1, 3, 1, 7]),
        ([3, 70001], [1]),
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
                    ? mb.AddConstant("b", shapeB, IlgpuHarness.Values(random, shapeB.Aggregate(1, (x, y) => x * y), 0.3))
                    : mb.Tensor("b", shapeB);
                int y = mb.Tensor("y", Broadcast(shapeA, shapeB));
                mb.AddOperator(op, [a, b], [y]);
                mb.AddInput(a);
                if (!constantB) mb.AddInput(b);
                mb.AddOutput(y);
                var bytes = mb.Build();
                string name = $"{op} [{string.Join(",", shapeA)}]⊕[{string.Join(",", shapeB)}] constB={constantB}";
                var plan = IlgpuHarness.AssertBitExact(bytes, IlgpuHarness.RandomInputs(Model.FromBytes(bytes), random, 0.3), name);
                Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1), name);
            }
    }

    /// <summary>
    /// Every ordered pair of special values (NaN in either operand, ±0 both ways round, ±inf, subnormals, overflowing
    /// and underflowing squares) as a [n, 1] ⊕ [1, n] broadcast, and uniformly random bit patterns.
    /// MAXIMUM/MINIMUM must keep the reference's operand order: NaN only from the second operand, the second of ±0 wins.
    /// </summary>
    [TestCase(BuiltinOperator.Maximum)]
    [TestCase(BuiltinOperator.Minimum)]
    [TestCase(BuiltinOperator.SquaredDifference)]
    public void MaximumMinimumSquaredDifferenceOnEveryPairOfSpecialValuesMatchTheReference(BuiltinOperator op)
    {
        var specials = DelegateHarness.BinarySpecials.ToArray();
        int n = specials.Length;
        var mb = new ModelBuilder();
        int a = mb.Tensor("a", n, 1);
        int b = mb.Tensor("b", 1, n);
        int y = mb.Tensor("y", n, n);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        var plan = IlgpuHarness.AssertBitExact(mb.Build(), [specials, specials], $"{op} special pairs");
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(1));

        int count = 100_003;
        var random = new Random(30 + (int)op);
        mb = new ModelBuilder();
        a = mb.Tensor("a", count);
        b = mb.Tensor("b", count);
        y = mb.Tensor("y", count);
        mb.AddOperator(op, [a, b], [y]);
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(y);
        IlgpuHarness.AssertBitExact(mb.Build(), [Accel.Testing.OpSuite.OpValues.AnyBits(random, count), Accel.Testing.OpSuite.OpValues.AnyBits(random, count)], $"{op} any bits");
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
            using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
            var outputs = IlgpuHarness.Run(Model.FromBytes(mb.Build()), [first, second], ilgpu, out var plan);
            Assert.That(plan!.DelegatedNodeCount, Is.EqualTo(1));
            DelegateHarness.AssertSameBits([expected], outputs, $"{op} operand order", "ilgpu");
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
        using var ilgpu = new IlgpuDelegate(IlgpuAcceleratorKind.Cpu);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(ilgpu));
        using var interpreter = new Interpreter(Model.FromBytes(mb.Build()), options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(interpreter.Plan.Refused.Single(r => r.Delegate == "ilgpu").Reason, Does.Contain("int64"));
    }

    private static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int da = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            int db = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            dims[d] = da == 1 ? db : da;
        }
        return dims;
    }
}
