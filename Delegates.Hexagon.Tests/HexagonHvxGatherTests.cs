using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The HVX gathers and reductions on shapes that reach their whole-vector, partial-vector and scalar paths: MEAN over
/// the innermost dimension (vrmpy sums over 128-byte vectors and a zero-masked tail), RESIZE_BILINEAR over 40 channels
/// (a whole 32-lane vector and a partial one) in its three coordinate modes, the strided walks' vlut32 gathers
/// (TRANSPOSE with an innermost stride of 3, REVERSE_V2 and a negative-stride STRIDED_SLICE over whole and short last
/// vectors), TRANSPOSE with innermost strides past 32 bytes (128 × 128 byte tiles, whole and partial), DEPTHWISE_CONV_2D with depth multipliers 2, 3 and 5 (per-block gather windows), grouped CONV_2D (2 and 4 groups,
/// each group's own 32-lane blocks), and uint8 CONCATENATION's
/// rescale tables over wide rows; int8 and uint8, bit-identical to the reference, every node on the DSP.
/// </summary>
[NonParallelizable]
public sealed class HexagonHvxGatherTests
{
    [SetUp]
    public void RequireDsp() => HexagonTestEnvironment.RequireDsp();

    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static long ZeroPoint(TensorType type, long int8ZeroPoint) => type == TensorType.Int8 ? int8ZeroPoint : int8ZeroPoint + 128;

    private static int Count(int[] shape) => shape.Aggregate(1, (p, d) => p * d);

    // [−4, 4) with the scale 0.05: spread over the 8-bit range, some saturating.
    private static float[] Inputs(int seed, int count) => DelegateHarness.Values(new Random(seed), count).Select(v => v / 2).ToArray();

    /// <summary>QUANTIZE → op (built by <paramref name="addOp"/> from the quantized input to the quantized output) → DEQUANTIZE, checked.</summary>
    private static void AssertQuantizedOpBitIdentical(TensorType type, int[] inShape, int[] outShape, Action<ModelBuilder, int, int> addOp,
        string name, float outScale = 0.05f, long outZeroPoint = 3)
    {
        var b = new ModelBuilder("hvx gather");
        int x = b.AddTensor("x", TensorType.Float32, inShape);
        int q = b.AddTensor("x_q", type, inShape, Q(0.05f, ZeroPoint(type, 3)));
        int r = b.AddTensor("r", type, outShape, Q(outScale, ZeroPoint(type, outZeroPoint)));
        int y = b.AddTensor("y", TensorType.Float32, outShape);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        addOp(b, q, r);
        b.AddOperator(BuiltinOperator.Dequantize, [r], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        float[][] inputs = [Inputs(170 + name.Length, Count(inShape))];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, new HexagonDelegate(minNodesPerPartition: 1), out var plan);
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(p => $"{p.Operator}: {p.Reason}")));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(3));
        DelegateHarness.AssertSameBits(expected, actual, $"{type} {name}", "hexagon");
    }

    [TestCase(TensorType.Int8, new[] { 2, 3, 300 }, new[] { 2 })]
    [TestCase(TensorType.UInt8, new[] { 2, 3, 300 }, new[] { 2 })]
    [TestCase(TensorType.Int8, new[] { 3, 4, 40 }, new[] { 1, 2 })]
    [TestCase(TensorType.UInt8, new[] { 5, 128 }, new[] { 1 })]
    public void MeanOverTheInnermostDimensionIsBitIdentical(TensorType type, int[] shape, int[] axes)
    {
        int[] outShape = shape.Where((_, i) => !axes.Contains(i)).ToArray();
        AssertQuantizedOpBitIdentical(type, shape, outShape, (b, q, r) =>
        {
            int axesTensor = b.AddConstant("axes", [axes.Length], axes);
            b.AddOperator(BuiltinOperator.Mean, [q, axesTensor], [r], new ReducerOptions(false), 2);
        }, $"MEAN over [{string.Join(", ", axes)}] of [{string.Join(", ", shape)}]", 0.02f, -7);
    }

    [TestCase(TensorType.Int8, false, false)]
    [TestCase(TensorType.UInt8, false, false)]
    [TestCase(TensorType.Int8, true, false)]
    [TestCase(TensorType.UInt8, false, true)]
    [TestCase(TensorType.Int8, false, true)]
    public void ResizeBilinearOverFortyChannelsIsBitIdentical(TensorType type, bool alignCorners, bool halfPixelCenters)
    {
        AssertQuantizedOpBitIdentical(type, [1, 5, 6, 40], [1, 9, 11, 40], (b, q, r) =>
        {
            int size = b.AddConstant("size", [2], [9, 11]);
            b.AddOperator(BuiltinOperator.ResizeBilinear, [q, size], [r], new ResizeBilinearOptions(alignCorners, halfPixelCenters), 3);
        }, $"RESIZE_BILINEAR align={alignCorners} half={halfPixelCenters}");
    }

    [TestCase(TensorType.Int8)]
    [TestCase(TensorType.UInt8)]
    public void TransposeWithAStridedInnermostRunIsBitIdentical(TensorType type)
    {
        // [1, 6, 150, 3] → [1, 3, 6, 150]: each output row gathers 150 bytes 3 apart (43 per vector: three whole, one short).
        AssertQuantizedOpBitIdentical(type, [1, 6, 150, 3], [1, 3, 6, 150], (b, q, r) =>
        {
            int perm = b.AddConstant("perm", [4], [0, 3, 1, 2]);
            b.AddOperator(BuiltinOperator.Transpose, [q, perm], [r]);
        }, "TRANSPOSE");
    }

    [TestCase(TensorType.Int8)]
    [TestCase(TensorType.UInt8)]
    public void ReverseOfLongRowsIsBitIdentical(TensorType type)
    {
        // rows of 300: two whole reversed vectors and a short one (its window moved into place)
        AssertQuantizedOpBitIdentical(type, [4, 300], [4, 300], (b, q, r) =>
        {
            int axis = b.AddConstant("axis", [1], [1]);
            b.AddOperator(BuiltinOperator.ReverseV2, [q, axis], [r]);
        }, "REVERSE_V2");
    }

    // innermost strides beyond the gather's 32 bytes with an axis of stride 1: 128 × 128 byte tiles, whole and partial
    [TestCase(TensorType.Int8, new[] { 1, 5, 140, 130 }, new[] { 0, 3, 1, 2 })]
    [TestCase(TensorType.UInt8, new[] { 1, 5, 140, 130 }, new[] { 0, 3, 1, 2 })]
    [TestCase(TensorType.Int8, new[] { 2, 40, 200 }, new[] { 0, 2, 1 })]
    [TestCase(TensorType.UInt8, new[] { 3, 50, 40 }, new[] { 2, 0, 1 })]
    public void TransposeWithAWideInnermostStrideIsBitIdentical(TensorType type, int[] shape, int[] permutation)
    {
        int[] outShape = permutation.Select(p => shape[p]).ToArray();
        AssertQuantizedOpBitIdentical(type, shape, outShape, (b, q, r) =>
        {
            int perm = b.AddConstant("perm", [permutation.Length], permutation);
            b.AddOperator(BuiltinOperator.Transpose, [q, perm], [r]);
        }, $"TRANSPOSE [{string.Join(", ", shape)}] by [{string.Join(", ", permutation)}]");
    }

    [TestCase(TensorType.Int8, -2)]
    [TestCase(TensorType.UInt8, -2)]
    [TestCase(TensorType.Int8, 5)]
    [TestCase(TensorType.UInt8, -31)]
    public void StridedSliceWithAnInnermostStrideIsBitIdentical(TensorType type, int stride)
    {
        const int width = 701;
        int length = (width - 1) / Math.Abs(stride) + 1;
        AssertQuantizedOpBitIdentical(type, [3, width], [3, length], (b, q, r) =>
        {
            int begin = b.AddConstant("begin", [2], [0, stride > 0 ? 0 : width - 1]);
            int end = b.AddConstant("end", [2], [3, stride > 0 ? width : -width - 1]);
            int strides = b.AddConstant("strides", [2], [1, stride]);
            b.AddOperator(BuiltinOperator.StridedSlice, [q, begin, end, strides], [r], new StridedSliceOptions(0, 0), 2);
        }, $"STRIDED_SLICE stride {stride}");
    }

    [TestCase(TensorType.Int8, 40, 2)]
    [TestCase(TensorType.UInt8, 40, 2)]
    [TestCase(TensorType.Int8, 13, 3)]
    [TestCase(TensorType.UInt8, 7, 5)]
    public void DepthwiseWithADepthMultiplierIsBitIdentical(TensorType type, int channels, int multiplier)
    {
        int outChannels = channels * multiplier;
        var random = new Random(180 + channels);
        AssertQuantizedOpBitIdentical(type, [1, 6, 5, channels], [1, 6, 5, outChannels], (b, q, r) =>
        {
            byte[] weights = new byte[9 * outChannels];
            random.NextBytes(weights);
            var weightQuantization = type == TensorType.Int8 ? Q(0.02f, 0) : Q(0.02f, 131);
            if (type == TensorType.Int8) for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81; // symmetric int8
            int filter = b.AddConstant("filter", type, [1, 3, 3, outChannels], weights, weightQuantization);
            int[] biasValues = Enumerable.Range(0, outChannels).Select(i => random.Next(-3000, 3000)).ToArray();
            int bias = b.AddConstant("bias", TensorType.Int32, [outChannels], System.Runtime.InteropServices.MemoryMarshal.AsBytes(biasValues.AsSpan()),
                Q(0.05f * 0.02f, 0));
            b.AddOperator(BuiltinOperator.DepthwiseConv2D, [q, filter, bias], [r],
                new DepthwiseConv2DOptions(Padding.Same, 1, 1, multiplier, ActivationFunctionType.Relu6), 2);
        }, $"DEPTHWISE_CONV_2D {channels}×{multiplier}", 0.3f, -20);
    }

    // groups × per-group input channels → groups × per-group output channels: one whole 32-lane block and a partial one
    // per group (40), a group under one block (20, 9), and just over one (33); int8 weights per channel, uint8 per tensor.
    [TestCase(TensorType.Int8, 2, 3, 40)]
    [TestCase(TensorType.UInt8, 2, 5, 20)]
    [TestCase(TensorType.Int8, 4, 2, 9)]
    [TestCase(TensorType.UInt8, 4, 8, 33)]
    public void GroupedConvolutionIsBitIdentical(TensorType type, int groups, int groupInputs, int groupOutputs)
    {
        int inChannels = groups * groupInputs, outChannels = groups * groupOutputs;
        var random = new Random(200 + inChannels + outChannels);
        AssertQuantizedOpBitIdentical(type, [2, 6, 5, inChannels], [2, 3, 3, outChannels], (b, q, r) =>
        {
            byte[] weights = new byte[outChannels * 9 * groupInputs];
            random.NextBytes(weights);
            QuantizationParameters weightQuantization;
            if (type == TensorType.Int8)
            {
                for (int i = 0; i < weights.Length; i++) if (weights[i] == 0x80) weights[i] = 0x81; // symmetric int8
                weightQuantization = new QuantizationParameters(
                    Enumerable.Range(0, outChannels).Select(i => 0.01f + 0.002f * (i % 7)).ToArray(), new long[outChannels], 0, [], []);
            }
            else weightQuantization = Q(0.02f, 131);
            int filter = b.AddConstant("filter", type, [outChannels, 3, 3, groupInputs], weights, weightQuantization);
            int[] biasValues = Enumerable.Range(0, outChannels).Select(_ => random.Next(-3000, 3000)).ToArray();
            var biasQuantization = type == TensorType.Int8
                ? new QuantizationParameters(weightQuantization.Scale.Select(s => 0.05f * s).ToArray(), new long[outChannels], 0, [], [])
                : Q(0.05f * 0.02f, 0);
            int bias = b.AddConstant("bias", TensorType.Int32, [outChannels], System.Runtime.InteropServices.MemoryMarshal.AsBytes(biasValues.AsSpan()),
                biasQuantization);
            // stride 2, SAME: 6×5 → 3×3 with taps cut at the bottom and right edges
            b.AddOperator(BuiltinOperator.Conv2D, [q, filter, bias], [r], new Conv2DOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu6), 6);
        }, $"CONV_2D {groups} groups of {groupInputs} → {groupOutputs}", 0.3f, -20);
    }

    [Test]
    public void Uint8ConcatenationRescalingWideRowsIsBitIdentical()
    {
        // inputs quantized unlike the output (rescaled through their byte tables, 300- and 200-byte rows) and one alike (copied)
        var b = new ModelBuilder("hvx concat rescale");
        int x = b.AddTensor("x", TensorType.Float32, [2, 300]);
        int z = b.AddTensor("z", TensorType.Float32, [2, 200]);
        int xq = b.AddTensor("x_q", TensorType.UInt8, [2, 300], Q(0.05f, 131));
        int zq = b.AddTensor("z_q", TensorType.UInt8, [2, 200], Q(0.011f, 7));
        int xs = b.AddTensor("x_same", TensorType.UInt8, [2, 300], Q(0.03f, 120));
        int joined = b.AddTensor("joined", TensorType.UInt8, [2, 800], Q(0.03f, 120));
        int y = b.AddTensor("y", TensorType.Float32, [2, 800]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [xq], version: 2);
        b.AddOperator(BuiltinOperator.Quantize, [z], [zq], version: 2);
        b.AddOperator(BuiltinOperator.Quantize, [x], [xs], version: 2);
        b.AddOperator(BuiltinOperator.Concatenation, [xq, zq, xs], [joined], new ConcatenationOptions(1, ActivationFunctionType.None));
        b.AddOperator(BuiltinOperator.Dequantize, [joined], [y], version: 2);
        b.AddInput(x);
        b.AddInput(z);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        float[][] inputs = [Inputs(190, 600), Inputs(191, 400)];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, new HexagonDelegate(minNodesPerPartition: 1), out var plan);
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(p => $"{p.Operator}: {p.Reason}")));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(5));
        DelegateHarness.AssertSameBits(expected, actual, "uint8 CONCATENATION rescale", "hexagon");
    }
}
