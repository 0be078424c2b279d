using Accel.Building;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// ABS, EXP, LOG, SQRT, RSQRT (int8, int16) and SQUARED_DIFFERENCE (int8) (docs/numerics.md §Quantized
/// execution; TFLite's elementwise.cc, exp.cc, squared_difference.cc): checked against the integer formulas written out
/// here from TFLite's source, and the refusals TFLite's Prepare and Eval imply. The conformance cases compare the same
/// kernels with TFLite itself.
/// </summary>
public sealed class QuantizedElementwiseMathTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>One unary node on a graph input of <paramref name="type"/>.</summary>
    private static byte[] RunUnary(BuiltinOperator op, TensorType type, byte[] input, QuantizationParameters? inputQ, QuantizationParameters? outputQ)
    {
        int bytesPerElement = type == TensorType.Int16 ? 2 : 1;
        int[] shape = [input.Length / bytesPerElement];
        var b = new ModelBuilder();
        int x = b.AddTensor("x", type, shape, inputQ);
        int y = b.AddTensor("y", type, shape, outputQ);
        b.AddOperator(op, [x], [y], version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        input.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    private static byte[] EveryInt8() => Enumerable.Range(-128, 256).Select(v => (byte)(sbyte)v).ToArray();

    private static byte[] EveryInt16() => Enumerable.Range(short.MinValue, 65536).SelectMany(v => BitConverter.GetBytes((short)v)).ToArray();

    [TestCase(0.05f, -3, 0.05f, -3)]
    [TestCase(0.05f, 127, 0.07f, -128)]
    [TestCase(0.02f, -128, 0.2f, 127)]
    public void Abs_int8_is_the_rescaled_distance_from_the_zero_point_for_every_byte(float sx, int zx, float sy, int zy)
    {
        byte[] output = RunUnary(BuiltinOperator.Abs, TensorType.Int8, EveryInt8(), Q(sx, zx), Q(sy, zy));
        var multiplier = Quantization.QuantizeMultiplier(sx / sy);
        for (int v = -128; v <= 127; v++)
        {
            int value = Math.Abs(v - zx);
            int rescaled = sx == sy ? value : Quantization.MultiplyByQuantizedMultiplier(value, multiplier);
            Assert.That((sbyte)output[v + 128], Is.EqualTo(Math.Clamp(rescaled + zy, -128, 127)), $"v = {v}");
        }
    }

    [Test]
    public void Abs_int16_rescales_every_value_and_unquantized_int16_wraps_minus_32768()
    {
        byte[] input = EveryInt16();
        short[] quantized = Shorts(RunUnary(BuiltinOperator.Abs, TensorType.Int16, input, Q(0.0002f, 0), Q(0.0003f, 0)));
        var multiplier = Quantization.QuantizeMultiplier(0.0002f / 0.0003f);
        for (int v = short.MinValue; v <= short.MaxValue; v++)
            Assert.That(quantized[v + 32768], Is.EqualTo(Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(Math.Abs(v), multiplier), -32768, 32767)), $"v = {v}");
        short[] plain = Shorts(RunUnary(BuiltinOperator.Abs, TensorType.Int16, input, null, null));
        Assert.That(plain[0], Is.EqualTo(short.MinValue));
        Assert.That(plain[1], Is.EqualTo(short.MaxValue));
        Assert.That(plain[32768 - 5], Is.EqualTo(5));
    }

    [Test]
    public void Exp_int8_is_lutpopulate_of_specmath_exp()
    {
        byte[] output = RunUnary(BuiltinOperator.Exp, TensorType.Int8, EveryInt8(), Q(0.05f, -3), Q(2.7f, -128));
        for (int v = -128; v <= 127; v++)
        {
            float y = SpecMath.Exp(0.05f * (v - -3));
            int expected = Math.Clamp((int)(MathF.Round(y * (1f / 2.7f), MidpointRounding.AwayFromZero) + -128f), -128, 127);
            Assert.That((sbyte)output[v + 128], Is.EqualTo(expected), $"v = {v}");
        }
    }

    [Test]
    public void Exp_int16_interpolates_the_table_and_follows_e_to_the_x_closely_and_monotonically()
    {
        const float sx = 0.0002f, sy = 0.0205f;
        short[] output = Shorts(RunUnary(BuiltinOperator.Exp, TensorType.Int16, EveryInt16(), Q(sx, 0), Q(sy, 0)));
        for (int v = short.MinValue; v <= short.MaxValue; v += 97)
        {
            double exact = Math.Exp(sx * (double)v) / sy;
            if (exact > 32000) break;   // the top segments saturate
            // 512 linear segments: within 3 steps plus 3e-4 relative (the interpolation's error on e^x).
            Assert.That(output[v + 32768], Is.EqualTo(exact).Within(3 + 3e-4 * exact), $"v = {v}");
        }
        // Monotone, as a table of an increasing function with interpolation must be.
        for (int i = 1; i < output.Length; i++) Assert.That(output[i], Is.GreaterThanOrEqualTo(output[i - 1]), $"i = {i}");
    }

    [Test]
    public void Exp_int16_with_a_nonzero_zero_point_is_refused_naming_the_tensor()
    {
        var e = Assert.Throws<KernelException>(() => RunUnary(BuiltinOperator.Exp, TensorType.Int16, new byte[8], Q(0.001f, 3), Q(0.01f, 0)));
        Assert.That(e!.Message, Does.Contain("'x'").And.Contain("zero point 3"));
    }

    [TestCase(0.05f, -128, 0.018f, -128)]
    [TestCase(0.001f, 0, 0.2f, 127)]
    [TestCase(0.5f, -100, 0.005f, 0)]
    public void Rsqrt_int8_is_tflites_fixed_point_inverse_root_for_every_valid_byte(float sx, int zx, float sy, int zy)
    {
        byte[] input = Enumerable.Range(zx, 128 - zx).Select(v => (byte)(sbyte)v).ToArray();
        byte[] output = RunUnary(BuiltinOperator.Rsqrt, TensorType.Int8, input, Q(sx, zx), Q(sy, zy));
        var multiplier = Quantization.QuantizeMultiplier(1.0 / (MathF.Sqrt(sx) * sy));
        for (int i = 0; i < input.Length; i++)
        {
            int value = (sbyte)input[i] - zx;
            int expected = 127;
            if (value > 0)
            {
                var inverse = Quantization.InverseSqrtMultiplier(value);
                int data = Quantization.MultiplyByQuantizedMultiplier(1, inverse.Multiplier, inverse.Shift + 20);
                expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(data, multiplier.Multiplier, multiplier.Shift - 20) + zy, -128, 127);
                // And the fixed point is 1/√v to within TFLite's own rounding: a few output steps.
                double real = 1 / Math.Sqrt(sx * value) / sy + zy;
                if (real < 127) Assert.That(expected, Is.EqualTo(Math.Max(real, -128)).Within(2), $"v = {value}");
            }
            Assert.That((sbyte)output[i], Is.EqualTo(expected), $"v = {value}");
        }
    }

    [TestCase(2)]
    [TestCase(4)]
    [TestCase(37)]
    [TestCase(255)]
    [TestCase(1 << 20)]
    [TestCase(int.MaxValue)]
    public void The_inverse_sqrt_multiplier_is_one_over_the_root_to_within_the_newton_raphson_rounding(int input)
    {
        var m = Quantization.InverseSqrtMultiplier(input);
        Assert.That(m.Shift, Is.LessThanOrEqualTo(0));
        Assert.That(m.Multiplier * Math.Pow(2, m.Shift - 31), Is.EqualTo(1 / Math.Sqrt(input)).Within(1e-3).Percent);
    }

    [Test]
    public void Rsqrt_int8_below_the_zero_point_is_an_error_naming_the_element_with_nothing_written()
    {
        var e = Assert.Throws<KernelException>(() => RunUnary(BuiltinOperator.Rsqrt, TensorType.Int8, [10, 20, 4, 30], Q(0.05f, 5), Q(0.02f, 0)));
        Assert.That(e!.Message, Does.Contain("element 2").And.Contain("zero point 5"));
    }

    [Test]
    public void Exp_log_and_sqrt_on_uint8_are_refused_naming_the_dtype()
    {
        foreach (var op in new[] { BuiltinOperator.Exp, BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt })
        {
            var e = Assert.Throws<KernelException>(() => RunUnary(op, TensorType.UInt8, new byte[4], Q(0.001f, 0), Q(0.01f, 0)));
            Assert.That(e!.Message, Does.Contain("uint8"), op.ToString());
        }
    }

    [TestCase(0.05f, -3, 0.04f, 40)]
    [TestCase(0.003f, -128, 0.05f, 127)]
    [TestCase(0.5f, 127, 0.02f, -128)]
    public void Log_int8_is_lutpopulate_of_specmath_log_with_the_lowest_output_at_or_below_zero(float sx, int zx, float sy, int zy)
    {
        byte[] output = RunUnary(BuiltinOperator.Log, TensorType.Int8, EveryInt8(), Q(sx, zx), Q(sy, zy));
        for (int v = -128; v <= 127; v++)
        {
            float x = sx * (v - zx);
            // TFLite's LogLUTPrepare: x <= 0 gives the output's lowest real value, (−128 − z_y) · s_y.
            float y = x <= 0 ? (-128 - zy) * sy : SpecMath.Log(x);
            int expected = Math.Clamp((int)(MathF.Round(y * (1f / sy), MidpointRounding.AwayFromZero) + zy), -128, 127);
            Assert.That((sbyte)output[v + 128], Is.EqualTo(expected), $"v = {v}");
            if (x <= 0) Assert.That((sbyte)output[v + 128], Is.EqualTo(-128), $"v = {v}");
            else Assert.That((sbyte)output[v + 128], Is.EqualTo(Math.Clamp(Math.Log(x) / sy + zy, -128, 127)).Within(0.5001), $"v = {v}");
        }
    }

    [Test]
    public void Log_int16_is_the_lowest_value_below_the_segment_next_to_zero_and_follows_log_away_from_zero()
    {
        const float sx = 0.0002f, sy = 0.0003f;
        short[] output = Shorts(RunUnary(BuiltinOperator.Log, TensorType.Int16, EveryInt16(), Q(sx, 0), Q(sy, 0)));
        // Segments wholly at or below 0 are the lowest value; the one from −128 to 0 already leans towards log's
        // first positive sample (the table's midpoint correction of segment 256), as in TFLite.
        for (int v = short.MinValue; v <= -128; v++) Assert.That(output[v + 32768], Is.EqualTo(short.MinValue), $"v = {v}");
        Assert.That(output[32768], Is.GreaterThan(short.MinValue));
        double h = 128 * (double)sx;   // one segment of the 512
        for (int v = 2500; v <= short.MaxValue; v += 37)
        {
            double x = sx * (double)v;
            // Linear interpolation's error on log over a segment is at most h²/(8x²); TFLite's table halves it.
            double bound = 3 + h * h / (8 * x * x) / sy;
            Assert.That(output[v + 32768], Is.EqualTo(Math.Log(x) / sy).Within(bound), $"v = {v}");
        }
        for (int i = 1; i < output.Length; i++) Assert.That(output[i], Is.GreaterThanOrEqualTo(output[i - 1]), $"i = {i}");
    }

    [Test]
    public void Log_and_sqrt_and_rsqrt_int16_with_a_nonzero_zero_point_are_refused_naming_the_tensor()
    {
        foreach (var op in new[] { BuiltinOperator.Log, BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt })
        {
            var input = Assert.Throws<KernelException>(() => RunUnary(op, TensorType.Int16, new byte[8], Q(0.001f, 3), Q(0.01f, 0)));
            Assert.That(input!.Message, Does.Contain("'x'").And.Contain("zero point 3"), op.ToString());
            var output = Assert.Throws<KernelException>(() => RunUnary(op, TensorType.Int16, new byte[8], Q(0.001f, 0), Q(0.01f, -2)));
            Assert.That(output!.Message, Does.Contain("'y'").And.Contain("zero point -2"), op.ToString());
        }
    }

    [Test]
    public void The_int16_lookup_keeps_tflites_int16_slope_which_wraps_on_a_step_above_32767()
    {
        var table = new short[513];
        table[256] = short.MinValue;
        table[257] = 20000;   // a step of 52,768: TFLite's int16 slope is −12,768
        Assert.That(Quantization.LookupInt16(table, 0), Is.EqualTo(short.MinValue));
        int slope = unchecked((short)(20000 - short.MinValue));
        Assert.That(Quantization.LookupInt16(table, 64), Is.EqualTo(unchecked((short)(short.MinValue + ((slope * 64 + 64) >> 7)))));
        Assert.That(Quantization.LookupInt16(table, 64), Is.EqualTo(26384));
        // A step of 32,767 (the largest an int16 holds) interpolates as usual; 32,768 already wraps.
        table[257] = -1;
        Assert.That(Quantization.LookupInt16(table, 64), Is.EqualTo(-16384));
        table[257] = 0;
        Assert.That(Quantization.LookupInt16(table, 64), Is.EqualTo(-32768 - 16384 + 65536));
    }

    [TestCase(0.05f, -128, 0.015f, -128)]
    [TestCase(0.001f, 0, 0.2f, 127)]
    [TestCase(0.5f, -100, 0.005f, 0)]
    public void Sqrt_int8_is_the_truncated_binary32_root_for_every_valid_byte(float sx, int zx, float sy, int zy)
    {
        byte[] input = Enumerable.Range(zx, 128 - zx).Select(v => (byte)(sbyte)v).ToArray();
        byte[] output = RunUnary(BuiltinOperator.Sqrt, TensorType.Int8, input, Q(sx, zx), Q(sy, zy));
        for (int i = 0; i < input.Length; i++)
        {
            int value = (sbyte)input[i] - zx;
            // elementwise.cc SqrtEvalQuantized: (int)(std::sqrt(s_x · (q − z_x)) / s_y) + z_y, clamped.
            int expected = Math.Clamp((int)(MathF.Sqrt(sx * value) / sy) + zy, -128, 127);
            Assert.That((sbyte)output[i], Is.EqualTo(expected), $"v = {value}");
            double real = Math.Sqrt(sx * (double)value) / sy;
            if (real + zy < 127) Assert.That(expected - zy, Is.EqualTo(Math.Floor(real)).Within(1), $"v = {value}");
        }
    }

    [Test]
    public void Sqrt_int16_is_the_truncated_binary32_root_of_every_non_negative_value()
    {
        const float sx = 0.0002f, sy = 0.0001f;
        byte[] input = Enumerable.Range(0, 32768).SelectMany(v => BitConverter.GetBytes((short)v)).ToArray();
        short[] output = Shorts(RunUnary(BuiltinOperator.Sqrt, TensorType.Int16, input, Q(sx, 0), Q(sy, 0)));
        for (int v = 0; v <= short.MaxValue; v++)
            Assert.That(output[v], Is.EqualTo(Math.Min((int)(MathF.Sqrt(sx * v) / sy), short.MaxValue)), $"v = {v}");
    }

    [Test]
    public void Sqrt_and_rsqrt_below_the_zero_point_are_errors_naming_the_element()
    {
        var int8 = Assert.Throws<KernelException>(() => RunUnary(BuiltinOperator.Sqrt, TensorType.Int8, [10, 20, 4, 30], Q(0.05f, 5), Q(0.02f, 0)));
        Assert.That(int8!.Message, Does.Contain("element 2").And.Contain("zero point 5").And.Contain("SQRT"));
        byte[] negative = [.. BitConverter.GetBytes((short)3), .. BitConverter.GetBytes((short)-1)];
        foreach (var op in new[] { BuiltinOperator.Sqrt, BuiltinOperator.Rsqrt })
        {
            var int16 = Assert.Throws<KernelException>(() => RunUnary(op, TensorType.Int16, negative, Q(0.001f, 0), Q(0.01f, 0)));
            Assert.That(int16!.Message, Does.Contain("element 1").And.Contain("is -1"), op.ToString());
        }
    }

    [Test]
    public void Sqrt_whose_largest_quotient_exceeds_int32_is_refused_naming_the_output()
    {
        var e = Assert.Throws<KernelException>(() => RunUnary(BuiltinOperator.Sqrt, TensorType.Int16, new byte[4], Q(1f, 0), Q(1e-8f, 0)));
        Assert.That(e!.Message, Does.Contain("'y'").And.Contain("int32"));
    }

    [Test]
    public void Rsqrt_int16_decreases_from_zero_and_follows_one_over_the_root_away_from_zero()
    {
        const float sx = 0.0002f, sy = 0.003f;
        byte[] input = Enumerable.Range(0, 32768).SelectMany(v => BitConverter.GetBytes((short)v)).ToArray();
        short[] output = Shorts(RunUnary(BuiltinOperator.Rsqrt, TensorType.Int16, input, Q(sx, 0), Q(sy, 0)));
        // x = 0 is not 32767: segment 256 runs from the saturated sample at −s_x/2 to 1/√(127.5 s_x), and TFLite's
        // midpoint correction moves its start down (the oracle's value, 25,533 here).
        Assert.That(output[0], Is.LessThan(short.MaxValue).And.GreaterThan(output[128]));
        double h = 128 * (double)sx;
        for (int v = 1500; v <= short.MaxValue; v += 31)
        {
            double x = sx * (double)v;
            // Interpolation error of x^−1/2 over a segment: at most h² · (3/4) x^−5/2 / 8.
            double bound = 3 + h * h * 0.75 * Math.Pow(x, -2.5) / 8 / sy;
            Assert.That(output[v], Is.EqualTo(1 / Math.Sqrt(x) / sy).Within(bound), $"v = {v}");
        }
        for (int i = 1; i < output.Length; i++) Assert.That(output[i], Is.LessThanOrEqualTo(output[i - 1]), $"i = {i}");
    }

    [Test]
    public void Abs_int8_without_quantization_is_refused_naming_the_input()
    {
        var e = Assert.Throws<KernelException>(() => RunUnary(BuiltinOperator.Abs, TensorType.Int8, new byte[4], null, null));
        Assert.That(e!.Message, Does.Contain("'x'").And.Contain("no quantization"));
    }

    /// <summary>One SQUARED_DIFFERENCE node: a [n] and b broadcast against it ([1] or [n]).</summary>
    private static byte[] RunSquaredDifference(byte[] a, byte[] b, (float S, int Z) qa, (float S, int Z) qb, (float S, int Z) qy)
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("a", TensorType.Int8, [a.Length], Q(qa.S, qa.Z));
        int z = builder.AddTensor("b", TensorType.Int8, [b.Length], Q(qb.S, qb.Z));
        int y = builder.AddTensor("y", TensorType.Int8, [a.Length], Q(qy.S, qy.Z));
        builder.AddOperator(BuiltinOperator.SquaredDifference, [x, z], [y], version: 2);
        builder.AddInput(x);
        builder.AddInput(z);
        builder.AddOutput(y);
        using var model = Model.FromBytes(builder.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        a.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        b.CopyTo(interpreter.GetInputTensor(1).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [TestCase(0.05f, -3, 0.03f, 7, 0.45f, -128)]
    [TestCase(0.02f, 127, 0.02f, -128, 0.01f, 0)]
    [TestCase(2.0f, 0, 0.5f, 10, 60f, -100)]
    public void Squared_difference_int8_follows_tflites_left_shift_7_rescale_for_every_pair_with_a_fixed_b(
        float sa, int za, float sb, int zb, float sy, int zy)
    {
        byte[] a = EveryInt8();
        foreach (int bValue in new[] { -128, -1, 0, 77, 127 })
        {
            byte[] output = RunSquaredDifference(a, [(byte)(sbyte)bValue], (sa, za), (sb, zb), (sy, zy));
            double t = 2 * Math.Max(sa, sb);
            var m1 = Quantization.QuantizeMultiplier(sa / t);
            var m2 = Quantization.QuantizeMultiplier(sb / t);
            var mo = Quantization.QuantizeMultiplier(t * t / (16384.0 * sy));
            for (int v = -128; v <= 127; v++)
            {
                int x = Quantization.MultiplyByQuantizedMultiplier((v - za) * 128, m1);
                int y = Quantization.MultiplyByQuantizedMultiplier((bValue - zb) * 128, m2);
                int expected = Math.Clamp(Quantization.MultiplyByQuantizedMultiplier((x - y) * (x - y), mo) + zy, -128, 127);
                Assert.That((sbyte)output[v + 128], Is.EqualTo(expected), $"a = {v}, b = {bValue}");
            }
        }
    }

    [Test]
    public void Squared_difference_int8_with_an_output_multiplier_of_one_or_more_is_refused_naming_the_output()
    {
        var e = Assert.Throws<KernelException>(() => RunSquaredDifference(new byte[2], new byte[2], (1f, 0), (1f, 0), (1e-5f, 0)));
        Assert.That(e!.Message, Does.Contain("'y'").And.Contain("below 1"));
    }

    private static short[] Shorts(byte[] bytes)
    {
        var values = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
