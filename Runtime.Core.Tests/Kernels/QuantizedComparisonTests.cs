using Accel.Building;
using Accel.Numerics;
using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// The six comparisons on int8 and uint8 (docs/numerics.md §Comparisons; TFLite's comparisons.cc ComparisonQuantized):
/// both inputs offset, shifted left 8 and rescaled by their own scale, then compared as int32 — checked for every
/// byte pair against that formula, and the scale refusal.
/// </summary>
public sealed class QuantizedComparisonTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    /// <summary>a: every byte (256), b: every byte (256) broadcast against it → a [256, 256] bool output.</summary>
    private static byte[] RunEveryPair(BuiltinOperator op, TensorType type, QuantizationParameters qa, QuantizationParameters qb)
    {
        var builder = new ModelBuilder();
        int x = builder.AddTensor("a", type, [256, 1], qa);
        int z = builder.AddTensor("b", type, [1, 256], qb);
        int y = builder.AddTensor("y", TensorType.Bool, [256, 256]);
        builder.AddOperator(op, [x, z], [y], version: 2);
        builder.AddInput(x);
        builder.AddInput(z);
        builder.AddOutput(y);
        using var model = Model.FromBytes(builder.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        byte[] every = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        every.CopyTo(interpreter.GetInputTensor(0).WritableBytes);
        every.CopyTo(interpreter.GetInputTensor(1).WritableBytes);
        interpreter.Invoke();
        return interpreter.GetOutputTensor(0).Bytes.ToArray();
    }

    [TestCase(BuiltinOperator.Equal, TensorType.Int8, 0.05f, -3, 0.1f, 7)]
    [TestCase(BuiltinOperator.NotEqual, TensorType.UInt8, 0.03f, 125, 0.06f, 133)]
    [TestCase(BuiltinOperator.Less, TensorType.Int8, 0.5f, 127, 0.002f, -128)]
    [TestCase(BuiltinOperator.LessEqual, TensorType.UInt8, 0.1f, 0, 0.1f, 255)]
    [TestCase(BuiltinOperator.Greater, TensorType.Int8, 0.07f, 0, 0.011f, 5)]
    [TestCase(BuiltinOperator.GreaterEqual, TensorType.UInt8, 0.2f, 128, 0.3f, 128)]
    public void Every_byte_pair_compares_tflites_rescaled_values(BuiltinOperator op, TensorType type, float sa, int za, float sb, int zb)
    {
        byte[] output = RunEveryPair(op, type, Q(sa, za), Q(sb, zb));
        var ma = Quantization.QuantizeMultiplier(sa);
        var mb = Quantization.QuantizeMultiplier(sb);
        bool signed = type == TensorType.Int8;
        for (int i = 0; i < 256; i++)
        for (int j = 0; j < 256; j++)
        {
            int a = Quantization.MultiplyByQuantizedMultiplier(((signed ? (sbyte)i : i) - za) * 256, ma);
            int b = Quantization.MultiplyByQuantizedMultiplier(((signed ? (sbyte)j : j) - zb) * 256, mb);
            bool expected = op switch
            {
                BuiltinOperator.Equal => a == b,
                BuiltinOperator.NotEqual => a != b,
                BuiltinOperator.Less => a < b,
                BuiltinOperator.LessEqual => a <= b,
                BuiltinOperator.Greater => a > b,
                _ => a >= b,
            };
            Assert.That(output[i * 256 + j], Is.EqualTo(expected ? 1 : 0), $"a byte {i}, b byte {j}");
        }
    }

    [Test]
    public void Equal_real_values_under_different_quantizations_compare_equal()
    {
        // a: 0.05 · (q + 3), b: 0.1 · (q − 7): a byte 7 (0.5) equals b byte 12 (0.5).
        byte[] output = RunEveryPair(BuiltinOperator.Equal, TensorType.Int8, Q(0.05f, -3), Q(0.1f, 7));
        Assert.That(output[7 * 256 + 12], Is.EqualTo(1));   // bytes of non-negative int8 values are the values
        Assert.That(output[8 * 256 + 12], Is.EqualTo(0));
    }

    [Test]
    public void A_scale_of_one_or_more_is_refused_naming_the_input()
    {
        var e = Assert.Throws<KernelException>(() => RunEveryPair(BuiltinOperator.Less, TensorType.Int8, Q(0.5f, 0), Q(1.5f, 0)));
        Assert.That(e!.Message, Does.Contain("'b'").And.Contain("below 1"));
    }
}
