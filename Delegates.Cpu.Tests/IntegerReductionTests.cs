namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN and MEAN on int32 and int64 and REDUCE_ANY on bool run on the CPU delegate (no
/// node left to the reference) and match the reference kernels bit for bit at 1 and 2 threads (OpCases.IntegerReductionCases:
/// random axis sets, vector tails, wrapping sums and products, the identity of an empty dimension, the copy of a scalar).
/// IsaPathTests runs the same cases on every other vector path.
/// </summary>
[TestFixture]
public sealed class IntegerReductionTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        OpCases.IntegerReductionCases(new Random(8765), randomCases: 4).Select(c => new TestCaseData(c).SetName(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheReferenceBitForBit(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c);

    private static IEnumerable<TestCaseData> LargeCases()
    {
        var random = new Random(77);
        foreach (var (op, type) in OpCases.IntegerReductionOps)
            yield return new TestCaseData(OpCases.IntegerReductionLarge(op, type, random)).SetName($"{op} {type} large");
    }

    [TestCaseSource(nameof(LargeCases))]
    public void LargeTensorsSplitAcrossThreadsMatchTheReference(BitExactCase c) => BitExactAssert.FullyDelegatedAndIdentical(c, 2);
}
