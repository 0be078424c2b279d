using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// ABS, NEG, FLOOR, CEIL, ROUND, SIGN, SQUARE, LOGICAL_NOT, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, LOGICAL_AND, LOGICAL_OR
/// and the six comparisons on the CPU delegate, on every dtype their definitions declare: bit-identical to the reference
/// kernels at 1 and 2 threads over every vector tail (1..17, 33), every broadcast form of a row, the cross product of
/// the special values in both operand orders (±0, NaNs with payloads, ±inf, halves, MinValue/MaxValue, 64-bit-only
/// differences, non-canonical bool bytes), random broadcasts up to rank 5 and tensors split across the pool. IsaPathTests
/// runs the same cases (OpCases.TypedElementwiseCases) on every other vector path.
/// </summary>
[TestFixture]
public sealed class TypedElementwiseTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.TypedElementwiseCases(new Random(4321), randomCases: 3).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    private static IEnumerable<TestCaseData> LargeCases()
    {
        var random = new Random(12);
        foreach (var op in OpCases.TypedUnaryOps)
            foreach (var type in OpCases.TypesOf(op))
                yield return new TestCaseData(OpCases.TypedUnary(op, type, random, large: true)).SetName($"{op} {type} large");
        foreach (var op in OpCases.TypedBinaryOps)
            foreach (var type in OpCases.TypesOf(op))
                yield return new TestCaseData(OpCases.TypedBinary(op, type, random, large: true)).SetName($"{op} {type} large");
    }

    [TestCaseSource(nameof(LargeCases))]
    public void LargeTensorsSplitAcrossThreadsMatchTheReference(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c, 2);

    /// <summary>
    /// All 19 operators on float32, int32, int64 and bool tensors of 2·91·1009 elements (split over a 2-thread pool), in
    /// one graph: comparisons feed the logical operators, every leaf is an output.
    /// </summary>
    private static BitExactCase EveryTypedKernelChained()
    {
        var random = new Random(77);
        int[] shape = [2, 91, 1009];
        int[] row = [1009];
        int count = 2 * 91 * 1009;
        var mb = new ModelBuilder();
        var inputs = new List<Array>();
        int Input(string name, TensorType type, int[] s)
        {
            int t = mb.AddTensor(name, type, s);
            mb.AddInput(t);
            inputs.Add(OpCases.TypedValues(type, random, s.Aggregate(1, (p, d) => p * d)));
            return t;
        }
        int Op(BuiltinOperator op, TensorType type, params int[] operands)
        {
            int t = mb.AddTensor($"{op}{mb.TensorCount}", type, shape);
            mb.AddOperator(op, operands, [t]);
            return t;
        }
        void Output(int t) => mb.AddOutput(t);
        TensorType f32 = TensorType.Float32, i32 = TensorType.Int32, i64 = TensorType.Int64, b = TensorType.Bool;

        int x = Input("x", f32, shape), y = Input("y", f32, row);
        Output(Op(BuiltinOperator.Square, f32, Op(BuiltinOperator.Sign, f32, Op(BuiltinOperator.Round, f32,
            Op(BuiltinOperator.Ceil, f32, Op(BuiltinOperator.Floor, f32, Op(BuiltinOperator.Neg, f32, Op(BuiltinOperator.Abs, f32, x))))))));
        int max = Op(BuiltinOperator.Maximum, f32, x, y);
        Output(Op(BuiltinOperator.SquaredDifference, f32, Op(BuiltinOperator.Minimum, f32, y, x), max));
        int less = Op(BuiltinOperator.Less, b, x, y), equal = Op(BuiltinOperator.Equal, b, max, y);
        int and = Op(BuiltinOperator.LogicalAnd, b, less, equal), or = Op(BuiltinOperator.LogicalOr, b, less, equal);
        Output(Op(BuiltinOperator.NotEqual, b, Op(BuiltinOperator.LogicalNot, b, and), or));
        Output(Op(BuiltinOperator.Equal, b, Op(BuiltinOperator.GreaterEqual, b, x, y), Op(BuiltinOperator.LessEqual, b, x, max)));

        int i = Input("i", i32, shape), j = Input("j", i32, row);
        int iabs = Op(BuiltinOperator.Abs, i32, Op(BuiltinOperator.Neg, i32, i));
        Output(Op(BuiltinOperator.SquaredDifference, i32, Op(BuiltinOperator.Sign, i32, iabs), Op(BuiltinOperator.Maximum, i32, i, j)));
        Output(Op(BuiltinOperator.Greater, b, Op(BuiltinOperator.Minimum, i32, j, i), iabs));

        int l = Input("l", i64, shape), m = Input("m", i64, row);
        int lneg = Op(BuiltinOperator.Neg, i64, l);
        Output(Op(BuiltinOperator.NotEqual, b, Op(BuiltinOperator.Maximum, i64, lneg, m), Op(BuiltinOperator.Minimum, i64, m, l)));
        return new BitExactCase($"every typed kernel chained ({count} elements per tensor)", mb.Build(), inputs.ToArray());
    }

    [Test]
    public void AChainOfEveryTypedKernelIsOnePartitionAndMatchesTheReference()
    {
        var c = EveryTypedKernelChained();
        BitExactAssert.FullyDelegatedAndIdentical(c);
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.Partitions, Has.Count.EqualTo(1));
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(30));
    }

    [TestCase(1)]
    [TestCase(2)]
    public void InvokingEveryTypedKernelAllocatesNothingAfterWarmUp(int threads)
    {
        var c = EveryTypedKernelChained();
        using var model = Model.FromBytes(c.Model);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(interpreter.Graph.ExecutedNodeCount));
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, $"{threads} thread(s)");
    }
}
