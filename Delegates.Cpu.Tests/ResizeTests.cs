namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// RESIZE_BILINEAR on the CPU delegate: up- and down-sampling, align_corners, half_pixel_centers, absent options,
/// channel counts around every vector tail, special values: bit-identical to the reference's left-to-right
/// separately rounded expression, at 1 and 2 threads.
/// </summary>
[TestFixture]
public sealed class ResizeTests
{
    [TestCaseSource(nameof(ResizeSeeds))]
    public void ResizeBilinearMatchesTheReferenceBitForBit(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 10; i++) BitExactAssert.FullyDelegatedAndIdentical(OpCases.ResizeBilinear(random, i % 2 == 0 ? 0 : 0.2));
    }

    private static IEnumerable<TestCaseData> ResizeSeeds() => BitExactAssert.Seeds(nameof(ResizeBilinearMatchesTheReferenceBitForBit), 3, 900);

    [Test]
    public void LargeResizeSplitAcrossThreadsMatchesTheReference() =>
        BitExactAssert.FullyDelegatedAndIdentical(OpCases.ResizeBilinear(new Random(901), 0.01, large: true), 2);
}
