using Accel.Delegates;
using Accel.Operators.Definitions;

namespace Accel.Testing;

/// <summary>
/// Nodes whose tensors mix dtypes the way hybrid (dynamic-range) models do — float32 activations and output with int8
/// weights — built directly, since a definition may not accept them yet: a delegate whose float kernel claimed one would
/// read int8 weight bytes as floats. The claim tests offer them to each delegate's Supports and expect a refusal.
/// </summary>
public static class MixedDtypeNodes
{
    private static Tensor Tensor(int index, string name, TensorType type, int[] shape, float scale = 0) =>
        new(index, name, type, shape, shape,
            scale > 0 ? new QuantizationParameters([scale], [0], 0, [], []) : QuantizationParameters.None, null, false)
        { ByteSize = shape.Aggregate(1L, (a, b) => a * b) * (type == TensorType.Int8 ? 1 : 4) };

    /// <summary>FULLY_CONNECTED: float32 input [2, 8], int8 weights [3, 8] (scale 0.02), float32 bias [3] and output [2, 3].</summary>
    public static DelegateNode HybridFullyConnected() =>
        new(0, new OperatorCode(BuiltinOperator.FullyConnected, null, 1), new FullyConnectedOptions(ActivationFunctionType.None), default,
            new FullyConnectedParams(2, 3, 8, default, true),
            [Tensor(0, "input", TensorType.Float32, [2, 8]), Tensor(1, "weights", TensorType.Int8, [3, 8], 0.02f),
             Tensor(2, "bias", TensorType.Float32, [3])],
            [Tensor(3, "output", TensorType.Float32, [2, 3])]);

    /// <summary>
    /// TRANSPOSE_CONV: int32 output_shape, int8 weights [2, 3, 3, 4] with float32 input [1, 4, 4, 4] and output
    /// [1, 8, 8, 2] — input 0 and the output both look like a float kernel's.
    /// </summary>
    public static DelegateNode HybridTransposeConv() =>
        new(0, new OperatorCode(BuiltinOperator.TransposeConv, null, 3), new TransposeConvOptions(Padding.Same, 2, 2), default,
            new TransposeConvParams(2, 2, 0, 0, default, false),
            [Tensor(0, "output_shape", TensorType.Int32, [4]), Tensor(1, "weights", TensorType.Int8, [2, 3, 3, 4], 0.02f),
             Tensor(2, "input", TensorType.Float32, [1, 4, 4, 4])],
            [Tensor(3, "output", TensorType.Float32, [1, 8, 8, 2])]);
}
