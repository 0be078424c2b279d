using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// Quantized CONCATENATION's Prepare (docs/numerics.md §Quantized execution): uint8 inputs quantized differently from
/// the output get TFLite's ConcatenationWithScaling rescale, int8 inputs must share the output's quantization.
/// </summary>
public sealed class QuantizedConcatenationTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static ConcatenationParams Prepare(TensorType type, QuantizationParameters output, params QuantizationParameters[] inputs)
    {
        var specs = inputs.Select((q, i) => (OpTensorSpec?)(OpTensorSpec.Activation(type, [2, 3], q) with { Name = $"in{i}" })).ToArray();
        return (ConcatenationParams)OpShapeInference.Infer(BuiltinOperator.Concatenation, 1, new ConcatenationOptions(1, ActivationFunctionType.None),
            default, specs, [type], [output]).Params;
    }

    [Test]
    public void Uint8_inputs_quantized_as_the_output_are_copied_and_others_rescaled_in_binary32()
    {
        var p = Prepare(TensorType.UInt8, Q(0.5f, 100), Q(0.5f, 100), Q(0.25f, 10));
        Assert.That(p.OutputZeroPoint, Is.EqualTo(100));
        Assert.That(p.Rescale[0].Copy, Is.True);
        Assert.That(p.Rescale[1].Copy, Is.False);
        float scale = 0.25f * (1f / 0.5f);
        Assert.That(p.Rescale[1].Scale, Is.EqualTo(scale));
        Assert.That(p.Rescale[1].Bias, Is.EqualTo(-10 * scale));
    }

    [Test]
    public void Uint8_inputs_all_quantized_as_the_output_are_a_plain_byte_move()
    {
        var p = Prepare(TensorType.UInt8, Q(0.5f, 100), Q(0.5f, 100), Q(0.5f, 100));
        Assert.That(p.Rescale.IsEmpty, Is.True);
    }

    [Test]
    public void Int8_inputs_quantized_differently_from_the_output_are_refused_naming_the_input()
    {
        var e = Assert.Throws<KernelException>(() => Prepare(TensorType.Int8, Q(0.5f, 0), Q(0.5f, 0), Q(0.25f, 0)));
        Assert.That(e!.Message, Does.Contain("input 1 'in1'").And.Contain("must share the output's scale and zero point"));
    }

    [Test]
    public void A_uint8_input_without_quantization_beside_a_quantized_output_is_a_typed_error()
    {
        var e = Assert.Throws<KernelException>(() => Prepare(TensorType.UInt8, Q(0.5f, 100), Q(0.5f, 100), null!));
        Assert.That(e!.Message, Does.Contain("input 1 'in1'").And.Contain("no quantization parameters"));
    }
}
