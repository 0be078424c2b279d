using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>
/// GELU on int8 and uint8 (docs/numerics.md §Quantized execution; TFLite's GeluPrepare): the node's table is
/// LUTPopulate of the float GELU — dequantize, GELU, round(y / s_y) with halves away from zero, + z_y, clamp — for every
/// input byte, in either form.
/// </summary>
public sealed class QuantizedGeluTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    [TestCase(TensorType.Int8, false, -5, 20)]
    [TestCase(TensorType.Int8, true, 127, -128)]
    [TestCase(TensorType.UInt8, false, 128, 0)]
    [TestCase(TensorType.UInt8, true, 0, 255)]
    public void The_table_is_LUTPopulate_of_the_float_gelu_for_every_byte(TensorType type, bool approximate, int zx, int zy)
    {
        var x = OpTensorSpec.Activation(type, [4], Q(0.05f, zx)) with { Name = "x" };
        var p = (GeluParams)OpShapeInference.Infer(BuiltinOperator.Gelu, 2, new GeluOptions(approximate), default, [x], [type], [Q(0.03f, zy)]).Params;
        var table = p.QuantizedTable.ToArray();
        var (min, max) = type == TensorType.Int8 ? (-128, 127) : (0, 255);
        for (int v = min; v <= max; v++)
        {
            float real = 0.05f * (v - zx);
            float y = approximate ? SpecMath.GeluApproximate(real) : SpecMath.GeluExact(real);
            int expected = Math.Clamp((int)MathF.Round(y * (1f / 0.03f), MidpointRounding.AwayFromZero) + zy, min, max);
            int actual = type == TensorType.Int8 ? (sbyte)table[(byte)v] : table[v];
            Assert.That(actual, Is.EqualTo(expected), $"v = {v}");
        }
    }

    [Test]
    public void Gelu_on_int16_is_refused_naming_the_input()
    {
        var x = OpTensorSpec.Activation(TensorType.Int16, [4], Q(0.001f, 0)) with { Name = "x" };
        var e = Assert.Throws<KernelException>(() => OpShapeInference.Infer(BuiltinOperator.Gelu, 2, null, default, [x], [TensorType.Int16], [Q(0.001f, 0)]));
        Assert.That(e!.Message, Does.Contain("'x'").And.Contain("int16"));
    }
}
