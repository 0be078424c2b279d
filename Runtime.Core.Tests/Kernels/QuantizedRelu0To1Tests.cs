using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Kernels;

/// <summary>RELU_0_TO_1 on int8/uint8 (TFLite's QuantizedReluX over [0, 1]): the table clamps to the quantized 0 and 1.</summary>
public sealed class QuantizedRelu0To1Tests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    [Test]
    public void Int8_with_equal_quantization_clamps_to_the_zero_point_and_one_hundred_steps_above()
    {
        // s = 0.01: 1 / 0.01 = 100 steps; the bounds [z, z + 100] = [−20, 80], the identity between.
        var x = OpTensorSpec.Activation(TensorType.Int8, [4], Q(0.01f, -20)) with { Name = "x" };
        var p = (ElementwiseParams)OpShapeInference.Infer(BuiltinOperator.Relu0To1, 1, null, default, [x], [TensorType.Int8], [Q(0.01f, -20)]).Params;
        var table = p.QuantizedTable.ToArray();
        for (int v = -128; v <= 127; v++) Assert.That((sbyte)table[(byte)v], Is.EqualTo(Math.Clamp(v, -20, 80)), $"v = {v}");
    }

    [Test]
    public void Uint8_upper_bound_is_cut_at_the_type_maximum()
    {
        // s = 0.001: the quantized 1 is z + 1000, beyond 255: the clamp is [z, 255].
        var x = OpTensorSpec.Activation(TensorType.UInt8, [4], Q(0.001f, 100)) with { Name = "x" };
        var p = (ElementwiseParams)OpShapeInference.Infer(BuiltinOperator.Relu0To1, 1, null, default, [x], [TensorType.UInt8], [Q(0.001f, 100)]).Params;
        var table = p.QuantizedTable.ToArray();
        for (int v = 0; v <= 255; v++) Assert.That((int)table[v], Is.EqualTo(Math.Max(v, 100)), $"v = {v}");
    }
}
