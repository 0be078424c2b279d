using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// Multi-layer int8 and uint8 networks for the delegates with integer kernels (docs/numerics.md §Quantized
/// execution): QUANTIZE → CONV_2D (RELU6) → DEPTHWISE_CONV_2D (depth multiplier 2, stride 2) → ADD of two 1x1
/// CONV_2D branches → SUB → MUL → MAX_POOL_2D → AVERAGE_POOL_2D → FULLY_CONNECTED → DEQUANTIZE, with LOGISTIC, HARD_SWISH and RESIZE_BILINEAR branches on the depthwise output and a PAD of the max pool. int8 weights
/// are per channel with scales spanning 2^±6, uint8 weights per tensor with a zero point; multipliers fall both below
/// and above 1, and the activations' zero points are off-centre. Every node must run on the delegate, and its outputs
/// (each integer tensor read through a DEQUANTIZE, which is one-to-one) must have the reference's bits.
/// </summary>
public static class QuantizedNetworks
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>The operators of <see cref="Build"/>'s network, each of which must run on the delegate.</summary>
    public static readonly string[] Operators =
        ["QUANTIZE", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "MUL", "MAX_POOL_2D", "AVERAGE_POOL_2D", "FULLY_CONNECTED", "LOGISTIC",
         "HARD_SWISH", "PAD", "RESIZE_BILINEAR", "DEQUANTIZE"];

    /// <summary>The network on <paramref name="type"/> (int8 or uint8) activations, weights drawn from <paramref name="seed"/>.</summary>
    public static Model Build(TensorType type, int seed)
    {
        if (type is not (TensorType.Int8 or TensorType.UInt8)) throw new ArgumentOutOfRangeException(nameof(type), type, "int8 or uint8");
        bool signed = type == TensorType.Int8;
        int Zero(int int8ZeroPoint) => signed ? int8ZeroPoint : int8ZeroPoint + 128;
        var random = new Random(seed);
        var mb = new ModelBuilder($"{type} network");

        var weightScales = new Dictionary<int, float[]>();
        int Weights(string name, int[] shape, int axis, float baseScale)
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            var bytes = new byte[count];
            random.NextBytes(bytes);
            if (signed)
            {
                int channels = shape[axis];
                // Per-channel scales spanning 2^-6 .. 2^6 around the base.
                var scales = Enumerable.Range(0, channels).Select(c => baseScale * MathF.Pow(2, c * 5 % 13 - 6)).ToArray();
                int index = mb.AddConstant(name, TensorType.Int8, shape, bytes, new QuantizationParameters(scales, new long[channels], axis, [], []));
                weightScales[index] = scales;
                return index;
            }
            int tensor = mb.AddConstant(name, TensorType.UInt8, shape, bytes, Q(baseScale, 131));
            weightScales[tensor] = [baseScale];
            return tensor;
        }

        int Bias(string name, int channels, int weights, float inputScale)
        {
            var values = Enumerable.Range(0, channels).Select(_ => random.Next(-3000, 3000)).ToArray();
            var ws = weightScales[weights];
            var scales = ws.Select(s => inputScale * s).ToArray();
            return mb.AddConstant(name, TensorType.Int32, [channels], MemoryMarshal.AsBytes(values.AsSpan()),
                new QuantizationParameters(scales, new long[scales.Length], 0, [], []));
        }

        int Activation(string name, int[] shape, float scale, int int8ZeroPoint) => mb.AddTensor(name, type, shape, Q(scale, Zero(int8ZeroPoint)));

        int x = mb.AddTensor("x", TensorType.Float32, [1, 9, 9, 3]);
        int q = Activation("x_q", [1, 9, 9, 3], 0.04f, -7);
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);

        int w1 = Weights("w1", [8, 3, 3, 3], 0, 0.01f);
        int conv1 = Activation("conv1", [1, 9, 9, 8], 0.03f, -100);
        mb.AddOperator(BuiltinOperator.Conv2D, [q, w1, Bias("b1", 8, w1, 0.04f)], [conv1],
            new Conv2DOptions(Padding.Same, 1, 1, ActivationFunctionType.Relu6), 3);

        int w2 = Weights("w2", [1, 3, 3, 16], 3, 0.02f);
        int dw = Activation("dw", [1, 5, 5, 16], 0.05f, 3);
        mb.AddOperator(BuiltinOperator.DepthwiseConv2D, [conv1, w2, Bias("b2", 16, w2, 0.03f)], [dw],
            new DepthwiseConv2DOptions(Padding.Same, 2, 2, 2, ActivationFunctionType.None), 3);

        int w3 = Weights("w3", [16, 1, 1, 16], 0, 0.03f);
        int left = Activation("left", [1, 5, 5, 16], 0.2f, 10);
        mb.AddOperator(BuiltinOperator.Conv2D, [dw, w3, Bias("b3", 16, w3, 0.05f)], [left],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), 3);
        int w4 = Weights("w4", [16, 1, 1, 16], 0, 0.001f);
        int right = Activation("right", [1, 5, 5, 16], 0.0007f, -20);
        mb.AddOperator(BuiltinOperator.Conv2D, [dw, w4, Bias("b4", 16, w4, 0.05f)], [right],
            new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.None), 3);

        int sum = Activation("sum", [1, 5, 5, 16], 0.15f, -5);
        mb.AddOperator(BuiltinOperator.Add, [left, right], [sum], new AddOptions(ActivationFunctionType.Relu), 2);
        int difference = Activation("difference", [1, 5, 5, 16], 0.2f, 0);
        mb.AddOperator(BuiltinOperator.Sub, [sum, right], [difference], new SubOptions(ActivationFunctionType.None), 2);
        int product = Activation("product", [1, 5, 5, 16], 4f, 8);
        mb.AddOperator(BuiltinOperator.Mul, [difference, sum], [product], new MulOptions(ActivationFunctionType.None), 2);

        int max = Activation("max", [1, 3, 3, 16], 4f, 8);
        mb.AddOperator(BuiltinOperator.MaxPool2D, [product], [max], new Pool2DOptions(Padding.Same, 2, 2, 2, 2, ActivationFunctionType.None), 2);
        int average = Activation("average", [1, 2, 2, 16], 4f, 8);
        mb.AddOperator(BuiltinOperator.AveragePool2D, [max], [average], new Pool2DOptions(Padding.Same, 2, 2, 3, 3, ActivationFunctionType.None), 2);

        int w5 = Weights("w5", [10, 64], 0, 0.02f);
        int logits = Activation("logits", [1, 10], signed ? 4f : 40f, -3);
        mb.AddOperator(BuiltinOperator.FullyConnected, [average, w5, Bias("b5", 10, w5, 4f)], [logits],
            new FullyConnectedOptions(ActivationFunctionType.None), 4);

        int y = mb.AddTensor("y", TensorType.Float32, [1, 10]);
        mb.AddOperator(BuiltinOperator.Dequantize, [logits], [y], version: 2);
        int pooled = mb.AddTensor("pooled", TensorType.Float32, [1, 2, 2, 16]);
        mb.AddOperator(BuiltinOperator.Dequantize, [average], [pooled], version: 2);
        // Table-driven branches: LOGISTIC (output 1/256 as TFLite requires) and HARD_SWISH of the depthwise output.
        int sigmoid = mb.AddTensor("sigmoid", type, [1, 5, 5, 16], Q(1f / 256, Zero(-128)));
        mb.AddOperator(BuiltinOperator.Logistic, [dw], [sigmoid], version: 2);
        int swish = Activation("swish", [1, 5, 5, 16], 0.04f, -60);
        mb.AddOperator(BuiltinOperator.HardSwish, [dw], [swish]);
        int sigmoidReal = mb.AddTensor("sigmoid_real", TensorType.Float32, [1, 5, 5, 16]);
        mb.AddOperator(BuiltinOperator.Dequantize, [sigmoid], [sigmoidReal], version: 2);
        int swishReal = mb.AddTensor("swish_real", TensorType.Float32, [1, 5, 5, 16]);
        mb.AddOperator(BuiltinOperator.Dequantize, [swish], [swishReal], version: 2);
        // Data movement and interpolation: PAD (with the zero point) of the max pool, RESIZE_BILINEAR (half-pixel) of dw.
        int paddings = mb.AddConstant("paddings", [4, 2], [0, 0, 1, 2, 2, 0, 0, 0]);
        int padded = Activation("padded", [1, 6, 5, 16], 4f, 8);
        mb.AddOperator(BuiltinOperator.Pad, [max, paddings], [padded], version: 2);
        int size = mb.AddConstant("size", [2], [8, 7]);
        int resized = Activation("resized", [1, 8, 7, 16], 0.05f, 3);
        mb.AddOperator(BuiltinOperator.ResizeBilinear, [dw, size], [resized], new ResizeBilinearOptions(false, true), 3);
        int paddedReal = mb.AddTensor("padded_real", TensorType.Float32, [1, 6, 5, 16]);
        mb.AddOperator(BuiltinOperator.Dequantize, [padded], [paddedReal], version: 2);
        int resizedReal = mb.AddTensor("resized_real", TensorType.Float32, [1, 8, 7, 16]);
        mb.AddOperator(BuiltinOperator.Dequantize, [resized], [resizedReal], version: 2);
        mb.AddInput(x);
        mb.AddOutput(y);
        mb.AddOutput(pooled);
        mb.AddOutput(sigmoidReal);
        mb.AddOutput(swishReal);
        mb.AddOutput(paddedReal);
        mb.AddOutput(resizedReal);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Runs <see cref="Build"/>'s network for both 8-bit types on <paramref name="accelDelegate"/> and on the reference:
    /// every node runs on the delegate and both outputs have the reference's bits (on inputs that saturate QUANTIZE at
    /// both ends too).
    /// </summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        for (int seed = 1; seed <= 2; seed++)
        {
            var model = Build(type, seed);
            var inputs = new[] { DelegateHarness.Values(new Random(seed + 40), 9 * 9 * 3).Select(v => v * (seed == 1 ? 0.5f : 4f)).ToArray() };
            var expected = DelegateHarness.Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
            string name = $"{type} network (seed {seed})";
            DelegateHarness.AssertSameBits(expected, actual, name, accelDelegate.Name);
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            // Unsaturated outputs: the comparison means something.
            Assert.That(expected[0].Distinct().Count(), Is.GreaterThan(5), $"{name}: degenerate logits {string.Join(", ", expected[0])}");
            Assert.That(expected[1].Distinct().Count(), Is.GreaterThan(15), $"{name}: degenerate pools {string.Join(", ", expected[1])}");
            Assert.That(expected[2].Distinct().Count(), Is.GreaterThan(15), $"{name}: degenerate logistic {string.Join(", ", expected[2])}");
            Assert.That(expected[3].Distinct().Count(), Is.GreaterThan(15), $"{name}: degenerate hard swish {string.Join(", ", expected[3])}");
            Assert.That(expected[5].Distinct().Count(), Is.GreaterThan(15), $"{name}: degenerate resize {string.Join(", ", expected[5])}");
        }
    }
}
