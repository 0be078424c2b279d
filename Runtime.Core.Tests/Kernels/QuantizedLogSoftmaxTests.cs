using Accel.Building;

namespace Accel.Tests.Kernels;

/// <summary>
/// LOG_SOFTMAX int8/uint8 through ModelBuilder → Interpreter (docs/numerics.md §LOG_SOFTMAX: TFLite's float exp table,
/// output scale 16/256, zero point 127 / 255) and its typed refusals. Agreement with TFLite: the conformance cases.
/// </summary>
public sealed class QuantizedLogSoftmaxTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static Interpreter Build(TensorType type, int[] shape, QuantizationParameters inputQ, QuantizationParameters outputQ)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", type, shape, inputQ);
        int y = b.AddTensor("output", type, shape, outputQ);
        b.AddOperator(BuiltinOperator.LogSoftmax, [x], [y], null, version: type == TensorType.Int8 ? 2 : 1);
        b.AddInput(x);
        b.AddOutput(y);
        var interpreter = new Interpreter(Model.FromBytes(b.Build()));
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Test]
    public void Int8_row_of_equal_logits_gives_log_of_one_over_the_row_length()
    {
        using var interpreter = Build(TensorType.Int8, [2, 4], Q(0.1f, 3), Q(16f / 256, 127));
        // Row 0: ln(1/4) = −1.386 → /0.0625 = −22.18 → −22 + 127 = 105. Row 1: one element 2.0 above three others:
        // ln(e^2 / (e^2 + 3)) = −0.34 → −5.4 → 122; the others 2.0 lower → −2.34 → −37.5 → −37 (half to even: −37.4…) → 90.
        interpreter.SetInput<sbyte>(0, [7, 7, 7, 7, 20, 0, 0, 0]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<sbyte>(0).ToArray(), Is.EqualTo(new sbyte[] { 105, 105, 105, 105, 122, 90, 90, 90 }));
    }

    [Test]
    public void Uint8_large_negative_logits_clamp_to_the_minimum_and_the_maximum_to_255()
    {
        using var interpreter = Build(TensorType.UInt8, [1, 3], Q(1f, 200), Q(16f / 256, 255));
        interpreter.SetInput<byte>(0, [255, 0, 250]);
        interpreter.Invoke();
        // ln(1 / (1 + e^-255 + e^-5)) = −0.0067 → −0.1 → 0 → 255; −255 → far below → 0; −5.0067 → −80.1 → −80 → 175.
        Assert.That(interpreter.Output<byte>(0).ToArray(), Is.EqualTo(new byte[] { 255, 0, 175 }));
    }

    [Test]
    public void Int8_huge_input_scale_saturates_instead_of_overflowing()
    {
        // s_in / s_out = +inf: the row's maximum gives inf − inf = NaN → the zero point; the rest −inf → −128.
        using var interpreter = Build(TensorType.Int8, [3], Q(3e38f, 0), Q(16f / 256, 127));
        interpreter.SetInput<sbyte>(0, [127, -128, -5]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<sbyte>(0).ToArray(), Is.EqualTo(new sbyte[] { 127, -128, -128 }));
    }

    [TestCase(TensorType.Int8, 1f / 256, 127L)]
    [TestCase(TensorType.Int8, 16f / 256, 0L)]
    [TestCase(TensorType.UInt8, 16f / 256, 127L)]
    [TestCase(TensorType.UInt8, 0.0625001f, 255L)]
    public void Quantized_log_softmax_refuses_output_parameters_TFLite_refuses(TensorType type, float scale, long zeroPoint)
    {
        var ex = Assert.Throws<KernelException>(() => Build(type, [1, 2], Q(0.1f, 0), Q(scale, zeroPoint)).Dispose());
        Assert.That(ex!.Message, Does.Contain("'output'").And.Contain("16/256"));
    }
}
