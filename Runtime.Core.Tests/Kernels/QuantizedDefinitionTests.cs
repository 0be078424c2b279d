using System.Runtime.InteropServices;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// The integer paths' Prepare (docs/numerics.md §Quantized execution): quantization parameters validated with a typed
/// error naming the tensor, multipliers computed once in the params as TFLite's Prepare computes them.
/// </summary>
public sealed class QuantizedDefinitionTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static OpShapeInferenceResult FullyConnected(QuantizationParameters input, QuantizationParameters weights,
        QuantizationParameters? bias, QuantizationParameters output, int units = 3, int depth = 4)
    {
        var x = OpTensorSpec.Activation(TensorType.Int8, [2, depth], input) with { Name = "x" };
        var w = OpTensorSpec.Constant(TensorType.Int8, [units, depth], new byte[units * depth], weights) with { Name = "w" };
        var b = bias is null ? null
            : OpTensorSpec.Constant(TensorType.Int32, [units], MemoryMarshal.AsBytes(new int[units].AsSpan()).ToArray(), bias) with { Name = "b" };
        return OpShapeInference.Infer(BuiltinOperator.FullyConnected, 4, new FullyConnectedOptions(ActivationFunctionType.None),
            default, [x, w, b], [TensorType.Int8], [output]);
    }

    [Test]
    public void Per_channel_fully_connected_gets_one_multiplier_per_unit_from_input_times_weight_over_output_scale()
    {
        var weights = new QuantizationParameters([0.5f, 0.25f, 0.125f], [0, 0, 0], 0, [], []);
        var result = FullyConnected(Q(0.1f, -3), weights, null, Q(0.2f, 5));
        var q = ((FullyConnectedParams)result.Params).Quantized!;
        Assert.That(result.OutputShape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(q.InputOffset, Is.EqualTo(3));
        Assert.That(q.OutputOffset, Is.EqualTo(5));
        float[] scales = [0.5f, 0.25f, 0.125f];
        for (int c = 0; c < 3; c++)
            Assert.That(q.Multipliers[c], Is.EqualTo(Quantization.QuantizeMultiplier((double)0.1f * scales[c] / 0.2f)), $"unit {c}");
        Assert.That((q.ActivationMin, q.ActivationMax), Is.EqualTo((-128, 127)));
    }

    [TestCase(0f)]
    [TestCase(-0.5f)]
    [TestCase(float.NaN)]
    public void A_scale_that_is_not_positive_and_finite_is_a_typed_error_naming_the_tensor(float scale)
    {
        var e = Assert.Throws<KernelException>(() => FullyConnected(Q(0.1f, 0), Q(0.5f, 0), null, Q(scale, 0)));
        Assert.That(e!.Message, Does.Contain("output 'output'").And.Contain("scale"));
    }

    [Test]
    public void A_zero_point_outside_the_dtype_is_a_typed_error_naming_the_tensor()
    {
        var e = Assert.Throws<KernelException>(() => FullyConnected(Q(0.1f, 200), Q(0.5f, 0), null, Q(0.2f, 0)));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("zero point 200"));
    }

    [Test]
    public void Per_channel_scales_must_match_the_output_channels()
    {
        var weights = new QuantizationParameters([0.5f, 0.25f], [0, 0], 0, [], []);
        var e = Assert.Throws<KernelException>(() => FullyConnected(Q(0.1f, 0), weights, null, Q(0.2f, 0)));
        Assert.That(e!.Message, Does.Contain("weights 'w'").And.Contain("2 per-channel scales for 3 output channels"));
    }

    [Test]
    public void Int8_weights_must_be_symmetric()
    {
        var e = Assert.Throws<KernelException>(() => FullyConnected(Q(0.1f, 0), Q(0.5f, 3), null, Q(0.2f, 0)));
        Assert.That(e!.Message, Does.Contain("weights 'w'").And.Contain("symmetric"));
    }

    [Test]
    public void A_per_tensor_bias_scale_must_equal_input_times_weight_scale_within_TFLites_tolerance()
    {
        Assert.DoesNotThrow(() => FullyConnected(Q(0.1f, 0), Q(0.5f, 0), Q((float)(0.1f * 0.5), 0), Q(0.2f, 0)));
        var e = Assert.Throws<KernelException>(() => FullyConnected(Q(0.1f, 0), Q(0.5f, 0), Q(0.051f, 0), Q(0.2f, 0)));
        Assert.That(e!.Message, Does.Contain("bias 'b'").And.Contain("input scale × weight scale"));
    }

    [Test]
    public void Add_takes_twice_the_larger_input_scale_and_a_left_shift_of_20()
    {
        var a = OpTensorSpec.Activation(TensorType.Int8, [4], Q(0.05f, -3));
        var b = OpTensorSpec.Activation(TensorType.Int8, [4], Q(0.02f, 7));
        var result = OpShapeInference.Infer(BuiltinOperator.Add, 2, new AddOptions(ActivationFunctionType.Relu), default, [a, b],
            [TensorType.Int8], [Q(0.1f, -10)]);
        var q = ((BinaryArithmeticParams)result.Params).QuantizedAdd!;
        double twiceMax = 2 * 0.05f;
        Assert.That(q.LeftShift, Is.EqualTo(20));
        Assert.That(q.Input1Multiplier, Is.EqualTo(Quantization.QuantizeMultiplier(0.05f / twiceMax)));
        Assert.That(q.Input2Multiplier, Is.EqualTo(Quantization.QuantizeMultiplier(0.02f / twiceMax)));
        Assert.That(q.OutputMultiplier, Is.EqualTo(Quantization.QuantizeMultiplier(twiceMax / ((1 << 20) * (double)0.1f))));
        Assert.That((q.Input1Offset, q.Input2Offset, q.OutputOffset), Is.EqualTo((3, -7, -10)));
        Assert.That((q.ActivationMin, q.ActivationMax), Is.EqualTo((-10, 127)));   // RELU: max(−128, Q(0) = −10)
    }

    [Test]
    public void Quantize_refuses_a_type_pair_TFLite_does_not_run()
    {
        var x = OpTensorSpec.Activation(TensorType.UInt8, [4], Q(0.05f, 3)) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() =>
            OpShapeInference.Infer(BuiltinOperator.Quantize, 1, null, default, [x], [TensorType.Int16], [Q(0.1f, 0)]));
        Assert.That(e!.Message, Does.Contain("uint8").And.Contain("int16"));
    }
}
