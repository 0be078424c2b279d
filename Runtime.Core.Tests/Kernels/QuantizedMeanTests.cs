using Accel.Building;

namespace Accel.Tests.Kernels;

/// <summary>
/// MEAN on int8 / uint8 (docs/numerics.md §MEAN): TFLite's reference QuantizedMeanOrSum — the exact sum less zp_in·n,
/// one multiplier s_in/s_out with 1/n folded into its mantissa, TFLite's double-rounding MultiplyByQuantizedMultiplier,
/// + zp_out, clamped — through ModelBuilder → Interpreter. int16 (int16x8) MEAN: Int16x8ActivationTests.
/// </summary>
public sealed class QuantizedMeanTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static byte[] Run(TensorType type, int[] shape, byte[] input, int axis, QuantizationParameters inputQ, QuantizationParameters outputQ)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("input", type, shape, inputQ);
        int a = b.AddConstant("axes", [1], new[] { axis });
        int[] outputShape = shape.Where((_, d) => d != axis).ToArray();
        int y = b.AddTensor("output", type, outputShape, outputQ);
        b.AddOperator(BuiltinOperator.Mean, [x, a], [y], new ReducerOptions(false), version: type == TensorType.Int8 ? 2 : 1);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        if (type == TensorType.Int8) interpreter.SetInput<sbyte>(0, input.Select(v => (sbyte)v).ToArray());
        else interpreter.SetInput<byte>(0, input);
        interpreter.Invoke();
        return type == TensorType.Int8 ? interpreter.Output<sbyte>(0).ToArray().Select(v => (byte)v).ToArray() : interpreter.Output<byte>(0).ToArray();
    }

    [Test]
    public void Int8_mean_with_equal_scales_rounds_twice_as_TFLite_reference_kernel_does()
    {
        // s_in = s_out, n = 4: multiplier 2^30 with shift 1, folded to 2^30 with shift −1, so each output is
        // RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(sum, 2^30), 1): two roundings of sum / 4.
        sbyte[] input =
        [
            1, 2, 1, 2,         // 6/4 = 1.5 → 2
            -1, -2, -1, -2,     // −1.5 → −2
            1, 1, 1, 2,         // 1.25 → 3/2 → 2 (the double rounding: a single rounding gives 1)
            -1, -1, -1, -2,     // −1.25 → −2/2 → −1
            1, 2, 2, 2,         // 1.75 → 2
            127, 127, 127, 127, // 127
        ];
        byte[] output = Run(TensorType.Int8, [6, 4], input.Select(v => (byte)v).ToArray(), 1, Q(0.1f, 0), Q(0.1f, 0));
        Assert.That(output.Select(v => (int)(sbyte)v), Is.EqualTo(new[] { 2, -2, 2, -1, 2, 127 }));
    }

    [Test]
    public void Uint8_mean_subtracts_the_input_zero_point_rescales_adds_the_output_zero_point_and_clamps()
    {
        // real = 0.5 (mean − 100); q_out = real / 0.125 + 0 = 4 (mean − 100): multiplier 0.5·2^3, with n = 2 folded to shift 2.
        byte[] input = [110, 112, /**/ 90, 91, /**/ 170, 180, /**/ 101, 102];
        byte[] output = Run(TensorType.UInt8, [4, 2], input, 1, Q(0.5f, 100), Q(0.125f, 0));
        // 4·11 = 44; 4·(−9.5) → clamped to 0; 4·75 → clamped to 255; 4·1.5 = 6.
        Assert.That(output, Is.EqualTo(new byte[] { 44, 0, 255, 6 }));
    }

    [Test]
    public void Int8_mean_stays_within_one_step_of_the_exactly_rounded_real_mean()
    {
        var random = new Random(5);
        int[] shape = [3, 37, 5];
        byte[] input = new byte[3 * 37 * 5];
        random.NextBytes(input);
        const float inScale = 0.037f, outScale = 0.0113f;
        const int inZero = -7, outZero = 11;
        byte[] output = Run(TensorType.Int8, shape, input, 1, Q(inScale, inZero), Q(outScale, outZero));
        for (int i = 0; i < 3; i++)
        for (int k = 0; k < 5; k++)
        {
            double sum = 0;
            for (int j = 0; j < 37; j++) sum += (sbyte)input[(i * 37 + j) * 5 + k] - inZero;
            double exact = Math.Clamp(Math.Round(sum / 37 * inScale / outScale) + outZero, -128, 127);
            Assert.That((sbyte)output[i * 5 + k], Is.InRange(exact - 1, exact + 1), $"output ({i}, {k})");
        }
    }

    [Test]
    public void An_int8_mean_without_quantization_parameters_is_a_typed_error_naming_the_tensor()
    {
        var e = Assert.Throws<KernelException>(() =>
            Run(TensorType.Int8, [2, 2], new byte[4], 1, null!, Q(0.1f, 0)));
        Assert.That(e!.Message, Does.Contain("input 'input'").And.Contain("no quantization parameters"));
    }
}
