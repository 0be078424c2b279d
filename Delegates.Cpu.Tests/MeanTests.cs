namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// MEAN on the CPU delegate: random axis sets (spatial most often, negative and duplicate axes, keep_dims both ways),
/// channel counts around every vector tail, special values: bit-identical to the reference's row-major sequential sum
/// times R(n), at 1 and 2 threads.
/// </summary>
[TestFixture]
public sealed class MeanTests
{
    [TestCaseSource(nameof(MeanSeeds))]
    public void MeanMatchesTheReferenceBitForBit(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 10; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.Mean(random, i % 2 == 0 ? 0 : 0.2));
    }

    private static IEnumerable<TestCaseData> MeanSeeds() => BitExactAssert.Seeds(nameof(MeanMatchesTheReferenceBitForBit), 3, 800);

    [Test]
    public void LargeSpatialMeanSplitAcrossThreadsMatchesTheReference() =>
        BitExactAssert.FullyDelegatedAndIdentical(OpCases.Mean(new Random(801), 0.01, large: true), 2);
}
