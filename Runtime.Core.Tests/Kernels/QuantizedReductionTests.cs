using Accel.Building;
using Accel.Numerics;

namespace Accel.Tests.Kernels;

/// <summary>
/// The integer forms of SUM (int8, uint8, int16: TFLite's QuantizedMeanOrSum with compute_sum), REDUCE_PROD (int8,
/// int16: QuantizedReduceProd) and L2_NORMALIZATION (int8, uint8) through ModelBuilder → Interpreter, and their typed
/// refusals (docs/numerics.md §Reductions, §L2_NORMALIZATION). Agreement with TFLite: the conformance cases.
/// </summary>
public sealed class QuantizedReductionTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static Interpreter Build(BuiltinOperator op, TensorType type, int[] shape, int[] outputShape, QuantizationParameters? inputQ,
        QuantizationParameters? outputQ, int[]? axes, OperatorOptions? options = null)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", type, shape, inputQ);
        int y = b.AddTensor("output", type, outputShape, outputQ);
        int[] inputs = axes is null ? [x] : [x, b.AddConstant("axes", [axes.Length], axes)];
        b.AddOperator(op, inputs, [y], options ?? (axes is null ? null : new ReducerOptions(false)), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        var model = Model.FromBytes(b.Build());
        var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static int[] RunInt8(BuiltinOperator op, int[] shape, int[] outputShape, sbyte[] input, QuantizationParameters inputQ,
        QuantizationParameters outputQ, int[]? axes)
    {
        using var interpreter = Build(op, TensorType.Int8, shape, outputShape, inputQ, outputQ, axes);
        interpreter.SetInput<sbyte>(0, input);
        interpreter.Invoke();
        return interpreter.Output<sbyte>(0).ToArray().Select(v => (int)v).ToArray();
    }

    [Test]
    public void Int8_sum_rescales_the_exact_sum_less_the_zero_points_without_dividing_by_the_count()
    {
        // real = 0.1 (x + 3); sum of 4 → q_out = Σ real / 0.5 − 2, clamped.
        sbyte[] input = [7, 7, 7, 7, /**/ -3, -3, -3, -3, /**/ 127, 127, 127, 127, /**/ -2, -3, -3, -3];
        int[] output = RunInt8(BuiltinOperator.Sum, [4, 4], [4], input, Q(0.1f, -3), Q(0.5f, -2), [1]);
        // 4 · 1.0 / 0.5 = 8 → 6; 0 → −2; 4 · 13 / 0.5 = 104 → 102; 0.1 / 0.5 = 0.2 → 0 → −2.
        Assert.That(output, Is.EqualTo(new[] { 6, -2, 102, -2 }));
    }

    [Test]
    public void Int8_sum_saturates_at_the_dtype_range()
    {
        sbyte[] input = [100, 100, 100, -100, -100, -100];
        int[] output = RunInt8(BuiltinOperator.Sum, [2, 3], [2], input, Q(0.1f, 0), Q(0.1f, 0), [1]);
        Assert.That(output, Is.EqualTo(new[] { 127, -128 }));
    }

    [Test]
    public void Int16_sum_with_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor()
    {
        var ex = Assert.Throws<KernelException>(() => Build(BuiltinOperator.Sum, TensorType.Int16, [2, 3], [2], Q(0.1f, 3), Q(0.1f, 0), [1]).Dispose());
        Assert.That(ex!.Message, Does.Contain("'input'"));
    }

    [Test]
    public void Int8_sum_without_quantization_is_a_typed_error_naming_the_tensor()
    {
        var ex = Assert.Throws<KernelException>(() => Build(BuiltinOperator.Sum, TensorType.Int8, [2, 3], [2], null, Q(0.1f, 0), [1]).Dispose());
        Assert.That(ex!.Message, Does.Contain("'input'").And.Contain("quantization"));
    }

    [Test]
    public void Int8_reduce_prod_rescales_every_partial_product_by_the_nth_root_multiplier()
    {
        // s_in = 0.5, s_out = 0.25, n = 2: M = 0.5 / √0.25 = 1. (x − zp): 4·6 = 24 → M → 24 → M → 24; real 24·0.25 = 6 = 2·3 ✓.
        sbyte[] input = [5, 7, /**/ -1, 1, /**/ 1, 1];
        int[] output = RunInt8(BuiltinOperator.ReduceProd, [3, 2], [3], input, Q(0.5f, 1), Q(0.25f, 0), [1]);
        // (4·6) = 24; (−2·0) = 0; 0·0 = 0.
        Assert.That(output, Is.EqualTo(new[] { 24, 0, 0 }));
        var m = Quantization.QuantizeMultiplier(0.5 / Math.Pow(0.25, 0.5));
        int expected = Quantization.MultiplyByQuantizedMultiplier((long)Quantization.MultiplyByQuantizedMultiplier(4L * 6, m), m);
        Assert.That(output[0], Is.EqualTo(expected));
    }

    [Test]
    public void Int8_reduce_prod_without_quantization_wraps_as_TFLite_generic_product()
    {
        using var interpreter = Build(BuiltinOperator.ReduceProd, TensorType.Int8, [1, 3], [1], null, null, [1]);
        interpreter.SetInput<sbyte>(0, [16, 16, 3]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<sbyte>(0).ToArray(), Is.EqualTo(new sbyte[] { unchecked((sbyte)(16 * 16 * 3)) }));
    }

    [Test]
    public void Uint8_reduce_prod_is_refused_naming_the_dtype()
    {
        var ex = Assert.Throws<KernelException>(() => Build(BuiltinOperator.ReduceProd, TensorType.UInt8, [2, 3], [2], Q(0.1f, 3), Q(0.1f, 0), [1]).Dispose());
        Assert.That(ex!.Message, Does.Contain("uint8"));
    }

    [Test]
    public void Inverse_sqrt_multiplier_approximates_one_over_the_square_root()
    {
        foreach (int v in new[] { 2, 3, 100, 16129, 65025 * 17, 1 << 29, int.MaxValue })
        {
            var (m, shift) = Quantization.InverseSqrtMultiplier(v);
            double approx = m / 2147483648.0 * Math.Pow(2, shift);
            Assert.That(approx, Is.EqualTo(1 / Math.Sqrt(v)).Within(2e-6 / Math.Sqrt(v)), $"1/sqrt({v})");
        }
        Assert.That(Quantization.InverseSqrtMultiplier(0), Is.EqualTo((int.MaxValue, 0)));
        Assert.That(Quantization.InverseSqrtMultiplier(1), Is.EqualTo((int.MaxValue, 0)));
    }

    [Test]
    public void Int8_l2_normalization_maps_each_row_to_unit_length_at_scale_one_over_128()
    {
        using var interpreter = Build(BuiltinOperator.L2Normalization, TensorType.Int8, [3, 2], [3, 2], Q(0.1f, 2), Q(1f / 128, 0), null,
            new L2NormOptions(ActivationFunctionType.None));
        // (3, 4)/5 → (0.6, 0.8) → (77, 102); a row at the zero point (sum 0, TFLite's "as if 1") stays 0; (−128 − 2, 2 − 2) → (−1, 0) → (−128, 0).
        interpreter.SetInput<sbyte>(0, [5, 6, 2, 2, -128, 2]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<sbyte>(0).ToArray(), Is.EqualTo(new sbyte[] { 77, 102, 0, 0, -128, 0 }));
    }

    [Test]
    public void Uint8_l2_normalization_adds_the_fixed_output_zero_point_128()
    {
        using var interpreter = Build(BuiltinOperator.L2Normalization, TensorType.UInt8, [1, 2], [1, 2], Q(0.1f, 100), Q(1f / 128, 128), null,
            new L2NormOptions(ActivationFunctionType.None));
        interpreter.SetInput<byte>(0, [97, 104]);
        interpreter.Invoke();
        // (−3, 4)/5 → (−0.6, 0.8) · 128 + 128 → (51, 230).
        Assert.That(interpreter.Output<byte>(0).ToArray(), Is.EqualTo(new byte[] { 51, 230 }));
    }

    [TestCase(0.01f, 0L)]
    [TestCase(1f / 128, 5L)]
    public void Int8_l2_normalization_refuses_output_parameters_TFLite_refuses(float scale, long zeroPoint)
    {
        var ex = Assert.Throws<KernelException>(() => Build(BuiltinOperator.L2Normalization, TensorType.Int8, [1, 2], [1, 2], Q(0.1f, 0),
            Q(scale, zeroPoint), null, new L2NormOptions(ActivationFunctionType.None)).Dispose());
        Assert.That(ex!.Message, Does.Contain("'output'").And.Contain("1/128"));
    }
}
