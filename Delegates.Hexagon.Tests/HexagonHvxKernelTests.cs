using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Hexagon.Tests;

/// <summary>
/// The HVX kernels on shapes that reach every path the conformance cases (mostly narrow tensors) leave out: pools over
/// whole 32- and 128-channel vectors and their partial tails, SAME padding (tap counts 4, 6 and 9 in one pool), the
/// saturating ends of the 8-bit range, AVERAGE_POOL_2D near its one-multiply division's bound (2,025 taps, HVX) and past
/// it (2,304 taps, the scalar form), the 256-entry table lookups over every 8-bit value in whole and partial
/// 128-byte vectors, MEAN keeping 70 contiguous channels, and 8-bit QUANTIZE rescaling; int8 and uint8, bit-identical to the reference, every node on the DSP.
/// </summary>
[NonParallelizable]
public sealed class HexagonHvxKernelTests
{
    [SetUp]
    public void RequireDsp() => HexagonTestEnvironment.RequireDsp();

    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static long ZeroPoint(TensorType type, long int8ZeroPoint) => type == TensorType.Int8 ? int8ZeroPoint : int8ZeroPoint + 128;

    private static void AssertBitIdenticalOnTheDsp(Model model, float[] input, int nodes, string name)
    {
        float[][] inputs = [input];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, new HexagonDelegate(minNodesPerPartition: 1), out var plan);
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
        Assert.That(plan.DelegatedNodeCount, Is.EqualTo(nodes));
        DelegateHarness.AssertSameBits(expected, actual, name, "hexagon");
    }

    /// <summary>QUANTIZE → pool → DEQUANTIZE over [1, height, width, depth].</summary>
    private static Model Pool(TensorType type, BuiltinOperator op, int height, int width, int depth, Pool2DOptions options, int outHeight, int outWidth)
    {
        var b = new ModelBuilder("hvx pool");
        int x = b.AddTensor("x", TensorType.Float32, [1, height, width, depth]);
        int q = b.AddTensor("x_q", type, [1, height, width, depth], Q(0.02f, ZeroPoint(type, -5)));
        int pooled = b.AddTensor("pooled", type, [1, outHeight, outWidth, depth], Q(0.02f, ZeroPoint(type, -5)));
        int y = b.AddTensor("y", TensorType.Float32, [1, outHeight, outWidth, depth]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        b.AddOperator(op, [q], [pooled], options, 2);
        b.AddOperator(BuiltinOperator.Dequantize, [pooled], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        return Model.FromBytes(b.Build());
    }

    // [−4, 4) with the scale 0.02: about half the inputs saturate at the 8-bit ends, the rest spread over the range.
    private static float[] Inputs(int seed, int count) => DelegateHarness.Values(new Random(seed), count).Select(v => v / 2).ToArray();

    [TestCase(TensorType.Int8, 200)]
    [TestCase(TensorType.UInt8, 200)]
    [TestCase(TensorType.Int8, 40)]
    [TestCase(TensorType.UInt8, 7)]
    public void AveragePoolWithSamePaddingIsBitIdentical(TensorType type, int depth)
    {
        // 7×5 input, 3×3 filter, stride 2, SAME: output 4×3 with 4, 6 and 9 in-bounds taps; RELU6 clamps.
        using var model = Pool(type, BuiltinOperator.AveragePool2D, 7, 5, depth, new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.Relu6), 4, 3);
        AssertBitIdenticalOnTheDsp(model, Inputs(161, 7 * 5 * depth), 3, $"{type} average pool, {depth} channels");
    }

    [TestCase(TensorType.Int8, 45)]
    [TestCase(TensorType.UInt8, 45)]
    [TestCase(TensorType.Int8, 48)]
    [TestCase(TensorType.UInt8, 48)]
    public void AveragePoolOverManyTapsIsBitIdentical(TensorType type, int filter)
    {
        // 48×48×3, VALID: 45×45 = 2,025 taps (HVX, the division's largest sums) and 48×48 = 2,304 taps (the scalar form).
        // Inputs of one sign push every sum to its extreme; the rest are mixed.
        int outSize = 48 - filter + 1;
        using var model = Pool(type, BuiltinOperator.AveragePool2D, 48, 48, 3, new Pool2DOptions(Padding.Valid, 1, 1, filter, filter, ActivationFunctionType.None), outSize, outSize);
        foreach (var (name, input) in new[]
        {
            ("highest", Enumerable.Repeat(100f, 48 * 48 * 3).ToArray()),
            ("lowest", Enumerable.Repeat(-100f, 48 * 48 * 3).ToArray()),
            ("mixed", Inputs(162, 48 * 48 * 3)),
        })
            AssertBitIdenticalOnTheDsp(model, input, 3, $"{type} average pool {filter}×{filter}, {name}");
    }

    [TestCase(TensorType.Int8, 20)]
    [TestCase(TensorType.UInt8, 100)]
    [TestCase(TensorType.Int8, 129)]
    public void MaxPoolUnderAndJustOverOneVectorIsBitIdentical(TensorType type, int depth)
    {
        using var model = Pool(type, BuiltinOperator.MaxPool2D, 7, 5, depth, new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.Relu), 4, 3);
        AssertBitIdenticalOnTheDsp(model, Inputs(163, 7 * 5 * depth), 3, $"{type} max pool, {depth} channels");
    }

    [TestCase(TensorType.Int8, BuiltinOperator.Logistic)]
    [TestCase(TensorType.UInt8, BuiltinOperator.Logistic)]
    [TestCase(TensorType.Int8, BuiltinOperator.Tanh)]
    [TestCase(TensorType.UInt8, BuiltinOperator.Tanh)]
    [TestCase(TensorType.Int8, BuiltinOperator.HardSwish)]
    [TestCase(TensorType.UInt8, BuiltinOperator.HardSwish)]
    public void TableLookupOverEvery8BitValueIsBitIdentical(TensorType type, BuiltinOperator op)
    {
        // 1,000 elements (seven whole 128-byte vectors and a partial one); the input ramp passes every 8-bit value.
        const int count = 1000;
        var (scale, zeroPoint) = op switch
        {
            BuiltinOperator.Logistic => (1f / 256, ZeroPoint(type, -128)),
            BuiltinOperator.Tanh => (1f / 128, ZeroPoint(type, 0)),
            _ => (0.03f, ZeroPoint(type, -20)),
        };
        var b = new ModelBuilder("hvx lookup");
        int x = b.AddTensor("x", TensorType.Float32, [count]);
        int q = b.AddTensor("x_q", type, [count], Q(0.05f, ZeroPoint(type, 3)));
        int activated = b.AddTensor("activated", type, [count], Q(scale, zeroPoint));
        int y = b.AddTensor("y", TensorType.Float32, [count]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        b.AddOperator(op, [q], [activated], version: op == BuiltinOperator.HardSwish ? 1 : 2);
        b.AddOperator(BuiltinOperator.Dequantize, [activated], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        float[] ramp = Enumerable.Range(0, count).Select(i => (i % 300 - 150) * 0.05f).ToArray();
        AssertBitIdenticalOnTheDsp(model, ramp, 3, $"{type} {op} over every value");
    }

    [TestCase(TensorType.Int8, new[] { 1, 2 }, true)]
    [TestCase(TensorType.UInt8, new[] { 1, 2 }, true)]
    [TestCase(TensorType.Int8, new[] { 1 }, false)]
    [TestCase(TensorType.UInt8, new[] { 2 }, false)]
    public void MeanKeepingContiguousChannelsIsBitIdentical(TensorType type, int[] axes, bool keepDims)
    {
        // [2, 9, 7, 70]: the kept channels are 70 contiguous outputs (two whole 32-lane vectors and a partial one).
        int[] shape = [2, 9, 7, 70];
        int[] outShape = keepDims
            ? shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray()
            : shape.Where((_, i) => !axes.Contains(i)).ToArray();
        var b = new ModelBuilder("hvx mean");
        int x = b.AddTensor("x", TensorType.Float32, shape);
        int q = b.AddTensor("x_q", type, shape, Q(0.05f, ZeroPoint(type, 3)));
        int axesTensor = b.AddConstant("axes", [axes.Length], axes);
        int mean = b.AddTensor("mean", type, outShape, Q(0.02f, ZeroPoint(type, -7)));
        int y = b.AddTensor("y", TensorType.Float32, outShape);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        b.AddOperator(BuiltinOperator.Mean, [q, axesTensor], [mean], new ReducerOptions(keepDims), 2);
        b.AddOperator(BuiltinOperator.Dequantize, [mean], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        AssertBitIdenticalOnTheDsp(model, Inputs(165, shape.Aggregate(1, (p, d) => p * d)), 3, $"{type} MEAN over [{string.Join(", ", axes)}]");
    }

    [TestCase(TensorType.Int8, TensorType.Int8)]
    [TestCase(TensorType.UInt8, TensorType.Int8)]
    [TestCase(TensorType.Int8, TensorType.UInt8)]
    public void RescalingQuantizeOverWholeAndPartialVectorsIsBitIdentical(TensorType from, TensorType to)
    {
        const int count = 1000; // 31 whole 32-lane vectors and a partial one
        var b = new ModelBuilder("hvx requantize");
        int x = b.AddTensor("x", TensorType.Float32, [count]);
        int q = b.AddTensor("x_q", from, [count], Q(0.05f, ZeroPoint(from, 3)));
        int r = b.AddTensor("r", to, [count], Q(0.037f, ZeroPoint(to, -11)));
        int y = b.AddTensor("y", TensorType.Float32, [count]);
        b.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);
        b.AddOperator(BuiltinOperator.Quantize, [q], [r], version: 2);
        b.AddOperator(BuiltinOperator.Dequantize, [r], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        AssertBitIdenticalOnTheDsp(model, Inputs(164, count), 3, $"{from} → {to} QUANTIZE");
    }
}
