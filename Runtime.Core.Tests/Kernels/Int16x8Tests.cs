using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// int16x8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (docs/numerics.md §Quantized execution, int16x8): the two
/// 64-bit rescales, Prepare's refusals (typed, naming the tensor), and the kernels against the sums written out.
/// </summary>
public sealed class Int16x8Tests
{
    private static QuantizationParameters Q(float scale, long zeroPoint = 0) => new([scale], [zeroPoint], 0, [], []);

    [Test]
    public void The_64_bit_rescale_reduces_the_mantissa_to_16_bits_and_rounds_once_halves_up()
    {
        // m = 2^30 (0.5) reduces to 2^14; shift 0: (x · 2^14 + 2^14) >> 15 = floor((x + 1) / 2).
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(3L, 1 << 30, 0), Is.EqualTo(2));
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(-3L, 1 << 30, 0), Is.EqualTo(-1));
        // A mantissa at or above 0x7FFF0000 saturates to 0x7FFF instead of rounding up to 2^15.
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(1L << 20, int.MaxValue, 0), Is.EqualTo((int)(((1L << 20) * 0x7FFF + (1 << 14)) >> 15)));
        // The 16-bit mantissa loses what the 31-bit one keeps: 1/3 (0x2AAAAAAB · 2^-31 · 2^-1 … ) on a large x.
        var third = Quantization.QuantizeMultiplier(1.0 / 3);
        long x = 3_000_000_001;
        Assert.That(Quantization.MultiplyByQuantizedMultiplierSingleRounding(x, third), Is.EqualTo(1_000_000_000));
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(x, third), Is.Not.EqualTo(1_000_000_000));
    }

    [Test]
    public void The_single_rounding_rescale_is_exact_where_the_32_bit_form_rounds_twice()
    {
        // docs/numerics.md's example: 100 · 1/3 with shift −1 gives 34 in the double-rounding form, 33 rounded once.
        var third = Quantization.QuantizeMultiplier(1.0 / 3);
        Assert.That(Quantization.MultiplyByQuantizedMultiplier(100, third), Is.EqualTo(34));
        Assert.That(Quantization.MultiplyByQuantizedMultiplierSingleRounding(100, third), Is.EqualTo(33));
        // Halves round up (toward +∞), also for negatives.
        var half = Quantization.QuantizeMultiplier(0.5);
        Assert.That(Quantization.MultiplyByQuantizedMultiplierSingleRounding(-3, half), Is.EqualTo(-1));
        Assert.That(Quantization.MultiplyByQuantizedMultiplierSingleRounding(3, half), Is.EqualTo(2));
    }

    private static OpShapeInferenceResult Conv(QuantizationParameters input, QuantizationParameters output, TensorType biasType,
        BuiltinOperator op = BuiltinOperator.Conv2D)
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [1, 3, 3, 2], input) with { Name = "x" };
        int[] filterShape = op == BuiltinOperator.Conv2D ? [2, 1, 1, 2] : [1, 1, 1, 2];
        var w = OpTensorSpec.Constant(TensorType.Int8, filterShape, new byte[4 - (op == BuiltinOperator.Conv2D ? 0 : 2)], Q(0.5f)) with { Name = "w" };
        byte[] biasBytes = new byte[2 * (biasType == TensorType.Int64 ? 8 : 4)];
        var b = OpTensorSpec.Constant(biasType, [2], biasBytes, Q(0.05f)) with { Name = "b" };
        OperatorOptions options = op == BuiltinOperator.Conv2D
            ? new Conv2DOptions(Padding.Valid, 1, 1, ActivationFunctionType.Relu, 1, 1)
            : new DepthwiseConv2DOptions(Padding.Valid, 1, 1, 1, ActivationFunctionType.Relu, 1, 1);
        return OpShapeInference.Infer(op, 4, options, default, [x, w, b], [TensorType.Int16], [output]);
    }

    [Test]
    public void Conv_prepare_picks_the_16_bit_rescale_for_an_int64_bias_and_clamps_in_the_int16_domain()
    {
        var q = ((Conv2DParams)Conv(Q(0.1f), Q(0.2f), TensorType.Int64).Params).Int16!;
        Assert.That(q.Rescale, Is.EqualTo(Int16x8Rescale.Reduced16BitMultiplier));
        Assert.That(q.WideBias, Is.True);
        Assert.That(q.Multipliers[0], Is.EqualTo(Quantization.QuantizeMultiplier((double)0.1f * 0.5f / 0.2f)));
        Assert.That((q.ActivationMin, q.ActivationMax), Is.EqualTo((0, 32767)));
    }

    [Test]
    public void An_int16x8_depthwise_conv_with_an_int32_bias_is_a_typed_error_naming_the_bias_as_in_TFLite()
    {
        var e = Assert.Throws<KernelException>(() => Conv(Q(0.1f), Q(0.2f), TensorType.Int32, BuiltinOperator.DepthwiseConv2D));
        Assert.That(e!.Message, Does.Contain("bias 'b'").And.Contain("DEPTHWISE_CONV_2D needs an int64 bias"));
    }

    [Test]
    public void An_int16_activation_with_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor()
    {
        var e = Assert.Throws<KernelException>(() => Conv(Q(0.1f, 5), Q(0.2f), TensorType.Int64));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("zero point 5").And.Contain("symmetric"));
        e = Assert.Throws<KernelException>(() => Conv(Q(0.1f), Q(0.2f, -1), TensorType.Int64));
        Assert.That(e!.Message, Does.Contain("output 'output'").And.Contain("zero point -1"));
    }

    [Test]
    public void An_int16x8_conv_with_an_int32_bias_is_a_typed_error_naming_the_bias()
    {
        var e = Assert.Throws<KernelException>(() => Conv(Q(0.1f), Q(0.2f), TensorType.Int32));
        Assert.That(e!.Message, Does.Contain("bias 'b'").And.Contain("int64"));
    }

    [Test]
    public void An_int16x8_bias_that_is_neither_int64_nor_int32_is_a_typed_error_naming_the_bias()
    {
        var e = Assert.Throws<KernelException>(() => Conv(Q(0.1f), Q(0.2f), TensorType.Int16));
        Assert.That(e!.Message, Does.Contain("bias 'b'").And.Contain("int16"));
    }

    [Test]
    public void A_multiplier_beyond_the_16_bit_rescales_shift_is_refused()
    {
        var e = Assert.Throws<KernelException>(() => Conv(Q(1000f), Q(1e-6f), TensorType.Int64));
        Assert.That(e!.Message, Does.Contain("too large"));
    }

    /// <summary>FULLY_CONNECTED 16x8 through the interpreter: Σ w · x + bias, rescaled once with the full mantissa.</summary>
    [Test]
    public void Fully_connected_runs_the_exact_int64_sum_and_the_single_rounding_rescale()
    {
        short[] xs = [32767, -32768, 12345, -7, 1000, -20000];   // [2, 3]
        sbyte[] ws = [127, -128, 5, -1, 77, -128];                 // [2, 3]
        long[] bias = [1L << 33, -123456];
        float inScale = 0.01f, wScale = 0.003f, outScale = 0.7f;
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Int16, [2, 3], Q(inScale));
        int w = b.AddConstant("w", TensorType.Int8, [2, 3], ws.Select(v => (byte)v).ToArray(), Q(wScale));
        int bi = b.AddConstant("b", TensorType.Int64, [2], MemoryMarshal.AsBytes(bias.AsSpan()), Q(inScale * wScale));
        int y = b.AddTensor("y", TensorType.Int16, [2, 2], Q(outScale));
        b.AddOperator(BuiltinOperator.FullyConnected, [x, w, bi], [y], new FullyConnectedOptions(ActivationFunctionType.None), version: 7);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<short>(0, xs);
        interpreter.Invoke();
        short[] actual = interpreter.Output<short>(0).ToArray();

        // Per-tensor weights: GetQuantizedConvolutionMultipler's binary32 scale product.
        var m = Quantization.QuantizeMultiplier((double)(inScale * wScale) / outScale);
        var expected = new short[4];
        for (int row = 0; row < 2; row++)
        for (int u = 0; u < 2; u++)
        {
            long acc = bias[u];
            for (int k = 0; k < 3; k++) acc += (long)ws[u * 3 + k] * xs[row * 3 + k];
            // x · m · 2^(shift − 31), rounded once, halves up, written with a decimal to stay independent of the shift code.
            decimal exact = acc * (decimal)m.Multiplier / (decimal)Math.Pow(2, 31 - m.Shift);
            expected[row * 2 + u] = (short)Math.Clamp((long)Math.Floor(exact + 0.5m), short.MinValue, short.MaxValue);
        }
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(actual[0], Is.EqualTo(short.MaxValue), "the 2^33 bias saturates the first unit");
    }

    private static OpShapeInferenceResult Add(QuantizationParameters a, bool potScaleInt16, BuiltinOperator op = BuiltinOperator.Add)
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [4], a) with { Name = "a" };
        var y = OpTensorSpec.Activation(TensorType.Int16, [4], Q(0.02f)) with { Name = "b" };
        OperatorOptions options = op switch
        {
            BuiltinOperator.Add => new AddOptions(ActivationFunctionType.Relu6, potScaleInt16),
            BuiltinOperator.Sub => new SubOptions(ActivationFunctionType.Relu6, potScaleInt16),
            _ => new MulOptions(ActivationFunctionType.Relu6),
        };
        return OpShapeInference.Infer(op, 4, options, default, [x, y], [TensorType.Int16], [Q(0.001f)]);
    }

    [Test]
    public void Int16_add_takes_a_left_shift_of_15_and_clamps_in_the_int16_domain()
    {
        var q = ((BinaryArithmeticParams)Add(Q(0.05f), potScaleInt16: false).Params).QuantizedAdd!;
        double twiceMax = 2 * 0.05f;
        Assert.That(q.LeftShift, Is.EqualTo(15));
        Assert.That(q.OutputMultiplier, Is.EqualTo(Quantization.QuantizeMultiplier(twiceMax / ((1 << 15) * (double)0.001f))));
        Assert.That((q.Input1Offset, q.Input2Offset, q.OutputOffset), Is.EqualTo((0, 0, 0)));
        Assert.That((q.ActivationMin, q.ActivationMax), Is.EqualTo((0, 6000)));   // RELU6: [Q(0), Q(6)] at scale 0.001
    }

    [TestCase(BuiltinOperator.Add)]
    [TestCase(BuiltinOperator.Sub)]
    public void The_legacy_power_of_two_int16_path_is_refused_with_a_typed_error(BuiltinOperator op)
    {
        var e = Assert.Throws<KernelException>(() => Add(Q(0.05f), potScaleInt16: true, op));
        Assert.That(e!.Message, Does.Contain("pot_scale_int16"));
    }

    [TestCase(BuiltinOperator.Add)]
    [TestCase(BuiltinOperator.Mul)]
    public void An_int16_binary_input_with_a_nonzero_zero_point_is_a_typed_error_naming_it(BuiltinOperator op)
    {
        var e = Assert.Throws<KernelException>(() => Add(Q(0.05f, 3), potScaleInt16: false, op));
        Assert.That(e!.Message, Does.Contain("input 1 'a'").And.Contain("zero point 3"));
    }

    [Test]
    public void An_int16_pool_with_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor()
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [1, 4, 4, 1], Q(0.05f, 1)) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.AveragePool2D, 3,
            new Pool2DOptions(Padding.Valid, 2, 2, 2, 2, ActivationFunctionType.None), default, [x], [TensorType.Int16], [Q(0.05f)]));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("zero point 1"));
    }
}
