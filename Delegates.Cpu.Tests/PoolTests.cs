namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// MAX_POOL_2D and AVERAGE_POOL_2D on the CPU delegate: random windows up to global, strides 1/2, SAME/VALID, every
/// fused activation, channel counts around every vector tail, special values (NaN wins a max, −0 before +0 stays):
/// bit-identical to the reference at 1 and 2 threads.
/// </summary>
[TestFixture]
public sealed class PoolTests
{
    private static readonly BuiltinOperator[] PoolOps = [BuiltinOperator.MaxPool2D, BuiltinOperator.AveragePool2D];

    [TestCaseSource(nameof(PoolSeeds))]
    public void PoolsMatchTheReferenceBitForBit(int seed)
    {
        var random = new Random(seed);
        foreach (var op in PoolOps)
            for (int i = 0; i < 6; i++)
                BitExactAssert.FullyDelegatedAndIdentical(OpCases.Pool(op, random, i % 2 == 0 ? 0 : 0.2));
    }

    private static IEnumerable<TestCaseData> PoolSeeds() => BitExactAssert.Seeds(nameof(PoolsMatchTheReferenceBitForBit), 4, 300);

    [Test]
    public void LargePoolsSplitAcrossThreadsMatchTheReference()
    {
        var random = new Random(9);
        foreach (var op in PoolOps)
            for (int i = 0; i < 2; i++)
                BitExactAssert.FullyDelegatedAndIdentical(OpCases.Pool(op, random, 0.05, large: true), 2);
    }
}
