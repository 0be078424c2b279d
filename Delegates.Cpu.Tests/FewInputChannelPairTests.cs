using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// A first-layer CONV_2D (3 input channels) with 24 output channels on Vector512 runs its interior pixels in pairs whose
/// 48 channels are 3 full vectors, 8 pixels per tile, the last tile overlapping where 8 does not divide the interior;
/// every output keeps the reference's bits (same FMA chain over the in-bounds taps, + bias, clamp) at 1 and 2 threads.
/// On narrower vector paths the same cases check the channel-vector tiles.
/// </summary>
[TestFixture]
public sealed class FewInputChannelPairTests
{
    private static IEnumerable<TestCaseData> Shapes()
    {
        // height, width, input channels, filter, stride, padding
        yield return new TestCaseData(9, 128, 3, 5, 2, Padding.Same).SetName("5x5 s2 SAME, 128 -> 64 wide (face detector's first layer)");
        yield return new TestCaseData(6, 17, 3, 5, 2, Padding.Same).SetName("5x5 s2 SAME, 17 -> 9 wide: interior of 7, channel-vector tiles");
        yield return new TestCaseData(6, 21, 3, 5, 2, Padding.Same).SetName("5x5 s2 SAME, 21 -> 11 wide: interior of 9, overlapping group");
        yield return new TestCaseData(5, 23, 3, 3, 1, Padding.Same).SetName("3x3 s1 SAME, 23 wide, overlapping group");
        yield return new TestCaseData(5, 20, 4, 3, 1, Padding.Valid).SetName("3x3 s1 VALID, 4 input channels, 18 wide");
        yield return new TestCaseData(4, 12, 1, 5, 1, Padding.Same).SetName("5x5 s1 SAME, 1 input channel, 12 wide");
    }

    [TestCaseSource(nameof(Shapes))]
    public void EveryOutputHasTheReferenceBits(int height, int width, int channels, int filter, int stride, Padding padding)
    {
        foreach (var activation in new[] { ActivationFunctionType.None, ActivationFunctionType.Relu, ActivationFunctionType.Relu6 })
            foreach (bool bias in new[] { false, true })
            {
                var (model, input) = Convolution(height, width, channels, filter, stride, padding, activation, bias);
                ConvDelegateHarness.AssertSingleNodeDelegatedAndBitExact(model, input, $"{activation}, bias {bias}");
            }
    }

    private static (byte[] Model, float[] Input) Convolution(int height, int width, int channels, int filter, int stride, Padding padding,
        ActivationFunctionType activation, bool withBias)
    {
        const int outChannels = 24;
        var random = new Random(height * 1000 + width * 10 + filter + channels);
        int Out(int size) => padding == Padding.Same ? (size + stride - 1) / stride : Math.Max(0, (size - filter + stride) / stride);
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1, height, width, channels]);
        int w = b.AddConstant("w", [outChannels, filter, filter, channels], Values(random, outChannels * filter * filter * channels));
        int bias = withBias ? b.AddConstant("b", [outChannels], Values(random, outChannels)) : -1;
        int y = b.AddTensor("y", TensorType.Float32, [1, Out(height), Out(width), outChannels]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, w, bias], [y], new Conv2DOptions(padding, stride, stride, activation));
        b.AddInput(x);
        b.AddOutput(y);
        return (b.Build(), Values(random, height * width * channels));
    }

    /// <summary>Mostly ±4, with some −0, NaN, ±inf and subnormals (so a tap wrongly taken, skipped or mixed up shows).</summary>
    private static float[] Values(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => random.Next(60) switch
        {
            0 => -0f,
            1 => float.NaN,
            2 => random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity,
            3 => 1e-40f,
            _ => (float)(random.NextDouble() * 8 - 4),
        }).ToArray();
}
