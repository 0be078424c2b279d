using Accel.Building;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// The tabulated 8-bit activations (TANH, ELU, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU; docs/numerics.md §Quantized
/// execution): each node's table, built at AllocateTensors, is TFLite's integer formula for every input byte; and
/// MAXIMUM / MINIMUM on int8 / uint8 compare the stored integers.
/// </summary>
public sealed class QuantizedActivationTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static byte[] Table(BuiltinOperator op, TensorType type, QuantizationParameters input, QuantizationParameters output,
        OperatorOptions? options = null)
    {
        var x = OpTensorSpec.Activation(type, [4], input) with { Name = "x" };
        var p = OpShapeInference.Infer(op, 1, options, default, [x], [type], [output]).Params;
        var table = p is LeakyReluParams leaky ? leaky.QuantizedTable : ((ElementwiseParams)p).QuantizedTable;
        return table.ToArray();
    }

    [Test]
    public void Relu6_int8_rescales_exactly_by_a_ratio_of_two_and_clamps_at_the_quantized_zero_and_six()
    {
        // s_in / s_out = 2 exactly: y = z_out + 2 (v − z_in), clamped to [z_out, z_out + round(6 / 0.05) = z_out + 120].
        var table = Table(BuiltinOperator.Relu6, TensorType.Int8, Q(0.1f, -10), Q(0.05f, -100));
        for (int v = -128; v <= 127; v++)
        {
            int expected = Math.Clamp(-100 + 2 * (v + 10), -100, 20);
            Assert.That((sbyte)table[(byte)v], Is.EqualTo(expected), $"v = {v}");
        }
    }

    [Test]
    public void Relu_uint8_keeps_the_type_maximum_as_its_upper_bound()
    {
        var table = Table(BuiltinOperator.Relu, TensorType.UInt8, Q(0.1f, 128), Q(0.1f, 128));
        for (int v = 0; v <= 255; v++) Assert.That(table[v], Is.EqualTo(Math.Max(v, 128)), $"v = {v}");
    }

    [Test]
    public void Relu_n1_to_1_clamps_at_the_quantized_minus_one_and_one()
    {
        // 1 / 0.01 = 100 steps either side of the zero point 20; the lower bound −80 is inside int8, the upper 120 too.
        var table = Table(BuiltinOperator.ReluN1To1, TensorType.Int8, Q(0.01f, 20), Q(0.01f, 20));
        for (int v = -128; v <= 127; v++) Assert.That((sbyte)table[(byte)v], Is.EqualTo(Math.Clamp(v, -80, 120)), $"v = {v}");
    }

    [Test]
    public void Leaky_relu_with_a_negative_alpha_uses_a_negative_mantissa_as_TFLite_does()
    {
        // Equal scales: x ≥ 0 → x; x < 0 → MBQM(x, −0.5) = round(−x / 2) with halves up (SaturatingRoundingDoublingHighMul).
        var table = Table(BuiltinOperator.LeakyRelu, TensorType.Int8, Q(0.1f, 0), Q(0.1f, 0), new LeakyReluOptions(-0.5f));
        for (int x = -128; x <= 127; x++)
        {
            int expected = x >= 0 ? x : (-x + 1) / 2;
            Assert.That((sbyte)table[(byte)x], Is.EqualTo(expected), $"x = {x}");
        }
    }

    [Test]
    public void Leaky_relu_multiplies_the_negative_side_by_alpha_in_the_output_scale()
    {
        // s_in · alpha / s_out = 0.25 exactly, identity 1: y = x ≥ 0 ? x : MBQM(x, 0.25); with z = 5 both sides.
        var table = Table(BuiltinOperator.LeakyRelu, TensorType.Int8, Q(0.5f, 5), Q(0.5f, 5), new LeakyReluOptions(0.25f));
        for (int v = -128; v <= 127; v++)
        {
            int x = v - 5;
            int expected = 5 + (x >= 0 ? x : Quantization.MultiplyByQuantizedMultiplier(x, Quantization.QuantizeMultiplier(0.25)));
            Assert.That((sbyte)table[(byte)v], Is.EqualTo(Math.Clamp(expected, -128, 127)), $"v = {v}");
        }
        Assert.That((sbyte)table[0x80], Is.EqualTo(5 - 33), "x = −133: −133 / 4 = −33.25 → −33");
    }

    [Test]
    public void Elu_int8_is_TFLites_exp_minus_one_below_zero_and_the_identity_above()
    {
        // Output scale = input scale and zero point 0: positive inputs map to themselves; −1 · 0.25 → e^−0.25 − 1 = −0.2212 → −0.88 → −1.
        var table = Table(BuiltinOperator.Elu, TensorType.Int8, Q(0.25f, 0), Q(0.25f, 0));
        for (int v = 0; v <= 127; v++) Assert.That((sbyte)table[v], Is.EqualTo(v), $"v = {v}");
        Assert.That((sbyte)table[0xFF], Is.EqualTo(-1));
        Assert.That((sbyte)table[0x80], Is.EqualTo(-4), "e^−32 − 1 = −1 → −4 steps of 0.25");
    }

    [Test]
    public void Elu_on_uint8_is_refused_as_TFLite_tabulates_int8_only()
    {
        var x = OpTensorSpec.Activation(TensorType.UInt8, [4], Q(0.1f, 128)) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Elu, 1, null, default, [x], [TensorType.UInt8], [Q(0.1f, 128)]));
        Assert.That(e!.Message, Does.Contain("'x'").And.Contain("uint8").And.Contain("float32 and int8"));
    }

    [Test]
    public void Tanh_int8_without_quantization_parameters_is_a_typed_error_naming_the_input()
    {
        var x = OpTensorSpec.Activation(TensorType.Int8, [4]) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Tanh, 2, null, default, [x], [TensorType.Int8], [Q(1f / 128, 0)]));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("no quantization parameters"));
    }

    [Test]
    public void Tanh_int8_table_saturates_at_the_output_range()
    {
        // Output 1/128, zero point 0: tanh(±large) = ±1 → ±128, clamped to [−128, 127].
        var table = Table(BuiltinOperator.Tanh, TensorType.Int8, Q(0.5f, 0), Q(1f / 128, 0));
        Assert.That((sbyte)table[127], Is.EqualTo(127));
        Assert.That((sbyte)table[0x80], Is.EqualTo(-128));
        Assert.That((sbyte)table[0], Is.EqualTo(0));
    }

    [Test]
    public void Maximum_and_minimum_compare_int8_and_uint8_as_stored_integers()
    {
        using var h = new ElementwiseTestHarness();
        int a = h.Input<sbyte>([4], [-128, 5, 127, -1], TensorType.Int8);
        int b = h.Input<sbyte>([4], [-127, 5, -128, -2], TensorType.Int8);
        Assert.That(h.Run(new MaximumKernel(), "MAXIMUM", null, a, b).Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { -127, 5, 127, -1 }));
        Assert.That(h.Run(new MinimumKernel(), "MINIMUM", null, a, b).Read<sbyte>().ToArray(), Is.EqualTo(new sbyte[] { -128, 5, -128, -2 }));
        int c = h.Input<byte>([3], [0, 200, 255], TensorType.UInt8);
        int d = h.Input<byte>([1], [128], TensorType.UInt8);
        Assert.That(h.Run(new MaximumKernel(), "MAXIMUM", null, c, d).Read<byte>().ToArray(), Is.EqualTo(new byte[] { 128, 200, 255 }));
    }

    private static sbyte[] SoftmaxInt8(sbyte[] row, float inputScale, float beta, QuantizationParameters output)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Int8, [1, row.Length], Q(inputScale, 0));
        int y = b.AddTensor("y", TensorType.Int8, [1, row.Length], output);
        b.AddOperator(BuiltinOperator.Softmax, [x], [y], new SoftmaxOptions(beta), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<sbyte>(0, row);
        interpreter.Invoke();
        return interpreter.Output<sbyte>(0).ToArray();
    }

    [Test]
    public void Softmax_int8_of_equal_inputs_gives_each_a_share_of_256_steps_above_minus_128()
    {
        // Every table entry is Exp(0) = 1: sum = 4, r = 1 / (4 / 256) = 64, y = round(64) − 128 = −64.
        Assert.That(SoftmaxInt8([7, 7, 7, 7], 0.1f, 1f, Q(1f / 256, -128)), Is.EqualTo(new sbyte[] { -64, -64, -64, -64 }));
    }

    [Test]
    public void Softmax_int8_follows_the_exp_table_of_the_distance_to_the_row_maximum()
    {
        // x = [0, −10] at scale 0.1, beta 1: entries 1 and Exp(−1); y = round(e / (sum / 256)) − 128, clamped to 127.
        float e = SpecMath.Exp(-0.1f * 10);
        float r = 1f / ((1f + e) * (1f / 256));
        int first = Math.Min(127, (int)MathF.Round(1f * r, MidpointRounding.AwayFromZero) - 128);
        int second = (int)MathF.Round(e * r, MidpointRounding.AwayFromZero) - 128;
        Assert.That(SoftmaxInt8([0, -10], 0.1f, 1f, Q(1f / 256, -128)), Is.EqualTo(new[] { (sbyte)first, (sbyte)second }));
        Assert.That((first, second), Is.EqualTo((59, -59)), "1/(1 + e^-1) = 0.731 → 187 steps; 0.269 → 69 steps");
    }

    [Test]
    public void Softmax_int8_refuses_an_output_not_quantized_at_1_over_256_with_zero_point_minus_128()
    {
        var e = Assert.Throws<KernelException>(() => SoftmaxInt8([1, 2], 0.1f, 1f, Q(1f / 256, -127)));
        Assert.That(e!.Message, Does.Contain("output 'y'").And.Contain("zero point -128"));
        e = Assert.Throws<KernelException>(() => SoftmaxInt8([1, 2], 0.1f, 1f, Q(1f / 255, -128)));
        Assert.That(e!.Message, Does.Contain("scale 1/256"));
    }
}
