using System.Runtime.InteropServices;
using Accel.Building;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// int16x8 LOGISTIC, TANH, SOFTMAX and MEAN (docs/numerics.md §Quantized execution, int16x8): Prepare's parameters and
/// refusals, the tables built from SpecMath, and the kernels on values worked out by hand.
/// </summary>
public sealed class Int16x8ActivationTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint = 0) => new([scale], [zeroPoint], 0, [], []);

    private static short[] Run(BuiltinOperator op, OperatorOptions? options, int[] shape, float inputScale, QuantizationParameters output,
        short[] values, int[]? axes = null, int[]? outputShape = null)
    {
        using var model = Model.FromBytes(Build(op, options, shape, inputScale, output, axes, outputShape));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<short>(0, values);
        interpreter.Invoke();
        return interpreter.Output<short>(0).ToArray();
    }

    private static byte[] Build(BuiltinOperator op, OperatorOptions? options, int[] shape, float inputScale, QuantizationParameters output,
        int[]? axes = null, int[]? outputShape = null)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Int16, shape, Q(inputScale));
        int y = b.AddTensor("y", TensorType.Int16, outputShape ?? shape, output);
        int[] inputs = [x];
        if (axes is not null)
            inputs = [x, b.AddConstant("axes", TensorType.Int32, [axes.Length], MemoryMarshal.AsBytes(axes.AsSpan()).ToArray())];
        b.AddOperator(op, inputs, [y], options, version: 3);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static OpShapeInferenceResult Prepare(BuiltinOperator op, OperatorOptions? options, float inputScale, QuantizationParameters output,
        int[]? shape = null)
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, shape ?? [2, 8], Q(inputScale)) with { Name = "x" };
        return OpShapeInference.Infer(op, 3, options, default, [x], [TensorType.Int16], [output]);
    }

    private static readonly QuantizationParameters Q15 = Q(1f / 32768);

    [Test]
    public void Logistic_rescales_the_input_to_3_times_2_to_the_12_steps_per_unit_doubling_past_half_of_32767()
    {
        var q = ((ElementwiseParams)Prepare(BuiltinOperator.Logistic, null, 0.001f, Q15).Params).Int16Sigmoid!;
        // 0.001 · 4096 · 3 = 12.288, doubled 11 times to 25165.8 (> 16383.5), truncated.
        Assert.That((q.InputMultiplier, q.InputLeftShift), Is.EqualTo((25165, 11)));
        Assert.That(q.Table, Has.Length.EqualTo(256));
    }

    [Test]
    public void Logistic_gives_one_half_at_zero_and_saturates_at_both_ends()
    {
        short[] y = Run(BuiltinOperator.Logistic, null, [4], 0.001f, Q15, [0, 32767, -32768, 1000]);
        Assert.That(y[0], Is.EqualTo(16384));
        Assert.That(y[1], Is.EqualTo(32767));
        Assert.That(y[2], Is.EqualTo(1));
        // sigmoid(1) = 0.7311 → about 23955 of 32768.
        Assert.That(y[3], Is.InRange(23950, 23960));
    }

    [Test]
    public void Tanh_gives_zero_at_zero_is_odd_and_saturates_at_plus_minus_32767()
    {
        short[] y = Run(BuiltinOperator.Tanh, null, [5], 0.001f, Q15, [0, 32767, -32768, 500, -500]);
        Assert.That(y[0], Is.EqualTo(0));
        Assert.That(y[1], Is.EqualTo(32767));
        Assert.That(y[2], Is.EqualTo(-32767));
        // tanh(0.5) = 0.4621 → about 15144 of 32768; the negative side rounds the mirrored value down.
        Assert.That(y[3], Is.InRange(15140, 15150));
        Assert.That(y[4], Is.InRange(-y[3] - 1, -y[3]));
    }

    [TestCase(BuiltinOperator.Logistic, 1f / 4096, 0)]
    [TestCase(BuiltinOperator.Logistic, 0.000244f, 0)]   // within CheckedLog2's 1e-3 of log2 = −12
    [TestCase(BuiltinOperator.Tanh, 1f / 4096, 0)]
    [TestCase(BuiltinOperator.Tanh, 1f / 2048, 1)]
    public void A_power_of_two_input_scale_takes_TFLites_gemmlowp_fixed_point_path(BuiltinOperator op, float scale, int leftShift)
    {
        var q = ((ElementwiseParams)Prepare(op, null, scale, Q15).Params).Int16Sigmoid!;
        Assert.That(q.FixedPoint, Is.True);
        Assert.That(q.InputLeftShift, Is.EqualTo(leftShift));
    }

    [Test]
    public void Logistic_at_2_to_the_minus_11_keeps_the_table_as_TFLite_does()
    {
        // TFLite's SigmoidPrepare takes the fixed-point path only for a left shift of 0; TANH's also for 1.
        var q = ((ElementwiseParams)Prepare(BuiltinOperator.Logistic, null, 1f / 2048, Q15).Params).Int16Sigmoid!;
        Assert.That(q.FixedPoint, Is.False);
    }

    [Test]
    public void Fixed_point_logistic_gives_one_half_at_zero_and_gemmlowps_values_at_the_ends()
    {
        // Q3.12 input: 4096 is 1.0, 32767 is just under 8. sigmoid(1) = 0.731059 → 23955.2 of 32768; sigmoid(8) =
        // 0.999665 → 32756 (gemmlowp's 16-bit result, one below the 32757 of exact rounding, as the oracle gives).
        short[] y = Run(BuiltinOperator.Logistic, null, [6], 1f / 4096, Q15, [0, 4096, -4096, 32767, -32767, -32768]);
        Assert.That(y[0], Is.EqualTo(16384));
        Assert.That(y[1], Is.InRange(23955 - 8, 23955 + 8), "gemmlowp's 16-bit form is within a few units");
        Assert.That(y[1] + y[2], Is.InRange(32766, 32768), "logistic(−x) = 1 − logistic(x) up to rounding");
        Assert.That(y[3], Is.EqualTo(32756));
        Assert.That(y[4], Is.EqualTo(11));
        Assert.That(y[5], Is.EqualTo(11), "−32768 negates to itself in int16 and reads as −8, as in gemmlowp");
    }

    [Test]
    public void Fixed_point_tanh_is_odd_and_at_2_to_the_minus_11_doubles_the_input_saturating()
    {
        short[] at12 = Run(BuiltinOperator.Tanh, null, [5], 1f / 4096, Q15, [0, 2048, -2048, 32767, -32768]);
        Assert.That(at12[0], Is.EqualTo(0));
        // tanh(0.5) = 0.462117 → 15142.6 of 32768.
        Assert.That(at12[1], Is.InRange(15143 - 8, 15143 + 8));
        Assert.That(at12[2], Is.EqualTo(-at12[1]));
        Assert.That(at12[3], Is.EqualTo(32767));
        // At 2^-11 the raw value is doubled first: 1024 reads as 2048 (0.5), and 16384 and beyond saturate to 32767.
        short[] at11 = Run(BuiltinOperator.Tanh, null, [4], 1f / 2048, Q15, [1024, -1024, 16384, -16384]);
        Assert.That(at11[0], Is.EqualTo(at12[1]));
        Assert.That(at11[1], Is.EqualTo(at12[2]));
        Assert.That(at11[2], Is.EqualTo(at12[3]));
        Assert.That(at11[3], Is.EqualTo(-32767).Or.EqualTo(-32768));
    }

    [Test]
    public void Tabulate_gives_the_kernels_output_for_every_input_indexed_by_its_bits()
    {
        var q = ((ElementwiseParams)Prepare(BuiltinOperator.Tanh, null, 1f / 2048, Q15).Params).Int16Sigmoid!;
        short[] table = q.Tabulate(BuiltinOperator.Tanh);
        short[] y = Run(BuiltinOperator.Tanh, null, [4], 1f / 2048, Q15, [0, 1024, -1024, short.MinValue]);
        Assert.That(new[] { table[0], table[1024], table[65536 - 1024], table[0x8000] }, Is.EqualTo(y));
        Assert.Throws<ArgumentException>(() => q.Tabulate(BuiltinOperator.Add));
    }

    [Test]
    public void Fixed_point_primitives_round_as_gemmlowps_16_bit_forms()
    {
        // Rounding doubling high multiply: halves up (0.5 → 1, −0.5 → 0), −1 · −1 saturates.
        Assert.That(FixedPoint16.Mul(16384, 1), Is.EqualTo(1));
        Assert.That(FixedPoint16.Mul(-16384, 1), Is.EqualTo(0));
        Assert.That(FixedPoint16.Mul(short.MinValue, short.MinValue), Is.EqualTo(short.MaxValue));
        // Rounding divide by 2^k: halves away from zero.
        Assert.That(FixedPoint16.RoundingDivideByPowerOfTwo(6, 2), Is.EqualTo(2));
        Assert.That(FixedPoint16.RoundingDivideByPowerOfTwo(-6, 2), Is.EqualTo(-2));
        Assert.That(FixedPoint16.RoundingDivideByPowerOfTwo(-5, 2), Is.EqualTo(-1));
        // Saturating left shift.
        Assert.That(FixedPoint16.SaturatingShiftLeft(16383, 1), Is.EqualTo(32766));
        Assert.That(FixedPoint16.SaturatingShiftLeft(16384, 1), Is.EqualTo(short.MaxValue));
        Assert.That(FixedPoint16.SaturatingShiftLeft(-16384, 1), Is.EqualTo(short.MinValue));
    }

    [Test]
    public void Fixed_point_logistic_and_tanh_stay_within_a_few_units_of_the_exact_functions_over_every_input()
    {
        // A property check over all 65,536 inputs (the oracle's sweep cases pin the exact integers): gemmlowp's 16-bit
        // forms are accurate to a few units of 2^-15.
        int worstLogistic = 0, worstTanh = 0;
        for (int raw = short.MinValue; raw <= short.MaxValue; raw++)
        {
            double x = raw / 4096.0;
            worstLogistic = Math.Max(worstLogistic, (int)Math.Abs(FixedPoint16.Logistic((short)raw) - 32768 / (1 + Math.Exp(-x))));
            worstTanh = Math.Max(worstTanh, (int)Math.Abs(FixedPoint16.Tanh((short)raw) - 32768 * Math.Tanh(x)));
        }
        Assert.That(worstLogistic, Is.LessThanOrEqualTo(16));
        Assert.That(worstTanh, Is.LessThanOrEqualTo(16));
    }

    [Test]
    public void Other_power_of_two_input_scales_take_the_general_rescale()
    {
        // 2^-13 and 2^-10 are powers of two outside TFLite's fixed-point shifts: the reference table path.
        Assert.That(((ElementwiseParams)Prepare(BuiltinOperator.Logistic, null, 1f / 8192, Q15).Params).Int16Sigmoid, Is.Not.Null);
        Assert.That(((ElementwiseParams)Prepare(BuiltinOperator.Tanh, null, 1f / 1024, Q15).Params).Int16Sigmoid, Is.Not.Null);
    }

    [TestCase(BuiltinOperator.Logistic)]
    [TestCase(BuiltinOperator.Tanh)]
    public void An_output_scale_other_than_2_to_the_minus_15_is_a_typed_error_naming_the_output(BuiltinOperator op)
    {
        var e = Assert.Throws<KernelException>(() => Prepare(op, null, 0.001f, Q(1f / 256)));
        Assert.That(e!.Message, Does.Contain("output").And.Contain("scale"));
    }

    [TestCase(BuiltinOperator.Logistic)]
    [TestCase(BuiltinOperator.Tanh)]
    [TestCase(BuiltinOperator.Softmax)]
    public void An_output_zero_point_other_than_0_is_a_typed_error(BuiltinOperator op)
    {
        OperatorOptions? options = op == BuiltinOperator.Softmax ? new SoftmaxOptions(1f) : null;
        var e = Assert.Throws<KernelException>(() => Prepare(op, options, 0.001f, Q(1f / 32768, 5)));
        Assert.That(e!.Message, Does.Contain("zero point 5"));
    }

    [Test]
    public void An_input_scale_whose_rescale_overflows_int32_is_refused()
    {
        var e = Assert.Throws<KernelException>(() => Prepare(BuiltinOperator.Tanh, null, 10f, Q15));
        Assert.That(e!.Message, Does.Contain("input 'x'").And.Contain("overflows"));
    }

    [Test]
    public void The_sigmoid_table_has_no_entry_near_a_rounding_tie_so_any_faithful_binary64_exp_gives_it()
    {
        var table = Int16x8.SigmoidTable();
        Assert.That(table, Is.EqualTo(Int16x8.SigmoidTable(Math.Exp)));
        Assert.That(table[0], Is.EqualTo(32768));
        Assert.That(table[255], Is.EqualTo(65535));
        for (int i = 0; i < 255; i++)
        {
            double value = Int16x8.SigmoidTableValue(i, Math.Exp);
            Assert.That(Math.Abs(value - Math.Floor(value) - 0.5), Is.GreaterThan(1e-6), $"entry {i} is near a tie");
            if (i > 0) Assert.That(table[i], Is.GreaterThanOrEqualTo(table[i - 1]), $"entry {i}");
        }
    }

    [Test]
    public void Softmax_tables_match_those_built_with_the_platform_exp_and_end_at_exp_0_and_one_half()
    {
        var p = ((SoftmaxParams)Prepare(BuiltinOperator.Softmax, new SoftmaxOptions(1f), 0.001f, Q15).Params).Int16!;
        var platformExp = Int16x8.Int16Table(10.0 / 65535, 32767, 2.0 / 65535, 0, Math.Exp);
        Assert.That(p.ExpTable, Is.EqualTo(platformExp));
        Assert.That(p.ExpTable, Has.Length.EqualTo(513));
        Assert.That(p.ExpTable[512], Is.EqualTo(32767));                 // e^0 · 32767.5, clamped
        Assert.That(p.OneOverOnePlusXTable[0], Is.EqualTo(32767));       // 1/(1 + 0)
        Assert.That(p.OneOverOnePlusXTable[512], Is.EqualTo(16384));     // 1/(1 + 1) · 32767.5, rounded
        // The multiplier maps x − max onto [−65535, 0] ≙ [−10, 0]: s_x · beta · 6553.5.
        Assert.That(p.InputMultiplier, Is.EqualTo(Quantization.QuantizeMultiplier((double)0.001f * 1.0 / (10.0 / 65535.0))));
    }

    [Test]
    public void Softmax_of_equal_values_splits_32768_evenly_and_a_dominant_value_takes_nearly_all()
    {
        short[] y = Run(BuiltinOperator.Softmax, new SoftmaxOptions(1f), [2, 4], 0.001f, Q15, [7, 7, 7, 7, 30000, 0, 0, 0]);
        Assert.That(y[..4], Is.All.InRange(8190, 8194));
        Assert.That(y[4], Is.InRange(32750, 32767));   // 1/(1 + x) is itself a table: close to, not exactly, 1
        Assert.That(y[5..], Is.All.InRange(0, 2));   // e^-30 stops at the exp table's floor, e^-10 ≈ 1.5 / 32768
    }

    [Test]
    public void Softmax_refuses_a_wrong_output_scale_a_rank_above_4_and_a_nonpositive_beta()
    {
        var scale = Assert.Throws<KernelException>(() => Prepare(BuiltinOperator.Softmax, new SoftmaxOptions(1f), 0.001f, Q(1f / 256)));
        Assert.That(scale!.Message, Does.Contain("output 'output").Or.Contain("output").And.Contain("1/32768"));
        var rank = Assert.Throws<KernelException>(() => Prepare(BuiltinOperator.Softmax, new SoftmaxOptions(1f), 0.001f, Q15, [1, 1, 1, 2, 3]));
        Assert.That(rank!.Message, Does.Contain("rank 5"));
        var beta = Assert.Throws<KernelException>(() => Prepare(BuiltinOperator.Softmax, new SoftmaxOptions(-1f), 0.001f, Q15));
        Assert.That(beta!.Message, Does.Contain("beta"));
    }

    [Test]
    public void Mean_over_axes_1_2_with_keep_dims_divides_after_the_rescale_and_other_axes_fold_1_over_n_in()
    {
        // Four values summing to 5 (1.25 at equal scales): TFLite's spatial kernel rounds 5 / 4 to 1; QuantizedMeanOrSum
        // folds 1/4 into the multiplier and its double rounding gives 2 (docs/numerics.md §MEAN).
        short[] values = [2, 1, 1, 1];
        var reducer = new ReducerOptions(true);
        Assert.That(Run(BuiltinOperator.Mean, reducer, [1, 2, 2, 1], 0.01f, Q(0.01f), values, [1, 2], [1, 1, 1, 1]), Is.EqualTo(new short[] { 1 }));
        Assert.That(Run(BuiltinOperator.Mean, reducer, [1, 2, 2, 1], 0.01f, Q(0.01f), values, [2, 1], [1, 1, 1, 1]), Is.EqualTo(new short[] { 1 }));
        Assert.That(Run(BuiltinOperator.Mean, reducer, [1, 2, 2, 1], 0.01f, Q(0.01f), values, [-3, -2], [1, 1, 1, 1]), Is.EqualTo(new short[] { 2 }));
        Assert.That(Run(BuiltinOperator.Mean, new ReducerOptions(false), [1, 2, 2, 1], 0.01f, Q(0.01f), values, [1, 2], [1, 1]), Is.EqualTo(new short[] { 2 }));
    }

    [Test]
    public void Mean_with_a_nonzero_int16_zero_point_is_a_typed_error_naming_the_tensor()
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [2, 3], Q(0.05f)) with { Name = "x" };
        var axes = OpTensorSpec.Constant(TensorType.Int32, [1], BitConverter.GetBytes(1), default) with { Name = "axes" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Mean, 3, new ReducerOptions(false), default,
            [x, axes], [TensorType.Int16], [Q(0.05f, 2)]));
        Assert.That(e!.Message, Does.Contain("output").And.Contain("zero point 2"));
    }

    [TestCase(BuiltinOperator.Logistic)]
    [TestCase(BuiltinOperator.Tanh)]
    [TestCase(BuiltinOperator.Softmax)]
    [TestCase(BuiltinOperator.Mean)]
    public void Invoke_allocates_nothing_the_tables_are_built_at_AllocateTensors(BuiltinOperator op)
    {
        bool mean = op == BuiltinOperator.Mean;
        OperatorOptions? options = op == BuiltinOperator.Softmax ? new SoftmaxOptions(1f) : mean ? new ReducerOptions(true) : null;
        using var model = Model.FromBytes(Build(op, options, [1, 4, 4, 8], 0.001f, mean ? Q(0.002f) : Q15,
            mean ? [1, 2] : null, mean ? [1, 1, 1, 8] : null));
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<short>(0, Enumerable.Range(0, 128).Select(i => (short)(i * 509 - 32000)).ToArray());
        interpreter.Invoke(); // warm-up: JIT and tiering
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
