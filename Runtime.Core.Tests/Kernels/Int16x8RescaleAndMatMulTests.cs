using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// int16 RELU, RELU6, LEAKY_RELU, MAXIMUM, MINIMUM, BATCH_MATMUL and TRANSPOSE_CONV (docs/numerics.md §Quantized
/// execution, int16x8): the kernels against results written out by hand, and Prepare's typed refusals naming the tensor.
/// </summary>
public sealed class Int16x8RescaleAndMatMulTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint = 0) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>Runs a one-node model with int16 input(s) and one int16 output.</summary>
    private static short[] Run(BuiltinOperator op, int version, OperatorOptions? options, (short[] Values, int[] Shape, float Scale)[] inputs,
        int[] outputShape, float outputScale)
    {
        var b = new ModelBuilder();
        var ids = inputs.Select((input, i) => b.AddTensor($"x{i}", TensorType.Int16, input.Shape, Q(input.Scale))).ToArray();
        int y = b.AddTensor("y", TensorType.Int16, outputShape, Q(outputScale));
        b.AddOperator(op, ids, [y], options, version: version);
        foreach (int id in ids) b.AddInput(id);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        for (int i = 0; i < inputs.Length; i++) interpreter.SetInput<short>(i, inputs[i].Values);
        interpreter.Invoke();
        return interpreter.Output<short>(0).ToArray();
    }

    [Test]
    public void Int16_relu6_rescales_by_the_scale_ratio_and_clamps_to_the_quantized_six()
    {
        // s_x / s_y = 0.5 exactly; 6 / s_y = 300. Even inputs halve exactly.
        short[] x = [-32768, -4, 0, 2, 598, 600, 602, 32766];
        short[] y = Run(BuiltinOperator.Relu6, 3, null, [(x, [8], 0.01f)], [8], 0.02f);
        Assert.That(y, Is.EqualTo(new short[] { 0, 0, 0, 1, 299, 300, 300, 300 }));
    }

    [Test]
    public void Int16_relu_keeps_the_upper_end_of_the_type_and_saturates_a_growing_rescale()
    {
        // s_x / s_y = 2: 20000 → 40000 saturates to 32767; negatives clamp to 0.
        short[] x = [-32768, -1, 0, 3, 16383, 20000];
        short[] y = Run(BuiltinOperator.Relu, 3, null, [(x, [6], 0.02f)], [6], 0.01f);
        Assert.That(y, Is.EqualTo(new short[] { 0, 0, 0, 6, 32766, 32767 }));
    }

    [Test]
    public void Int16_leaky_relu_scales_negatives_by_alpha_and_saturates_both_ends()
    {
        short[] x = [-32768, -400, -4, 0, 4, 32767];
        Assert.That(Run(BuiltinOperator.LeakyRelu, 2, new LeakyReluOptions(0.25f), [(x, [6], 0.01f)], [6], 0.01f),
            Is.EqualTo(new short[] { -8192, -100, -1, 0, 4, 32767 }));
        // alpha −2: −32768 · −2 = 65536 saturates to 32767, −400 → 800.
        Assert.That(Run(BuiltinOperator.LeakyRelu, 2, new LeakyReluOptions(-2f), [(x, [6], 0.01f)], [6], 0.01f),
            Is.EqualTo(new short[] { 32767, 800, 8, 0, 4, 32767 }));
    }

    [TestCase(BuiltinOperator.Relu)]
    [TestCase(BuiltinOperator.Relu6)]
    [TestCase(BuiltinOperator.LeakyRelu)]
    public void An_int16_activation_with_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor(BuiltinOperator op)
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [4], Q(0.1f, 3)) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(op, 1, null, default, [x], [TensorType.Int16], [Q(0.1f)]));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("zero point 3"));
    }

    [Test]
    public void Int16_maximum_and_minimum_compare_the_stored_integers_with_broadcasting()
    {
        short[] a = [-32768, 5, 32767, -1], b = [0, 7];
        Assert.That(Run(BuiltinOperator.Maximum, 4, null, [(a, [2, 2], 0.5f), (b, [2], 0.5f)], [2, 2], 0.5f),
            Is.EqualTo(new short[] { 0, 7, 32767, 7 }));
        Assert.That(Run(BuiltinOperator.Minimum, 4, null, [(a, [2, 2], 0.5f), (b, [2], 0.5f)], [2, 2], 0.5f),
            Is.EqualTo(new short[] { -32768, 5, 0, -1 }));
    }

    [TestCase(BuiltinOperator.Maximum)]
    [TestCase(BuiltinOperator.Minimum)]
    public void An_int16_maximum_or_minimum_with_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor(BuiltinOperator op)
    {
        var a = OpTensorSpec.Activation(TensorType.Int16, [4], Q(0.1f)) with { Name = "a" };
        var b = OpTensorSpec.Activation(TensorType.Int16, [4], Q(0.1f, -2)) with { Name = "b" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(op, 4, null, default, [a, b], [TensorType.Int16], [Q(0.1f)]));
        Assert.That(e!.Message, Does.Contain("input 2 'b'").And.Contain("zero point -2"));
    }

    [Test]
    public void Int16_batch_matmul_sums_exactly_in_int64_and_rescales_with_the_16_bit_mantissa()
    {
        short[] lhs = [32767, -32768, 12345, -7, 1000, -20000];   // [2, 3]
        short[] rhs = [32767, 1, -32768, 2, 300, -3];              // [3, 2]
        float ls = 0.01f, rs = 0.003f, os = 40f;
        short[] actual = Run(BuiltinOperator.BatchMatMul, 3, new BatchMatMulOptions(false, false), [(lhs, [2, 3], ls), (rhs, [3, 2], rs)], [2, 2], os);

        var m = Quantization.QuantizeMultiplier((double)(ls * rs) / os);
        var expected = new short[4];
        for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
        {
            long acc = 0;
            for (int k = 0; k < 3; k++) acc += (long)lhs[i * 3 + k] * rhs[k * 2 + j];
            // acc · m16 · 2^(shift − 15) rounded once, halves up, with m16 the mantissa rounded to 16 bits.
            long m16 = (m.Multiplier + (1L << 15)) >> 16;
            decimal exact = acc * (decimal)m16 / (decimal)Math.Pow(2, 15 - m.Shift);
            expected[i * 2 + j] = (short)Math.Clamp((long)Math.Floor(exact + 0.5m), short.MinValue, short.MaxValue);
        }
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void An_int16_batch_matmul_with_an_int8_rhs_or_a_nonzero_zero_point_is_a_typed_error_naming_the_tensor()
    {
        var lhs = OpTensorSpec.Activation(TensorType.Int16, [2, 3], Q(0.1f)) with { Name = "l" };
        var rhs8 = OpTensorSpec.Activation(TensorType.Int8, [3, 2], Q(0.1f)) with { Name = "r" };
        var options = new BatchMatMulOptions(false, false);
        var e = Assert.Throws<KernelException>(() =>
            OpShapeInference.Infer(BuiltinOperator.BatchMatMul, 3, options, default, [lhs, rhs8], [TensorType.Int16], [Q(0.1f)]));
        Assert.That(e!.Message, Does.Contain("rhs 'r'").And.Contain("int16"));
        var rhs = OpTensorSpec.Activation(TensorType.Int16, [3, 2], Q(0.1f, 4)) with { Name = "r" };
        e = Assert.Throws<KernelException>(() =>
            OpShapeInference.Infer(BuiltinOperator.BatchMatMul, 3, options, default, [lhs, rhs], [TensorType.Int16], [Q(0.1f)]));
        Assert.That(e!.Message, Does.Contain("rhs 'r'").And.Contain("zero point 4"));
    }

    private static OpShapeInferenceResult TransposeConv(TensorType biasType, long outputZeroPoint = 0)
    {
        var shape = OpTensorSpec.Int32Constant([4], [1, 4, 4, 2]) with { Name = "shape" };
        var w = OpTensorSpec.Constant(TensorType.Int8, [2, 2, 2, 3], new byte[24], Q(0.5f)) with { Name = "w" };
        var x = OpTensorSpec.Activation(TensorType.Int16, [1, 2, 2, 3], Q(0.1f)) with { Name = "x" };
        var b = OpTensorSpec.Constant(biasType, [2], new byte[2 * (biasType == TensorType.Int64 ? 8 : 4)], Q(0.05f)) with { Name = "b" };
        return OpShapeInference.Infer(BuiltinOperator.TransposeConv, 3, new TransposeConvOptions(Padding.Same, 2, 2, ActivationFunctionType.None),
            default, [shape, w, x, b], [TensorType.Int16], [Q(0.2f, outputZeroPoint)]);
    }

    [Test]
    public void Int16x8_transpose_conv_prepares_the_16_bit_rescale_per_channel()
    {
        var q = ((TransposeConvParams)TransposeConv(TensorType.Int64).Params).Int16!;
        Assert.That(q.Rescale, Is.EqualTo(Int16x8Rescale.Reduced16BitMultiplier));
        Assert.That(q.Multipliers[1], Is.EqualTo(Quantization.QuantizeMultiplier((double)0.1f * 0.5f / 0.2f)));
        Assert.That((q.ActivationMin, q.ActivationMax), Is.EqualTo((-32768, 32767)));
    }

    [Test]
    public void An_int16x8_transpose_conv_with_an_int32_bias_or_a_nonzero_output_zero_point_is_a_typed_error()
    {
        var e = Assert.Throws<KernelException>(() => TransposeConv(TensorType.Int32));
        Assert.That(e!.Message, Does.Contain("bias 'b'").And.Contain("TRANSPOSE_CONV needs an int64 bias"));
        e = Assert.Throws<KernelException>(() => TransposeConv(TensorType.Int64, outputZeroPoint: 7));
        Assert.That(e!.Message, Does.Contain("output").And.Contain("zero point 7"));
    }
}
