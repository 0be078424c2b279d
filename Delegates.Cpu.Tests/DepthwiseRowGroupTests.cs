using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// Float DEPTHWISE_CONV_2D rows at least 8 pixels wide run wholly through the 8-pixel row kernels: border groups skip
/// the columns outside the input, and a last group overlapping its neighbour when 8 does not divide the width. Every
/// output keeps the reference's bits (same FMA chain over the in-bounds taps, + bias, clamp) at 1 and 2 threads; with 24
/// channels, a 3×3 filter and stride 1 the interior groups run in pixel pairs, 3 full vectors each (8 channels on
/// Vector512: 16-pixel groups, a pair a vector); where a row's input
/// over all channels overflows L1 on a small image, the rows run channel block by channel block, in one band of rows per
/// thread (1, 2 and 3 threads: bands of unequal rows). With a 3×3 filter and stride 1 on AVX-512 (24 channels aside), two
/// rows whose windows lie inside the input run in one pass (a pair never spans two threads' bands). Rows narrower than
/// 8 pixels (multiplier 1) describe their pixels' taps once and run channel block by channel block, four vectors of
/// one pixel at a time.
/// </summary>
[TestFixture]
public sealed class DepthwiseRowGroupTests
{
    private static IEnumerable<TestCaseData> Shapes()
    {
        // height, width, channels, filter, stride, padding, multiplier, dilation
        yield return new TestCaseData(6, 64, 24, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 64 wide, 24 channels (face detector's first block)");
        yield return new TestCaseData(5, 21, 24, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 21 -> 19 wide, 24 channels: pair kernel, overlapping group");
        yield return new TestCaseData(6, 30, 24, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 30 wide, 24 channels: pair kernel between the border groups");
        yield return new TestCaseData(7, 20, 24, 3, 1, Padding.Same, 1, 2).SetName("3x3 s1 SAME, 24 channels, dilation 2 (tap-list path)");
        yield return new TestCaseData(5, 8, 24, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 8 wide: one group, both borders");
        // 8 channels, 3×3, stride 1 on Vector512: interior 16-pixel groups in pixel pairs, the rest as 8-pixel groups.
        yield return new TestCaseData(5, 64, 8, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 64 wide, 8 channels (segmentation head): pair groups between the borders");
        yield return new TestCaseData(4, 18, 8, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 18 -> 16 wide, 8 channels: one pair group");
        yield return new TestCaseData(4, 16, 8, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 16 wide, 8 channels: both borders, 8-pixel groups");
        yield return new TestCaseData(5, 43, 8, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 43 wide, 8 channels: pair groups, then 8-pixel groups and an overlapping last");
        yield return new TestCaseData(3, 37, 8, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 37 -> 35 wide, 8 channels: an overlapping last group after the pairs");
        yield return new TestCaseData(8, 40, 8, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 8 -> 6 rows, 40 -> 38 wide, 8 channels: row pairs of pair groups, then 8-pixel groups two rows at a time");
        yield return new TestCaseData(5, 13, 40, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 13 wide: overlapping last group");
        // 3×3 stride 1 on AVX-512: rows whose windows lie inside the input run two at a time (each input row loaded once for both).
        yield return new TestCaseData(9, 64, 40, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 9 rows, 64 wide, 40 channels: row pairs between the border rows, interior and border groups");
        yield return new TestCaseData(6, 10, 17, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 6 -> 4 rows, 10 -> 8 wide, 17 channels: row pairs only, overlapping last vector");
        yield return new TestCaseData(10, 16, 1000, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 10 rows, 16 wide, 1000 channels: row pairs channel block by channel block");
        yield return new TestCaseData(6, 16, 33, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 16 wide, 33 channels: two border groups, two rows at a time");
        yield return new TestCaseData(7, 8, 20, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 8 wide, 20 channels: one group with both borders, two rows at a time");
        yield return new TestCaseData(4, 17, 7, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 17 wide, 7 channels");
        yield return new TestCaseData(7, 64, 24, 3, 2, Padding.Same, 1, 1).SetName("3x3 s2 SAME, 64 -> 32 wide (right border only)");
        yield return new TestCaseData(5, 19, 36, 3, 2, Padding.Same, 1, 1).SetName("3x3 s2 SAME, 19 -> 10 wide: overlapping last group");
        yield return new TestCaseData(6, 16, 48, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 16 wide, 48 channels");
        yield return new TestCaseData(6, 11, 20, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 11 wide: two groups, 5 pixels recomputed");
        yield return new TestCaseData(6, 21, 16, 5, 2, Padding.Same, 1, 1).SetName("5x5 s2 SAME, 21 -> 11 wide");
        yield return new TestCaseData(5, 30, 9, 5, 2, Padding.Valid, 1, 1).SetName("5x5 s2 VALID, 30 -> 13 wide");
        yield return new TestCaseData(4, 3, 24, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 3 wide: filter wider than the row");
        // Input rows over all channels beyond L1 on a small image: the rows run channel block by channel block.
        yield return new TestCaseData(12, 16, 1000, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 16 wide, 1000 channels: channel blocks of 4 vectors, odd last block with the overlapping vector");
        yield return new TestCaseData(9, 34, 200, 3, 2, Padding.Same, 1, 1).SetName("3x3 s2 SAME, 34 -> 17 wide, 200 channels: channel blocks of 2 vectors, last block 1");
        yield return new TestCaseData(13, 16, 600, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 13 rows, 600 channels: channel blocks in bands of unequal rows");
        // Few rows for the filter's reach: at 2 threads (and 3 where there are two blocks per thread) the threads split
        // the channel blocks instead of the rows (DepthwiseConv2DCpuNode.BandsFor).
        yield return new TestCaseData(8, 8, 512, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 8 rows, 512 channels: threads split the channel blocks");
        yield return new TestCaseData(8, 8, 968, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 8 rows, 968 channels: channel blocks over 2 and 3 threads, short last block");
        yield return new TestCaseData(20, 20, 448, 5, 2, Padding.Valid, 1, 1).SetName("5x5 s2 VALID, 20 -> 8 rows, 448 channels: threads split the channel blocks");
        // Rows narrower than 8 pixels: tap lists per row, then channel blocks of whole 4-vector single-pixel tiles.
        yield return new TestCaseData(7, 7, 1152, 5, 1, Padding.Same, 1, 1).SetName("5x5 s1 SAME, 7 wide, 1152 channels (hand landmark's last stage): narrow rows in channel blocks");
        yield return new TestCaseData(7, 7, 200, 3, 1, Padding.Same, 1, 1).SetName("3x3 s1 SAME, 7 wide, 200 channels: narrow rows, overlapping last vector");
        yield return new TestCaseData(6, 13, 72, 3, 2, Padding.Same, 1, 1).SetName("3x3 s2 SAME, 13 -> 7 wide, 72 channels: narrow rows, 4-vector and single tiles");
        yield return new TestCaseData(5, 4, 40, 3, 1, Padding.Valid, 1, 1).SetName("3x3 s1 VALID, 4 -> 2 wide, 40 channels: narrow rows, single-vector tiles only");
        yield return new TestCaseData(4, 20, 12, 3, 1, Padding.Same, 2, 1).SetName("3x3 s1 SAME, multiplier 2 (tap-list path)");
        yield return new TestCaseData(4, 20, 16, 3, 1, Padding.Same, 1, 2).SetName("3x3 s1 SAME, dilation 2 (tap-list path)");
    }

    [TestCaseSource(nameof(Shapes))]
    public void EveryOutputHasTheReferenceBits(int height, int width, int channels, int filter, int stride, Padding padding, int multiplier, int dilation)
    {
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu6 })
            foreach (bool bias in new[] { false, true })
            {
                var (model, input) = Depthwise(height, width, channels, filter, stride, padding, multiplier, dilation, activation, bias);
                ConvDelegateHarness.AssertSingleNodeDelegatedAndBitExact(model, input, $"{activation}, bias {bias}");
            }
    }

    private static (byte[] Model, float[] Input) Depthwise(int height, int width, int channels, int filter, int stride, Padding padding,
        int multiplier, int dilation, ActivationFunctionType activation, bool withBias)
    {
        var random = new Random(height * 1000 + width * 10 + filter + channels);
        int outChannels = channels * multiplier;
        int effective = (filter - 1) * dilation + 1;
        int Out(int size) => padding == Padding.Same ? (size + stride - 1) / stride : Math.Max(0, (size - effective + stride) / stride);
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, height, width, channels]);
        int w = b.AddConstant("w", [1, filter, filter, outChannels], Values(random, filter * filter * outChannels));
        int bias = withBias ? b.AddConstant("b", [outChannels], Values(random, outChannels)) : -1;
        int y = b.AddTensor("y", TensorType.Float32, [1, Out(height), Out(width), outChannels]);
        b.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, w, bias], [y],
            new DepthwiseConv2DOptions(padding, stride, stride, multiplier, activation, dilation, dilation));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), Values(random, height * width * channels));
    }

    /// <summary>Mostly ±4, with some −0, NaN, ±inf and subnormals (so a tap wrongly taken or skipped shows).</summary>
    internal static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(40) switch
        {
            0 => -0f,
            1 => float.NaN,
            2 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
            3 => 1e-40f,
            _ => (float)(random.NextDouble() * 8 - 4),
        }).ToArray();
}
