using Accel.Building;
using Accel.Delegates;
using NUnit.Framework;

namespace Accel.Testing;

/// <summary>
/// The 8-bit forms the device delegates gained for `accel quantize --mode int8` models and the reference's later ops
/// (docs/numerics.md §Quantized execution), in one network per signedness: QUANTIZE → PRELU (constant per-channel alpha
/// broadcast against [1, 5, 7, 6], its own scale and zero point) → GELU, TANH, RELU_0_TO_1 (the definitions' tables) →
/// SOFTMAX over the 6 channels (rows that straddle 32-bit words on Vulkan) and REDUCE_MAX / REDUCE_MIN over height and
/// width; each 8-bit output read through a DEQUANTIZE. Every node must run on the delegate with the reference's bits.
/// </summary>
public static class QuantizedActivationOps
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static readonly int[] Shape = [1, 5, 7, 6];

    /// <summary>The network on <paramref name="type"/> (int8 or uint8), alpha drawn from <paramref name="seed"/>; input x is float32 [1, 5, 7, 6].</summary>
    public static Model Build(TensorType type, int seed)
    {
        var random = new Random(seed);
        bool signed = type == TensorType.Int8;
        long Zero(long int8ZeroPoint) => signed ? int8ZeroPoint : int8ZeroPoint + 128;
        var mb = new ModelBuilder($"{type.ToDisplayName()} PRELU, tables, SOFTMAX, REDUCE_MAX/MIN");
        int x = mb.AddTensor("x", TensorType.Float32, Shape);
        int q = mb.AddTensor("x_q", type, Shape, Q(0.04f, Zero(-7)));
        mb.AddOperator(BuiltinOperator.Quantize, [x], [q], version: 2);

        var alphaBytes = new byte[6];
        random.NextBytes(alphaBytes);
        int alpha = mb.AddConstant("alpha", type, [6], alphaBytes, Q(0.01f, Zero(-20)));
        int prelu = mb.AddTensor("prelu", type, Shape, Q(0.03f, Zero(10)));
        mb.AddOperator(BuiltinOperator.Prelu, [q, alpha], [prelu]);

        int gelu = mb.AddTensor("gelu", type, Shape, Q(0.025f, Zero(-60)));
        mb.AddOperator(BuiltinOperator.Gelu, [prelu], [gelu], new GeluOptions(false));
        int tanh = mb.AddTensor("tanh", type, Shape, Q(1f / 128, Zero(0)));
        mb.AddOperator(BuiltinOperator.Tanh, [prelu], [tanh], version: 2);
        int unit = mb.AddTensor("relu_0_to_1", type, Shape, Q(1f / 255, Zero(-128)));
        mb.AddOperator(BuiltinOperator.Relu0To1, [prelu], [unit]);

        int softmax = mb.AddTensor("softmax", type, Shape, Q(1f / 256, signed ? -128 : 0));
        mb.AddOperator(BuiltinOperator.Softmax, [gelu], [softmax], new SoftmaxOptions(1.5f), 2);
        int axes = mb.AddConstant("axes", [2], [1, 2]);
        int reduceMax = mb.AddTensor("reduce_max", type, [1, 1, 1, 6], Q(0.03f, Zero(10)));
        mb.AddOperator(BuiltinOperator.ReduceMax, [prelu, axes], [reduceMax], new ReducerOptions(true), 2);
        int reduceMin = mb.AddTensor("reduce_min", type, [1, 6], Q(0.03f, Zero(10)));
        mb.AddOperator(BuiltinOperator.ReduceMin, [prelu, axes], [reduceMin], new ReducerOptions(false), 2);

        foreach (var (tensor, shape) in new[] { (prelu, Shape), (tanh, Shape), (unit, Shape), (softmax, Shape), (reduceMax, [1, 1, 1, 6]), (reduceMin, [1, 6]) })
        {
            int real = mb.AddTensor($"real{tensor}", TensorType.Float32, shape);
            mb.AddOperator(BuiltinOperator.Dequantize, [tensor], [real], version: 2);
            mb.AddOutput(real);
        }
        mb.AddInput(x);
        return Model.FromBytes(mb.Build());
    }

    /// <summary>
    /// Runs <see cref="Build"/>'s network (int8 and uint8, inputs that reach both signs of PRELU and saturate QUANTIZE) on
    /// the delegate and on the reference: every node runs on the delegate and every output has the reference's bits.
    /// </summary>
    public static void AssertRunsEntirelyOnTheDelegateWithTheReferencesBits(Func<IAccelDelegate> createDelegate)
    {
        foreach (var type in new[] { TensorType.Int8, TensorType.UInt8 })
        {
            var model = Build(type, seed: 5);
            var inputs = new[] { DelegateHarness.Values(new Random(17), 5 * 7 * 6).Select(v => v * 0.3f).ToArray() };
            var expected = DelegateHarness.Run(model, inputs, null, out _);
            using var accelDelegate = createDelegate();
            var actual = DelegateHarness.Run(model, inputs, accelDelegate, out var plan);
            string name = $"{type.ToDisplayName()} PRELU / GELU / TANH / RELU_0_TO_1 / SOFTMAX / REDUCE_MAX / REDUCE_MIN network";
            Assert.That(plan!.Refused, Is.Empty, $"{name}: {string.Join("; ", plan.Refused.Select(r => $"{r.Operator}: {r.Reason}"))}");
            Assert.That(plan.Partitions.Where(p => !p.IsDelegated).SelectMany(p => p.Nodes), Is.Empty, $"{name}: nodes left on the reference");
            DelegateHarness.AssertSameBits(expected, actual, name, accelDelegate.Name);
            // Unsaturated outputs: the comparison means something.
            string[] outputs = ["prelu", "tanh", "relu_0_to_1", "softmax", "reduce_max", "reduce_min"];
            int[] minimumDistinct = [40, 20, 10, 20, 2, 2];
            for (int o = 0; o < outputs.Length; o++)
                Assert.That(expected[o].Distinct().Count(), Is.GreaterThan(minimumDistinct[o]),
                    $"{name}: degenerate {outputs[o]} {string.Join(", ", expected[o].Take(40))}");
        }
    }
}
