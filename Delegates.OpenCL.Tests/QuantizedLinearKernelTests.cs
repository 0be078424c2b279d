using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.OpenCL.Tests;

/// <summary>
/// int8 TRANSPOSE_CONV (per-channel weights, bias, RELU), int8/uint8 MEAN and int8 BATCH_MATMUL (broadcast batch,
/// adj_y) on OpenCL: every node of the network delegated, every output bit-identical to the reference kernels (each
/// integer tensor read through a DEQUANTIZE, which is one-to-one).
/// </summary>
[TestFixture]
public sealed class QuantizedLinearKernelTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>
    /// x → QUANTIZE → TRANSPOSE_CONV (stride 2, SAME, 3x3, 4 → 5 channels) → MEAN over H, W (keep_dims) and MEAN over
    /// the channels; a, b → QUANTIZE → BATCH_MATMUL ([2,3,6] · [1,4,6]ᵀ); each result DEQUANTIZEd.
    /// </summary>
    private static Model Network(TensorType meanType, int seed)
    {
        var random = new Random(seed);
        bool signed = meanType == TensorType.Int8;
        var mb = new ModelBuilder("int8 linear network");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 5, 5, 4]);
        int xq = mb.AddTensor("x_q", TensorType.Int8, [1, 5, 5, 4], Q(0.03f, -9));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [xq], version: 2);

        // Per-channel symmetric int8 weights along dimension 0 (OHWI), scales spanning 2^-3 .. 2^3.
        var weightBytes = new byte[5 * 3 * 3 * 4];
        random.NextBytes(weightBytes);
        var weightScales = Enumerable.Range(0, 5).Select(c => 0.01f * MathF.Pow(2, c * 3 % 7 - 3)).ToArray();
        int w = mb.AddConstant("w", TensorType.Int8, [5, 3, 3, 4], weightBytes, new QuantizationParameters(weightScales, new long[5], 0, [], []));
        var biasValues = Enumerable.Range(0, 5).Select(_ => random.Next(-2000, 2000)).ToArray();
        int bias = mb.AddConstant("bias", TensorType.Int32, [5], MemoryMarshal.AsBytes(biasValues.AsSpan()),
            new QuantizationParameters(weightScales.Select(s => 0.03f * s).ToArray(), new long[5], 0, [], []));
        int shape = mb.AddConstant("output_shape", [4], [1, 10, 10, 5]);
        int up = mb.AddTensor("up", TensorType.Int8, [1, 10, 10, 5], Q(0.02f, -100));
        mb.AddOperator(BuiltinOperator.TransposeConv, [shape, w, xq, bias], [up],
            new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu), 4);

        // MEAN on meanType: int8 reads the convolution directly; uint8 through a requantizing QUANTIZE.
        int meanInput = up;
        if (!signed)
        {
            meanInput = mb.AddTensor("up_u8", TensorType.UInt8, [1, 10, 10, 5], Q(0.025f, 7));
            int upReal = mb.AddTensor("up_real", TensorType.Float32, [1, 10, 10, 5]);
            mb.AddOperator(BuiltinOperator.Dequantize, [up], [upReal], version: 2);
            mb.AddOperator(BuiltinOperator.Quantize, [upReal], [meanInput], version: 2);
        }
        int spatialAxes = mb.AddConstant("spatial_axes", [2], [1, 2]);
        int pooled = mb.AddTensor("pooled", meanType, [1, 1, 1, 5], Q(0.02f, signed ? -20 : 108));
        mb.AddOperator(BuiltinOperator.Mean, [meanInput, spatialAxes], [pooled], new ReducerOptions(true), 2);
        int channelAxis = mb.AddConstant("channel_axis", [1], [-1]);
        int perPixel = mb.AddTensor("per_pixel", meanType, [1, 10, 10], Q(0.011f, signed ? 5 : 133));
        mb.AddOperator(BuiltinOperator.Mean, [meanInput, channelAxis], [perPixel], new ReducerOptions(false), 2);

        int a = mb.AddTensor("a", TensorType.Float32, [2, 3, 6]);
        int aq = mb.AddTensor("a_q", TensorType.Int8, [2, 3, 6], Q(0.05f, 11));
        mb.AddOperator(BuiltinOperator.Quantize, [a], [aq], version: 2);
        int b = mb.AddTensor("b", TensorType.Float32, [1, 4, 6]);
        int bq = mb.AddTensor("b_q", TensorType.Int8, [1, 4, 6], Q(0.04f, -3));
        mb.AddOperator(BuiltinOperator.Quantize, [b], [bq], version: 2);
        int product = mb.AddTensor("product", TensorType.Int8, [2, 3, 4], Q(0.5f, -6));
        mb.AddOperator(BuiltinOperator.BatchMatMul, [aq, bq], [product], new BatchMatMulOptions(false, true), 4);

        int[] outputs = [up, pooled, perPixel, product];
        int[][] shapes = [[1, 10, 10, 5], [1, 1, 1, 5], [1, 10, 10], [2, 3, 4]];
        mb.AddInput(x);
        mb.AddInput(a);
        mb.AddInput(b);
        for (int o = 0; o < outputs.Length; o++)
        {
            int real = mb.AddTensor($"real{o}", TensorType.Float32, shapes[o]);
            mb.AddOperator(BuiltinOperator.Dequantize, [outputs[o]], [real], version: 2);
            mb.AddOutput(real);
        }
        return Model.FromBytes(mb.Build());
    }

    [TestCase(TensorType.Int8, 1)]
    [TestCase(TensorType.Int8, 2)]
    [TestCase(TensorType.UInt8, 3)]
    public void Int8TransposeConvMeanAndBatchMatMulRunOnOpenClWithTheReferencesBits(TensorType meanType, int seed)
    {
        var model = Network(meanType, seed);
        float scale = seed == 2 ? 4f : 1f; // seed 2 saturates QUANTIZE at both ends
        float[][] inputs =
        [
            OpenClHarness.Values(new Random(seed), 5 * 5 * 4).Select(v => v * scale).ToArray(),
            OpenClHarness.Values(new Random(seed + 10), 2 * 3 * 6).Select(v => v * scale).ToArray(),
            OpenClHarness.Values(new Random(seed + 20), 4 * 6).Select(v => v * scale).ToArray(),
        ];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        var actual = DelegateHarness.Run(model, inputs, OpenClHarness.CreateDelegate(), out var plan);
        OpenClHarness.AssertSameBits(expected, actual, $"{meanType} linear network (seed {seed})");
        Assert.That(plan!.Refused, Is.Empty, string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
        Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, "nodes left on the reference");
        // Unsaturated outputs: the comparison means something.
        int[] minimumDistinct = [30, 3, 20, 10];
        for (int o = 0; o < expected.Length; o++)
            Assert.That(expected[o].Distinct().Count(), Is.GreaterThanOrEqualTo(minimumDistinct[o]), $"output {o} is degenerate: {string.Join(", ", expected[o].Take(20))}");
    }

    /// <summary>
    /// int8 TRANSPOSE_CONV is integer-only although its input 0 (output_shape) is int32: a device without exact fma
    /// that flushes subnormals (injected) still runs it and the other integer nodes; only QUANTIZE from float32 and
    /// DEQUANTIZE go back.
    /// </summary>
    [Test]
    public void IntegerTransposeConvStillRunsOnADeviceWithoutExactFmaThatFlushesSubnormals()
    {
        var model = Network(TensorType.Int8, 1);
        float[][] inputs = [OpenClHarness.Values(new Random(1), 5 * 5 * 4), OpenClHarness.Values(new Random(11), 36), OpenClHarness.Values(new Random(21), 24)];
        var expected = DelegateHarness.Run(model, inputs, null, out _);
        using var openCl = new OpenClDelegate(null, null, null, null, null, null,
            info => info with { FmaExact = false, FmaProblem = "fma(1, 2, 3) gave 0x0", SubnormalProblem = "x * y with x = 1E-40 gave 0x00000000" });
        var actual = DelegateHarness.Run(model, inputs, openCl, out var plan);
        OpenClHarness.AssertSameBits(expected, actual, "int8 linear network, degraded device");
        Assert.That(plan!.Refused.Select(r => r.Operator).Distinct().Order(), Is.EqualTo(new[] { "DEQUANTIZE", "QUANTIZE" }),
            string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}")));
    }
}
