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
}
