using Accel.Building;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// DIV on int8 and uint8 (docs/numerics.md §Quantized execution; TFLite's reference_ops::DivElementwise): the fixed-point
/// quotient follows the real one to within TFLite's roundings for every byte pair, a real-0 numerator comes out as
/// TFLite's arithmetic gives it, and a denominator at its zero point is an error with nothing written. The conformance
/// cases compare the kernel with TFLite itself.
/// </summary>
public sealed class QuantizedDivTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>a [256, 1] ÷ b [1, n] → [256, n].</summary>
    private static byte[] Run(TensorType type, byte[] a, byte[] b, (float S, int Z) qa, (float S, int Z) qb, (float S, int Z) qy,
        ActivationFunctionType activation = ActivationFunctionType.None)
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("a", type, [a.Length, 1], Q(qa.S, qa.Z));
        int z = builder.AddTensor("b", type, [1, b.Length], Q(qb.S, qb.Z));
        int y = builder.AddTensor("y", type, [a.Length, b.Length], Q(qy.S, qy.Z));
        builder.AddOperator(BuiltinOperator.Div, [x, z], [y], new DivOptions(activation), version: 2);
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

    [TestCase(TensorType.Int8, 0.05f, -3, 0.1f, 7, 0.1f, 0)]
    [TestCase(TensorType.UInt8, 0.02f, 128, 0.03f, 100, 0.05f, 128)]
    [TestCase(TensorType.Int8, 0.5f, 127, 0.01f, -128, 8f, -128)]
    public void Every_byte_pair_with_a_defined_rounding_shift_is_the_real_quotient_to_within_one_step(
        TensorType type, float sa, int za, float sb, int zb, float sy, int zy)
    {
        bool signed = type == TensorType.Int8;
        var (min, max) = signed ? (-128, 127) : (0, 255);
        byte[] every = Enumerable.Range(min, 256).Select(v => (byte)v).ToArray();
        byte[] denominators = every.Where(v => (signed ? (sbyte)v : v) != zb).ToArray();
        byte[] output = Run(type, every, denominators, (sa, za), (sb, zb), (sy, zy));
        var multiplier = Quantization.QuantizeMultiplier(sa / (sb * sy));
        for (int i = 0; i < 256; i++)
        for (int j = 0; j < denominators.Length; j++)
        {
            int a = signed ? (sbyte)every[i] : every[i], b = signed ? (sbyte)denominators[j] : denominators[j];
            double real = sa * (double)(a - za) / (sb * (double)(b - zb)) / sy + zy;
            int actual = signed ? (sbyte)output[i * denominators.Length + j] : output[i * denominators.Length + j];
            if (RoundingShift(a - za, b - zb, multiplier.Shift) > 31) continue;   // tiny numerators: see the next test
            if (real < min - 1 || real > max + 1) Assert.That(actual, Is.EqualTo(real < min ? min : max), $"a {a}, b {b}");
            else Assert.That(actual, Is.EqualTo(Math.Clamp(real, min, max)).Within(1.01), $"a {a}, b {b}");
        }
    }

    /// <summary>TFLite's final rounding shift n + h − shift (n: the denominator's bits over one, h: the numerator's headroom).</summary>
    private static int RoundingShift(int x, int y, int shift)
    {
        if (y < 0) (x, y) = (-x, -y);
        int headroom = x >= 0 ? System.Numerics.BitOperations.LeadingZeroCount((uint)x) - 1 : System.Numerics.BitOperations.LeadingZeroCount(2 * (uint)-x - 1);
        return 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)y) + headroom - shift;
    }

    [Test]
    public void A_real_zero_numerator_follows_tflites_shift_beyond_31()
    {
        // x = 0: headroom 31, so the final rounding shift is 31 + n − shift; beyond 31 TFLite's mask is all ones and
        // its shift count taken mod 32, which turns 0 into 1. Denominator 1 (n = 0) keeps the shift at 31: 0.
        var q = new Accel.Operators.Definitions.QuantizedMulParams(0, 0, 0, Quantization.QuantizeMultiplier(0.5), -128, 127);
        Assert.That(Quantization.Divide(0, 1, q), Is.EqualTo(0));
        Assert.That(Quantization.Divide(0, 100, q), Is.EqualTo(1));
        Assert.That(Quantization.Divide(0, -100, q), Is.EqualTo(1));
    }

    [Test]
    public void A_denominator_at_its_zero_point_is_an_error_naming_the_element()
    {
        var e = Assert.Throws<KernelException>(() => Run(TensorType.Int8, [1, 2], [4, 7, 9], (0.1f, 0), (0.1f, 7), (0.1f, 0)));
        Assert.That(e!.Message, Does.Contain("element 1").And.Contain("'b'").And.Contain("zero point"));
    }

    /// <summary>int16 a [n] ÷ b [n] (zero points as given), the stored outputs.</summary>
    private static short[] RunInt16(short[] a, short[] b, float sa, float sb, float sy, long zeroPointB = 0)
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("a", TensorType.Int16, [a.Length], Q(sa, 0));
        int z = builder.AddTensor("b", TensorType.Int16, [b.Length], Q(sb, zeroPointB));
        int y = builder.AddTensor("y", TensorType.Int16, [a.Length], Q(sy, 0));
        builder.AddOperator(BuiltinOperator.Div, [x, z], [y], new DivOptions(ActivationFunctionType.None), version: 2);
        builder.AddInput(x);
        builder.AddInput(z);
        builder.AddOutput(y);
        using var model = Model.FromBytes(builder.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()).CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()).CopyTo(interpreter.GetInputTensor(1).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Read<short>().ToArray();
    }

    [Test]
    public void Int16_div_is_the_real_quotient_to_within_one_step_and_saturates()
    {
        short[] a = [1000, -1000, 30000, -32768, 7, 12345, 32767, -5];
        short[] b = [3, 7, -9, 1000, 2, -32768, 1, 1];
        const float sa = 0.0005f, sb = 0.001f, sy = 0.001f;
        short[] y = RunInt16(a, b, sa, sb, sy);
        for (int i = 0; i < a.Length; i++)
        {
            double real = sa * (double)a[i] / (sb * (double)b[i]) / sy;
            Assert.That((double)y[i], Is.EqualTo(Math.Clamp(real, -32768, 32767)).Within(1.01), $"a {a[i]}, b {b[i]}");
        }
    }

    [Test]
    public void Int16_div_refuses_a_stored_zero_denominator_and_a_nonzero_zero_point()
    {
        var e = Assert.Throws<KernelException>(() => RunInt16([1, 2, 3], [4, 0, 9], 0.01f, 0.01f, 0.01f));
        Assert.That(e!.Message, Does.Contain("element 1").And.Contain("'b'"));
        var z = Assert.Throws<KernelException>(() => RunInt16([1, 2], [4, 5], 0.01f, 0.01f, 0.01f, zeroPointB: 3));
        Assert.That(z!.Message, Does.Contain("'b'").And.Contain("zero point 3"));
    }
}
