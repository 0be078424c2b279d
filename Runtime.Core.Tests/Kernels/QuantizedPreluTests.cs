using Accel.Building;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// PRELU on int8 and uint8 (docs/numerics.md §Quantized execution, PRELU; TFLite's PreluPrepare and
/// reference_ops::BroadcastPrelu4DSlow / Prelu): checked against the integer formula written out here, for every input
/// byte, alpha broadcast or elementwise, zero points at both ends; and the refusals TFLite's Prepare implies.
/// </summary>
public sealed class QuantizedPreluTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>One PRELU node: x a graph input, alpha a constant (or a second input when <paramref name="alphaInput"/>).</summary>
    private static byte[] Run(TensorType type, int[] inputShape, byte[] input, QuantizationParameters inputQ, int[] alphaShape, byte[] alpha,
        QuantizationParameters alphaQ, QuantizationParameters outputQ, bool alphaInput = false)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, inputShape, inputQ);
        int a = alphaInput ? b.AddTensor("alpha", type, alphaShape, alphaQ) : b.AddConstant("alpha", type, alphaShape, alpha, alphaQ);
        int y = b.AddTensor("y", type, inputShape, outputQ);
        b.AddOperator(BuiltinOperator.Prelu, [x, a], [y]);
        b.AddInput(x);
        if (alphaInput) b.AddInput(a);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        input.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        if (alphaInput) alpha.CopyTo(interpreter.GetInputTensor(1).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    /// <summary>TFLite's loop body, written from its source: offsets, the two multipliers, + z_y, clamp.</summary>
    private static int Expected(bool signed, int v, int alphaValue, (float S, int Z) x, (float S, int Z) a, (float S, int Z) y)
    {
        var identity = Quantization.QuantizeMultiplier(x.S / y.S);
        var alphaM = Quantization.QuantizeMultiplier(x.S * a.S / y.S);
        int input = v - x.Z;
        int result = input >= 0
            ? Quantization.MultiplyByQuantizedMultiplier(input, identity)
            : Quantization.MultiplyByQuantizedMultiplier(input * (alphaValue - a.Z), alphaM);
        result += y.Z;
        return signed ? Math.Clamp(result, -128, 127) : Math.Clamp(result, 0, 255);
    }

    private static IEnumerable<TestCaseData> ZeroPointCases()
    {
        // (type, input zero point, alpha zero point, output zero point): the ends of each range and the middle.
        yield return new TestCaseData(TensorType.Int8, -128, 0, 127);
        yield return new TestCaseData(TensorType.Int8, 127, -128, -128);
        yield return new TestCaseData(TensorType.Int8, 0, 127, 0);
        yield return new TestCaseData(TensorType.Int8, -5, 3, -20);
        yield return new TestCaseData(TensorType.UInt8, 0, 255, 255);
        yield return new TestCaseData(TensorType.UInt8, 255, 0, 0);
        yield return new TestCaseData(TensorType.UInt8, 128, 128, 130);
    }

    [TestCaseSource(nameof(ZeroPointCases))]
    public void Every_input_byte_against_a_per_channel_alpha_is_TFLites_integer_formula(TensorType type, int zx, int za, int zy)
    {
        bool signed = type == TensorType.Int8;
        (float S, int Z) xq = (0.05f, zx), aq = (0.0123f, za), yq = (0.031f, zy);
        int channels = 3;
        int[] shape = [1, 256, 1, channels];
        var input = new byte[256 * channels];
        for (int i = 0; i < input.Length; i++) input[i] = (byte)(i / channels); // every byte value in every channel
        byte[] alpha = [0x00, 0x7F, 0x81];
        var output = Run(type, shape, input, Q(xq.S, xq.Z), [channels], alpha, Q(aq.S, aq.Z), Q(yq.S, yq.Z));
        for (int i = 0; i < input.Length; i++)
        {
            int v = signed ? (sbyte)input[i] : input[i];
            int av = signed ? (sbyte)alpha[i % channels] : alpha[i % channels];
            int actual = signed ? (sbyte)output[i] : output[i];
            Assert.That(actual, Is.EqualTo(Expected(signed, v, av, xq, aq, yq)), $"element {i}: v = {v}, alpha = {av}");
        }
    }

    [Test]
    public void An_alpha_of_the_inputs_shape_given_at_run_time_is_applied_elementwise()
    {
        (float S, int Z) xq = (0.1f, 3), aq = (0.01f, -7), yq = (0.02f, -1);
        var random = new Random(5);
        var input = new byte[2 * 3 * 7];
        var alpha = new byte[input.Length];
        random.NextBytes(input);
        random.NextBytes(alpha);
        var output = Run(TensorType.Int8, [2, 3, 7], input, Q(xq.S, xq.Z), [2, 3, 7], alpha, Q(aq.S, aq.Z), Q(yq.S, yq.Z), alphaInput: true);
        for (int i = 0; i < input.Length; i++)
            Assert.That((sbyte)output[i], Is.EqualTo(Expected(true, (sbyte)input[i], (sbyte)alpha[i], xq, aq, yq)), $"element {i}");
    }

    [Test]
    public void Equal_scales_and_an_alpha_of_one_half_halve_the_negative_side_rounding_halves_away_from_zero()
    {
        // s_x = s_y: identity exact; alpha = 64 · (1/128) = 0.5, s_x · s_α / s_y = 1/128: y = MBQM(x · 64, 2^−7) = x / 2 with
        // RoundingDivideByPOT's halves away from zero (−127 → −64).
        var input = new byte[256];
        for (int v = 0; v < 256; v++) input[v] = (byte)v;
        var output = Run(TensorType.Int8, [256], input, Q(0.25f, 0), [1], [64], Q(1f / 128, 0), Q(0.25f, 0));
        for (int v = -128; v <= 127; v++)
        {
            int expected = v >= 0 ? v : (int)Math.Round(v / 2.0, MidpointRounding.AwayFromZero);
            Assert.That((sbyte)output[(byte)v], Is.EqualTo(expected), $"x = {v}");
        }
    }

    [Test]
    public void A_rank_5_alpha_of_the_inputs_shape_needs_no_broadcast()
    {
        int[] shape = [2, 1, 2, 1, 3];
        var input = Enumerable.Range(0, 12).Select(i => (byte)(i * 23)).ToArray();
        var alpha = Enumerable.Range(0, 12).Select(i => (byte)(i * 41)).ToArray();
        (float S, int Z) xq = (0.07f, 100), aq = (0.02f, 120), yq = (0.05f, 90);
        var output = Run(TensorType.UInt8, shape, input, Q(xq.S, xq.Z), shape, alpha, Q(aq.S, aq.Z), Q(yq.S, yq.Z));
        for (int i = 0; i < 12; i++) Assert.That((int)output[i], Is.EqualTo(Expected(false, input[i], alpha[i], xq, aq, yq)), $"element {i}");
    }

    [Test]
    public void An_alpha_quantized_per_channel_is_a_typed_error_naming_alpha()
    {
        var perChannel = new QuantizationParameters([0.1f, 0.2f, 0.3f], [0, 0, 0], 0, [], []);
        var e = Assert.Throws<KernelException>(() => Run(TensorType.Int8, [1, 2, 3], new byte[6], Q(0.1f, 0), [3], new byte[3], perChannel, Q(0.1f, 0)));
        Assert.That(e!.Message, Does.Contain("PRELU").And.Contain("alpha 'alpha'").And.Contain("per tensor"));
    }

    [Test]
    public void A_quantized_input_without_quantization_parameters_is_a_typed_error()
    {
        var e = Assert.Throws<KernelException>(() => Run(TensorType.UInt8, [4], new byte[4], null!, [1], [1], Q(0.1f, 0), Q(0.1f, 0)));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("no quantization parameters"));
    }

    [Test]
    public void An_alpha_multiplier_that_overflows_a_quantized_multiplier_is_a_typed_error()
    {
        // s_x · s_α / s_y = 1e10 · 1 / 1e−3: beyond 2^31.
        var e = Assert.Throws<KernelException>(() => Run(TensorType.Int8, [4], new byte[4], Q(1e10f, 0), [1], [1], Q(1f, 0), Q(1e-3f, 0)));
        Assert.That(e!.Message, Does.Contain("multiplier"));
    }

    [Test]
    public void An_alpha_of_another_quantized_dtype_is_refused()
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Int8, [4], Q(0.1f, 0));
        int a = b.AddConstant("alpha", TensorType.UInt8, [1], [1], Q(0.1f, 0));
        int y = b.AddTensor("y", TensorType.Int8, [4], Q(0.1f, 0));
        b.AddOperator(BuiltinOperator.Prelu, [x, a], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        var e = Assert.Throws<KernelException>(() => interpreter.AllocateTensors());
        Assert.That(e!.Message, Does.Contain("PRELU").And.Contain("uint8"));
    }
}
