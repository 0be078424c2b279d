using Accel.Building;
using Accel.Delegates.Cpu.Kernels;
using Accel.Delegates.Cpu.Kernels.Gemm;
using static Accel.Delegates.Cpu.Tests.ConvDelegateHarness;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// The matrix-product kernels' width choice (a 512-bit FMA counted as one operation where the CPU runs it at full
/// width), the Vector512 8×2 register tile and the few-output-channel CONV_2D path (vectorized across pixels):
/// whatever the width, tile or path, every CONV_2D output keeps the reference's bits.
/// </summary>
public sealed class GemmTileTests
{
    [TestCase(56, 16)]  // 4 Vector512 (the last overlapping) against 7 Vector256
    [TestCase(24, 16)]  // 2 against 3
    [TestCase(48, 16)]
    [TestCase(8, 8)]   // fewer channels than 16 lanes
    [TestCase(4, 4)]
    [TestCase(3, 1)]
    public void FullWidth512_CountsA512BitOperationAsOne(int channels, int expectedLanes) =>
        Assert.That((int)GemmWidths.Cheapest(channels, 1, GemmWidth.W512), Is.EqualTo(expectedLanes));

    [TestCase(56, 8)]  // 4 Vector512 cost 8 against 7 Vector256
    [TestCase(24, 8)]  // 4 against 3
    [TestCase(48, 16)]  // 6 against 6: the wider on a tie
    [TestCase(160, 16)]
    public void HalfWidth512_CountsA512BitOperationAsTwo(int channels, int expectedLanes) =>
        Assert.That((int)GemmWidths.Cheapest(channels, 2, GemmWidth.W512), Is.EqualTo(expectedLanes));

    /// <summary>
    /// Pointwise and 3×3 convolutions whose pixel counts leave 8-pixel tiles, 4-pixel tiles and single pixels, with
    /// channel counts that give overlapping last blocks (24, 56, 33) or whole 32-channel blocks, at 1, 2 and 3 threads.
    /// </summary>
    [Test]
    public void Conv2D_EveryTileAndBlockShape_IsBitIdenticalWithTheReference(
        [Values(1, 2, 3)] int threads,
        [Values(24, 33, 56, 64)] int outputChannels,
        [Values(1, 3)] int kernel)
    {
        int height = 7, width = 13, inputChannels = 19;
        AssertConvMatchesTheReference(new Random(9000 + 100 * outputChannels + kernel), threads, height, width, inputChannels, outputChannels, kernel,
            kernel == 1 ? ActivationFunctionType.None : ActivationFunctionType.Relu6, $", width {GemmWidths.ForMatrixProduct(outputChannels)}");
    }

    /// <summary>
    /// A filter larger than its input (few pixels, many channels: pose_landmark_heavy's 8×8×272 → 1632) splits its
    /// output channels over the threads, one group each at least, ordered group-major so a thread's share is its groups
    /// over every pixel; the bits stay the reference's at 2 and 3 threads, pointwise and 3×3.
    /// </summary>
    [Test]
    public void Conv2D_FilterLargerThanInput_SplitsChannelsOverThreads_IsBitIdenticalWithTheReference(
        [Values(2, 3)] int threads,
        [Values(1, 3)] int kernel)
    {
        int height = 4, width = 6, inputChannels = 48, outputChannels = 200;
        long filterBytes = (long)kernel * kernel * inputChannels * outputChannels * sizeof(float);
        long inputBytes = (long)height * width * inputChannels * sizeof(float);
        Assert.That(filterBytes, Is.GreaterThan(inputBytes));
        Assert.That(ConvLoops.ChannelGroups(24, 7, threads, filterBytes, inputBytes), Is.EqualTo(threads), "one group per thread");
        Assert.That(ConvLoops.ChannelGroups(24, 7, threads, inputBytes, filterBytes), Is.EqualTo(1), "a split by pixels where the input is larger");
        Assert.That(ConvLoops.ChannelGroups(24, 7, 1, filterBytes, inputBytes), Is.EqualTo(1), "one thread, one group");
        AssertConvMatchesTheReference(new Random(9500 + kernel), threads, height, width, inputChannels, outputChannels, kernel, ActivationFunctionType.Relu6, "");
    }

    /// <summary>
    /// One SAME CONV_2D (stride 1, random weights and bias) on the CPU delegate at <paramref name="threads"/> threads against
    /// the reference, bit for bit; the input has a −0 and a NaN.
    /// </summary>
    private static void AssertConvMatchesTheReference(Random random, int threads, int height, int width, int inputChannels, int outputChannels,
        int kernel, ActivationFunctionType activation, string detail)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, height, width, inputChannels]);
        int y = b.AddTensor("output", TensorType.Float32, [1, height, width, outputChannels]);
        b.AddOperator(BuiltinOperator.Conv2D,
            [x, b.AddConstant("w", [outputChannels, kernel, kernel, inputChannels], Random(random, outputChannels * kernel * kernel * inputChannels)),
                b.AddConstant("b", [outputChannels], Random(random, outputChannels))],
            [y], new Conv2DOptions(Padding.Same, 1, 1, activation));
        b.AddInput(x);
        b.AddOutput(y);
        byte[] bytes = b.Build();
        float[] input = Random(random, height * width * inputChannels, 4f);
        input[5] = -0f;
        input[40] = float.NaN;

        using var model = Model.FromBytes(bytes);
        using var interpreter = CpuInterpreter.Create(model, threads);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), RunReference(bytes, input),
            $"CONV_2D {kernel}x{kernel} {inputChannels}->{outputChannels} on {height}x{width} @{threads}t{detail}");
    }

    /// <summary>
    /// 1–3 output channels (vectorized across pixels): rows with 8- and 4-vector tiles, single vectors and an overlapping
    /// last tile, SAME and VALID padding, stride 2 along y, dilation 2 along x, with and without a clamp, at 1 and 2
    /// threads; 5 input channels (the gathered planar rows) and 8 (the 8×8 transposes, a row's last 3 pixels one by one);
    /// with a bias (a ring padded with zero columns: every pixel in the vector tiles) and without (borders on the scalar GEMM).
    /// </summary>
    [Test]
    public void Conv2D_FewOutputChannels_IsBitIdenticalWithTheReference(
        [Values(1, 2)] int threads,
        [Values(1, 2, 3)] int outputChannels,
        [Values("same", "valid", "stride2y", "dilation2x")] string form,
        [Values(83, 150)] int width,
        [Values(5, 8)] int inputChannels,
        [Values] bool bias)
    {
        var random = new Random(7000 + 10 * outputChannels + form.Length + width + inputChannels);
        int height = 9, kernel = 3;
        int strideH = form == "stride2y" ? 2 : 1, dilationW = form == "dilation2x" ? 2 : 1;
        var padding = form == "valid" ? Padding.Valid : Padding.Same;
        int outHeight = padding == Padding.Same ? (height + strideH - 1) / strideH : (height - kernel) / strideH + 1;
        int outWidth = padding == Padding.Same ? width : width - (kernel - 1) * dilationW;
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, height, width, inputChannels]);
        int y = b.AddTensor("output", TensorType.Float32, [1, outHeight, outWidth, outputChannels]);
        b.AddOperator(BuiltinOperator.Conv2D,
            [x, b.AddConstant("w", [outputChannels, kernel, kernel, inputChannels], Random(random, outputChannels * kernel * kernel * inputChannels)),
                bias ? b.AddConstant("b", [outputChannels], Random(random, outputChannels)) : -1],
            [y], new Conv2DOptions(padding, 1, strideH, outputChannels == 2 ? ActivationFunctionType.Relu : ActivationFunctionType.None,
                DilationW: dilationW));
        b.AddInput(x);
        b.AddOutput(y);
        byte[] bytes = b.Build();
        float[] input = Random(random, height * width * inputChannels, 4f);
        input[7] = -0f;
        input[3 * width * inputChannels + 100] = float.NaN;

        using var model = Model.FromBytes(bytes);
        using var interpreter = CpuInterpreter.Create(model, threads);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), RunReference(bytes, input),
            $"CONV_2D 3x3 {form} {inputChannels}->{outputChannels} width {width} @{threads}t{(bias ? "" : " no bias")}");
    }

    /// <summary>
    /// Output (0, 0) of a 3×3 SAME convolution 8 → 1 whose first in-bounds product (−1e-30 × 1e-30) underflows to −0,
    /// every other input −0: the reference skips the left column's taps and keeps −0; a ring padded with zeros adds
    /// +0 × w there, which gives +0. With a +0 bias both become +0 (the padded ring is used); without a bias, or with
    /// −0, the ring is not padded and the borders run as the reference does.
    /// </summary>
    [TestCase("none", false)]
    [TestCase("-0", false)]
    [TestCase("+0", true)]
    public void FewOutputChannels_AnUnderflowedNegativeZeroKeepsItsBits(string bias, bool padded)
    {
        const int height = 4, width = 40, channels = 8;
        var weights = new float[9 * channels];
        for (int i = 0; i < weights.Length; i++) weights[i] = 0.25f + i % 5;
        weights[4 * channels] = 1e-30f; // tap (1, 1), channel 0
        float[] biasValues = bias == "none" ? [] : [bias == "-0" ? -0f : 0f];
        var g = new ConvLayout(1, height, width, channels, 3, 3, height, width, 1, 1, 1, 1, 1, 1, 1);
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, biasValues).HasValue, Is.EqualTo(padded));
        var b = new ModelBuilder();
        int x = b.AddTensor("input", TensorType.Float32, [1, height, width, channels]);
        int y = b.AddTensor("output", TensorType.Float32, [1, height, width, 1]);
        b.AddOperator(BuiltinOperator.Conv2D, [x, b.AddConstant("w", [1, 3, 3, channels], weights), bias == "none" ? -1 : b.AddConstant("b", [1], biasValues)],
            [y], new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(y);
        byte[] bytes = b.Build();
        var input = Enumerable.Repeat(-0f, height * width * channels).ToArray();
        input[0] = -1e-30f;
        using var model = Model.FromBytes(bytes);
        using var interpreter = CpuInterpreter.Create(model, 1);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, input);
        interpreter.Invoke();
        var expected = RunReference(bytes, input);
        Assert.That(BitConverter.SingleToInt32Bits(expected[0]), Is.EqualTo(bias == "+0" ? 0 : int.MinValue), "the reference's zero");
        AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, $"bias {bias}");
    }

    [Test]
    public void FewOutputChannels_PadsTheRingOnlyWithFiniteWeightsAndABiasFreeOfNegativeZero()
    {
        var g = new ConvLayout(1, 9, 83, 5, 3, 3, 9, 83, 1, 1, 1, 1, 1, 1, 1);
        var weights = Enumerable.Repeat(0.5f, 45).ToArray();
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, [1f]), Is.EqualTo(96), "1 + 83 + 1 columns, rounded up to 16");
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, []), Is.Null, "no bias");
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, [-0f]), Is.Null, "a −0 bias");
        weights[7] = float.PositiveInfinity;
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, [1f]), Is.Null, "an infinite weight (0 × inf is NaN)");
        weights[7] = float.NaN;
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g, weights, [1f]), Is.Null, "a NaN weight");
        Assert.That(Conv2DFewOutputChannels.PaddedRowFloats(g with { InputWidth = 3000, OutputWidth = 3000 }, Enumerable.Repeat(0.5f, 45).ToArray(), [1f]),
            Is.Null, "a ring over MaxRingFloats");
    }


    [Test]
    public void FewOutputChannels_TakesStrideOneRowsWithAVectorOfInteriorPixels()
    {
        var wide = new ConvLayout(1, 9, 83, 5, 3, 3, 9, 83, 1, 1, 1, 1, 1, 1, 1);
        Assert.That(Conv2DFewOutputChannels.WidthFor(wide), Is.EqualTo(GemmWidths.Widest == GemmWidth.Scalar ? null : GemmWidths.Widest));
        Assert.That(Conv2DFewOutputChannels.WidthFor(wide with { OutputDepth = 4 }), Is.Null, "4 channels: the packed GEMM");
        Assert.That(Conv2DFewOutputChannels.WidthFor(wide with { StrideW = 2, OutputWidth = 42 }), Is.Null, "stride 2 along x");
        Assert.That(Conv2DFewOutputChannels.WidthFor(wide with { InputWidth = 5, OutputWidth = 5 }), Is.Null, "3 interior pixels");
    }
}
