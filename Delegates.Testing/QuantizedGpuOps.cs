using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The 8-bit ops the device delegates gained after the first integer kernels (docs/numerics.md §Quantized execution),
/// in one network: QUANTIZE → int8 TRANSPOSE_CONV (per-channel weights with scales 2^-2 .. 2^1 of the base, bias, stride 2,
/// RELU) → MEAN over height and width (keep_dims) and BATCH_MATMUL against constant weights with a zero point (adj_y,
/// broadcast batch), plus a uint8 MEAN over the channels of a second QUANTIZE and a uint8 TRANSPOSE_CONV (per-tensor
/// weights with a zero point, stride 1, VALID, RELU) of it; each integer output read through a DEQUANTIZE (one-to-one). Every node must run on the delegate with the reference's bits.
/// </summary>
public static class QuantizedGpuOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>The operators of <see cref="Build"/>'s network, each of which must run on the delegate.</summary>
    public static readonly string[] Operators = ["QUANTIZE", "TRANSPOSE_CONV", "MEAN", "BATCH_MATMUL", "DEQUANTIZE"];

    /// <summary>The network, weights and biases drawn from <paramref name="seed"/>; input x is float32 [1, 5, 6, 3].</summary>
    public static Model Build(int seed)
    {
        var random = new Random(seed);
        var mb = new ModelBuilder("int8 transpose conv, mean, batch matmul");
        int x = mb.AddTensor("x", TensorType.Float32, [1, 5, 6, 3]);
        int q = mb.AddTensor("x_q", TensorType.Int8, [1, 5, 6, 3], Q(0.05f, -9));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);

        const int channels = 4;
        var weightBytes = new byte[channels * 3 * 3 * 3];
        random.NextBytes(weightBytes);
        var weightScales = Enumerable.Range(0, channels).Select(c => 0.004f * MathF.Pow(2, c % 4 - 2)).ToArray();
        int weights = mb.AddConstant("w", TensorType.Int8, [channels, 3, 3, 3], weightBytes,
            new QuantizationParameters(weightScales, new long[channels], 0, [], []));
        var biasValues = Enumerable.Range(0, channels).Select(_ => random.Next(-3000, 3000)).ToArray();
        int bias = mb.AddConstant("b", TensorType.Int32, [channels], MemoryMarshal.AsBytes(biasValues.AsSpan()),
            new QuantizationParameters(weightScales.Select(s => 0.05f * s).ToArray(), new long[channels], 0, [], []));
        int outputShape = mb.AddConstant("output_shape", [4], [1, 10, 12, channels]);
        int transposed = mb.AddTensor("transposed", TensorType.Int8, [1, 10, 12, channels], Q(0.02f, -20));
        mb.AddOperator(BuiltinOperator.TransposeConv, [outputShape, weights, q, bias], [transposed],
            new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.Relu), 4);

        int axes = mb.AddConstant("axes", [2], [1, 2]);
        int mean = mb.AddTensor("mean", TensorType.Int8, [1, 1, 1, channels], Q(0.02f, 11));
        mb.AddOperator(BuiltinOperator.Mean, [transposed, axes], [mean], new ReducerOptions(true), 2);

        var rhsBytes = new byte[5 * channels];
        random.NextBytes(rhsBytes);
        int rhs = mb.AddConstant("rhs", TensorType.Int8, [5, channels], rhsBytes, Q(0.03f, 7));
        int product = mb.AddTensor("product", TensorType.Int8, [1, 10, 12, 5], Q(0.06f, -3));
        mb.AddOperator(BuiltinOperator.BatchMatMul, [transposed, rhs], [product], new BatchMatMulOptions(false, true), 4);

        int qu = mb.AddTensor("x_u8", TensorType.UInt8, [1, 5, 6, 3], Q(0.03f, 120));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [qu], version: 2);
        int channelAxis = mb.AddConstant("channel_axis", [1], [3]);
        int meanU8 = mb.AddTensor("mean_u8", TensorType.UInt8, [1, 5, 6], Q(0.03f, 110));
        mb.AddOperator(BuiltinOperator.Mean, [qu, channelAxis], [meanU8], new ReducerOptions(false), 2);

        var weightBytesU8 = new byte[2 * 2 * 3 * 3];
        random.NextBytes(weightBytesU8);
        int weightsU8 = mb.AddConstant("w_u8", TensorType.UInt8, [2, 2, 3, 3], weightBytesU8, Q(0.02f, 119));
        var biasU8Values = new[] { random.Next(-3000, 3000), random.Next(-3000, 3000) };
        int biasU8 = mb.AddConstant("b_u8", TensorType.Int32, [2], MemoryMarshal.AsBytes(biasU8Values.AsSpan()), Q(0.03f * 0.02f, 0));
        int outputShapeU8 = mb.AddConstant("output_shape_u8", [4], [1, 6, 8, 2]);
        int transposedU8 = mb.AddTensor("transposed_u8", TensorType.UInt8, [1, 6, 8, 2], Q(0.2f, 30));
        mb.AddOperator(BuiltinOperator.TransposeConv, [outputShapeU8, weightsU8, qu, biasU8], [transposedU8],
            new TransposeConvOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu), 4);

        foreach (var (tensor, shape) in new[] { (transposed, new[] { 1, 10, 12, channels }), (mean, [1, 1, 1, channels]), (product, [1, 10, 12, 5]),
                     (meanU8, [1, 5, 6]), (transposedU8, [1, 6, 8, 2]) })
        {
            int real = mb.AddTensor($"real{tensor}", TensorType.Float32, shape);
            mb.AddOperator(BuiltinOperator.Dequantize, [tensor], [real], version: 2);
            mb.AddOutput(real);
        }
        mb.AddInput(x);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Runs <see cref="Build"/>'s network (two seeds, inputs that also saturate QUANTIZE) on the delegate and on the
    /// reference: every node runs on the delegate and every output has the reference's bits.
    /// </summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        for (int seed = 1; seed <= 2; seed++)
        {
            var model = Build(seed);
            var inputs = new[] { DelegateHarness.Values(new Random(seed + 60), 5 * 6 * 3).Select(v => v * (seed == 1 ? 2f : 8f)).ToArray() };
            var expected = DelegateHarness.Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
            string name = $"8-bit TRANSPOSE_CONV / MEAN / BATCH_MATMUL network (seed {seed})";
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            DelegateHarness.AssertSameBits(expected, actual, name, accelDelegate.Name);
            // Unsaturated outputs: the comparison means something.
            string[] outputs = ["transposed", "mean", "product", "uint8 mean", "uint8 transposed"];
            int[] minimumDistinct = [20, 2, 20, 5, 12];
            for (int o = 0; o < outputs.Length; o++)
                Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(minimumDistinct[o]),
                    $"{name}: degenerate {outputs[o]} {string.Join(", ", expected[o].Take(40))}");
        }
    }
}
