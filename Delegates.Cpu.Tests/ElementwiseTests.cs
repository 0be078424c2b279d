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
}
