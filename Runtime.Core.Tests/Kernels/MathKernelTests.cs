using Accel.Kernels;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;
using Accel.Tests.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>
/// The math family's definitions and reference kernels: refusals, output shapes, the specified sequences (written out
/// independently here), accuracy against double precision, and TFLite's special cases.
/// </summary>
public sealed class MathKernelTests
{
    [TestCase("EXP")]
    [TestCase("LOG")]
    [TestCase("SQRT")]
    [TestCase("RSQRT")]
    [TestCase("SIN")]
    [TestCase("COS")]
    public void Unary_math_operators_map_every_element_by_their_function_and_keep_the_shape(string op)
    {
        Func<float, float> function = op switch
        {
            "EXP" => SpecMath.Exp,
            "LOG" => SpecMath.Log,
            "SQRT" => MathF.Sqrt,
            "RSQRT" => x => 1f / MathF.Sqrt(x),
            "SIN" => SpecMath.Sin,
            _ => SpecMath.Cos,
        };
        IKernel kernel = op switch
        {
            "EXP" => new ExpKernel(),
            "LOG" => new LogKernel(),
            "SQRT" => new SqrtKernel(),
            "RSQRT" => new RsqrtKernel(),
            "SIN" => new SinKernel(),
            _ => new CosKernel(),
        };
        float[] input = [0f, -0f, 1f, -1f, 0.5f, 3.75f, -20f, 1e30f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon];
        using var h = new ElementwiseTestHarness();
        var output = h.Run(kernel, op, null, h.Input([2, 2, 3], input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 2, 2, 3 }));
        Elementwise.AssertBitEqual(output.Read<float>(), input.Select(function).ToArray());
    }

    [TestCase("EXP")]
    [TestCase("SIN")]
    [TestCase("L2_NORMALIZATION")]
    public void Non_float_inputs_are_refused_at_prepare(string op)
    {
        using var h = new ElementwiseTestHarness();
        IKernel kernel = op switch { "EXP" => new ExpKernel(), "SIN" => new SinKernel(), _ => new L2NormalizationKernel() };
        var e = Assert.Throws<KernelException>(() => h.Prepare(kernel, op, null, h.Input([3], new[] { 1, 2, 3 }, TensorType.Int32)));
        Assert.That(e!.Message, Does.Contain("int32"));
    }

    [Test]
    public void Sqrt_and_rsqrt_give_the_IEEE_results_for_special_values()
    {
        using var h = new ElementwiseTestHarness();
        float[] input = [-0f, 0f, -1f, float.PositiveInfinity, float.NaN, 2f];
        float[] sqrt = h.RunFloat(new SqrtKernel(), "SQRT", null, h.Input([6], input));
        float[] rsqrt = h.RunFloat(new RsqrtKernel(), "RSQRT", null, h.Input([6], input));
        Assert.Multiple(() =>
        {
            Assert.That(Ulp.Bits(sqrt[0]), Is.EqualTo(0x80000000u), "sqrt −0 = −0");
            Assert.That(float.IsNaN(sqrt[2]) && float.IsNaN(rsqrt[2]), "negative → NaN");
            Assert.That(rsqrt[0], Is.EqualTo(float.NegativeInfinity), "1/−0");
            Assert.That(rsqrt[1], Is.EqualTo(float.PositiveInfinity));
            Assert.That(Ulp.Bits(rsqrt[3]), Is.EqualTo(0u));
            Assert.That(rsqrt[5], Is.EqualTo(1f / MathF.Sqrt(2f)), "two roundings, as TFLite");
        });
    }

    [Test]
    public void Pow_broadcasts_float32_through_SpecMath_Pow()
    {
        using var h = new ElementwiseTestHarness();
        float[] a = [2f, -2f, 0.5f, 9f, -8f, 0f];
        float[] b = [3f, 0.5f];
        var output = h.Run(new PowKernel(), "POW", null, h.Input([3, 2], a), h.Input([2], b));
        float[] expected = a.Select((x, i) => SpecMath.Pow(x, b[i % 2])).ToArray();
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
        Assert.Multiple(() =>
        {
            Assert.That(output.Read<float>()[0], Is.EqualTo(8f));
            Assert.That(float.IsNaN(output.Read<float>()[1]), "negative base, fractional exponent");
            Assert.That(output.Read<float>()[3], Is.EqualTo(3f));
            Assert.That(output.Read<float>()[4], Is.EqualTo(-512f));
        });
    }

    [Test]
    public void Pow_int32_is_exact_and_wraps_on_overflow()
    {
        using var h = new ElementwiseTestHarness();
        int[] a = [2, -3, 0, 7, 46341, -1, 10, 5];
        int[] b = [10, 3, 0, 0, 2, 1_000_001, 9, 13];
        var output = h.Run(new PowKernel(), "POW", null, h.Input([8], a, TensorType.Int32), h.Input([8], b, TensorType.Int32));
        // Independently: y wrapping multiplications in a row (square-and-multiply gives the same residue mod 2^32).
        int[] expected = a.Zip(b, (x, y) =>
        {
            int product = 1;
            for (int k = 0; k < y; k++) product = unchecked(product * x);
            return product;
        }).ToArray();
        Assert.That(output.Read<int>().ToArray(), Is.EqualTo(expected));
        Assert.That(output.Read<int>()[0], Is.EqualTo(1024));
        Assert.That(output.Read<int>()[2], Is.EqualTo(1), "0^0 = 1, as std::pow");
    }

    [Test]
    public void Pow_int32_refuses_a_negative_exponent_at_invoke_naming_the_node()
    {
        using var h = new ElementwiseTestHarness();
        var e = Assert.Throws<KernelException>(() =>
            h.Run(new PowKernel(), "POW", null, h.Input([3], new[] { 2, 3, 4 }, TensorType.Int32), h.Input([3], new[] { 1, -2, 3 }, TensorType.Int32)));
        Assert.That(e!.Message, Does.Contain("POW").And.Contain("[1] is -2"));
    }

    [Test]
    public void Pow_refuses_mixed_dtypes_and_int64()
    {
        using var h = new ElementwiseTestHarness();
        Assert.Throws<KernelException>(() => h.Prepare(new PowKernel(), "POW", null, h.Input([2], 1f, 2f), h.Input([2], new[] { 1, 2 }, TensorType.Int32)));
        Assert.Throws<KernelException>(() => h.Prepare(new PowKernel(), "POW", null, h.Input([2], new[] { 1L, 2L }, TensorType.Int64), h.Input([2], new[] { 1L, 2L }, TensorType.Int64)));
    }

    /// <summary>docs/numerics.md §LOG_SOFTMAX written out independently of the kernel.</summary>
    private static float[] SpecifiedLogSoftmax(float[] x, int depth)
    {
        var y = new float[x.Length];
        for (int o = 0; o < x.Length; o += depth)
        {
            float m = x[o];
            for (int i = 1; i < depth; i++) if (x[o + i] > m || float.IsNaN(x[o + i])) m = x[o + i];
            float sum = 0f;
            for (int i = 0; i < depth; i++) sum += SpecMath.Exp(x[o + i] - m);
            float logSum = SpecMath.Log(sum);
            for (int i = 0; i < depth; i++) y[o + i] = (x[o + i] - m) - logSum;
        }
        return y;
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(1001)]
    public void Log_softmax_follows_the_specified_sequence_and_is_accurate(int depth)
    {
        var random = new Random(depth);
        float[] input = Enumerable.Range(0, 3 * depth).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new LogSoftmaxKernel(), "LOG_SOFTMAX", null, h.Input([3, depth], input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 3, depth }));
        float[] actual = output.Read<float>().ToArray();
        Elementwise.AssertBitEqual(actual, SpecifiedLogSoftmax(input, depth));
        for (int row = 0; row < 3; row++)
        {
            var x = input.Skip(row * depth).Take(depth).Select(v => (double)v).ToArray();
            double max = x.Max();
            double logSum = Math.Log(x.Sum(v => Math.Exp(v - max)));
            for (int i = 0; i < depth; i++)
                Assert.That(actual[row * depth + i], Is.EqualTo(x[i] - max - logSum).Within(1e-5 + depth * 1e-7), $"row {row}, element {i}");
        }
    }

    [Test]
    public void Log_softmax_special_values_and_a_scalar_is_refused()
    {
        float[] input = [float.NaN, 1f, 2f, float.NegativeInfinity, 0f, 3f, 1e30f, 0f, -1e30f];
        using var h = new ElementwiseTestHarness();
        float[] actual = h.RunFloat(new LogSoftmaxKernel(), "LOG_SOFTMAX", null, h.Input([3, 3], input));
        Elementwise.AssertBitEqual(actual, SpecifiedLogSoftmax(input, 3));
        Assert.Multiple(() =>
        {
            Assert.That(actual.Take(3).All(float.IsNaN), "a NaN makes the row NaN");
            Assert.That(actual[3], Is.EqualTo(float.NegativeInfinity), "−inf stays −inf");
            Assert.That(actual[6], Is.EqualTo(0f), "a dominant element gets log 1 = 0");
            Assert.That(actual[7], Is.EqualTo(-1e30f));
        });
        var e = Assert.Throws<KernelException>(() => h.Prepare(new LogSoftmaxKernel(), "LOG_SOFTMAX", null, h.Input([], new[] { 1f })));
        Assert.That(e!.Message, Does.Contain("rank >= 1"));
    }

    [Test]
    public void L2_normalization_divides_by_the_sequential_norm_with_TFLites_epsilon()
    {
        float[] input = [3f, 4f, 0f, 0f, 1e-7f, 0f, 1e20f, 1e20f, 1f, -2f, 2f, 1f];
        using var h = new ElementwiseTestHarness();
        float[] actual = h.RunFloat(new L2NormalizationKernel(), "L2_NORMALIZATION", new L2NormOptions(ActivationFunctionType.None), h.Input([4, 3], input));
        var expected = new float[input.Length];
        for (int o = 0; o < input.Length; o += 3)
        {
            float sum = 0f;
            for (int i = 0; i < 3; i++) { float square = input[o + i] * input[o + i]; sum += square; }
            float norm = MathF.Sqrt(sum);
            if (norm < 1e-6f) norm = 1e-6f;
            for (int i = 0; i < 3; i++) expected[o + i] = input[o + i] / norm;
        }
        Elementwise.AssertBitEqual(actual, expected);
        Assert.Multiple(() =>
        {
            Assert.That(actual[0], Is.EqualTo(0.6f));
            Assert.That(actual[1], Is.EqualTo(0.8f));
            Assert.That(actual[4], Is.EqualTo(1e-7f / 1e-6f), "a norm below epsilon is raised to it");
            Assert.That(actual[6], Is.EqualTo(0f), "the squares overflow: x / inf = 0");
        });
    }

    [Test]
    public void L2_normalization_refuses_an_activation_a_rank_above_four_and_a_scalar()
    {
        using var h = new ElementwiseTestHarness();
        var activation = Assert.Throws<KernelException>(() =>
            h.Prepare(new L2NormalizationKernel(), "L2_NORMALIZATION", new L2NormOptions(ActivationFunctionType.Relu), h.Input([2], 1f, 2f)));
        var rank = Assert.Throws<KernelException>(() =>
            h.Prepare(new L2NormalizationKernel(), "L2_NORMALIZATION", null, h.Input([1, 1, 1, 1, 2], 1f, 2f)));
        var scalar = Assert.Throws<KernelException>(() =>
            h.Prepare(new L2NormalizationKernel(), "L2_NORMALIZATION", null, h.Input([], 1f)));
        Assert.Multiple(() =>
        {
            Assert.That(activation!.Message, Does.Contain("activation"));
            Assert.That(rank!.Message, Does.Contain("rank <= 4"));
            Assert.That(scalar!.Message, Does.Contain("rank >= 1"));
        });
    }

    [TestCase(0, 1f, 1f, 0.5f)]
    [TestCase(2, 2f, 1e-4f, 0.75f)]
    [TestCase(5, 1f, 0.5f, -0.5f)]
    [TestCase(1000, 0.5f, 2f, 1f)]
    public void Local_response_normalization_sums_the_symmetric_window_and_raises_by_SpecMath_Pow(int radius, float bias, float alpha, float beta)
    {
        const int depth = 9;
        var random = new Random(radius);
        float[] input = Enumerable.Range(0, 2 * depth).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        using var h = new ElementwiseTestHarness();
        var output = h.Run(new LocalResponseNormalizationKernel(), "LOCAL_RESPONSE_NORMALIZATION",
            new LocalResponseNormalizationOptions(radius, bias, alpha, beta), h.Input([1, 2, 1, depth], input));
        Assert.That(output.Shape.ToArray(), Is.EqualTo(new[] { 1, 2, 1, depth }));
        var expected = new float[input.Length];
        for (int o = 0; o < input.Length; o += depth)
        {
            for (int c = 0; c < depth; c++)
            {
                float sum = 0f;
                for (int j = 0; j < depth; j++)
                    if (Math.Abs(j - c) <= radius) { float square = input[o + j] * input[o + j]; sum += square; }
                float scaled = alpha * sum;
                expected[o + c] = input[o + c] * SpecMath.Pow(bias + scaled, -beta);
                double exactSum = 0;
                for (int j = 0; j < depth; j++) if (Math.Abs(j - c) <= radius) exactSum += (double)input[o + j] * input[o + j];
                double exact = input[o + c] * Math.Pow(bias + alpha * exactSum, -beta);
                Assert.That(expected[o + c], Is.EqualTo(exact).Within(Math.Abs(exact) * 2e-6 + 1e-30), $"channel {c}");
            }
        }
        Elementwise.AssertBitEqual(output.Read<float>(), expected);
    }

    [Test]
    public void Local_response_normalization_refuses_a_negative_radius_non_finite_options_and_other_ranks()
    {
        using var h = new ElementwiseTestHarness();
        int input = h.Input([1, 1, 1, 2], 1f, 2f);
        var radius = Assert.Throws<KernelException>(() => h.Prepare(new LocalResponseNormalizationKernel(), "LOCAL_RESPONSE_NORMALIZATION",
            new LocalResponseNormalizationOptions(-1, 1f, 1f, 0.5f), input));
        var beta = Assert.Throws<KernelException>(() => h.Prepare(new LocalResponseNormalizationKernel(), "LOCAL_RESPONSE_NORMALIZATION",
            new LocalResponseNormalizationOptions(1, 1f, 1f, float.NaN), input));
        var rank = Assert.Throws<KernelException>(() => h.Prepare(new LocalResponseNormalizationKernel(), "LOCAL_RESPONSE_NORMALIZATION",
            new LocalResponseNormalizationOptions(1, 1f, 1f, 0.5f), h.Input([1, 2], 1f, 2f)));
        Assert.Multiple(() =>
        {
            Assert.That(radius!.Message, Does.Contain("radius must be >= 0"));
            Assert.That(beta!.Message, Does.Contain("beta must be finite"));
            Assert.That(rank!.Message, Does.Contain("rank"));
        });
    }
}
