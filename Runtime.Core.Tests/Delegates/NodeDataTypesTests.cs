using Accel.Delegates;
using Accel.Operators;

namespace Accel.Tests.Delegates;

/// <summary>
/// The dtype check the device delegates make before a kernel claims a node (<see cref="NodeDataTypes"/>): the data
/// input is TRANSPOSE_CONV's input 2 and SPLIT's input 1, a hybrid node (float32 activations, int8 weights) is refused
/// naming its weights, an output of another dtype is refused unless the op converts dtypes by definition.
/// </summary>
public sealed class NodeDataTypesTests
{
    private static readonly TensorType[] FloatAndInt8 = [TensorType.Float32, TensorType.Int8];

    private static Tensor T(int index, string name, TensorType type, params int[] shape) =>
        new(index, name, type, shape, shape, QuantizationParameters.None, null, false);

    private static DelegateNode Node(BuiltinOperator op, Tensor?[] inputs, Tensor[] outputs) =>
        new(0, new OperatorCode(op, null, 1), null, default, new TestParams(), inputs, outputs);

    private sealed record TestParams : OpParams;

    [Test]
    public void Transpose_conv_is_judged_by_its_activations_not_its_int32_output_shape()
    {
        var node = Node(BuiltinOperator.TransposeConv,
            [T(0, "output_shape", TensorType.Int32, 4), T(1, "weights", TensorType.UInt8, 2, 3, 3, 4), T(2, "input", TensorType.UInt8, 1, 4, 4, 4)],
            [T(3, "output", TensorType.UInt8, 1, 8, 8, 2)]);
        Assert.That(NodeDataTypes.DataInput(node)!.Name, Is.EqualTo("input"));
        var support = NodeDataTypes.Check(node, [TensorType.Float32, TensorType.Int32], "test");
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("input 'input' is uint8").And.Contain("the test kernel runs only float32, int32"));
    }

    [Test]
    public void Split_is_judged_by_its_data_not_its_int32_axis()
    {
        var node = Node(BuiltinOperator.Split, [T(0, "axis", TensorType.Int32), T(1, "data", TensorType.Float32, 4, 6)],
            [T(2, "a", TensorType.Float32, 4, 3), T(3, "b", TensorType.Float32, 4, 3)]);
        Assert.That(NodeDataTypes.Check(node, [TensorType.Float32], "test").IsSupported, Is.True);
    }

    [Test]
    public void A_hybrid_fully_connected_is_refused_naming_its_int8_weights()
    {
        var node = Node(BuiltinOperator.FullyConnected,
            [T(0, "input", TensorType.Float32, 2, 8), T(1, "weights", TensorType.Int8, 3, 8), T(2, "bias", TensorType.Float32, 3)],
            [T(3, "output", TensorType.Float32, 2, 3)]);
        var support = NodeDataTypes.Check(node, FloatAndInt8, "test");
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("weights 'weights' are int8 while input 'input' is float32 (a hybrid node)"));
    }

    [Test]
    public void A_weighted_op_whose_output_dtype_differs_from_its_input_is_refused()
    {
        var node = Node(BuiltinOperator.Conv2D,
            [T(0, "input", TensorType.Int8, 1, 4, 4, 2), T(1, "filter", TensorType.Int8, 3, 1, 1, 2)],
            [T(2, "output", TensorType.Float32, 1, 4, 4, 3)]);
        var support = NodeDataTypes.Check(node, FloatAndInt8, "test");
        Assert.That(support.IsSupported, Is.False);
        Assert.That(support.Reason, Does.Contain("output 'output' is float32 while input 'input' is int8"));
    }

    [Test]
    public void An_output_outside_the_kernels_dtypes_is_refused_unless_the_op_converts_dtypes()
    {
        var add = Node(BuiltinOperator.Add, [T(0, "a", TensorType.Int8, 4), T(1, "b", TensorType.Int8, 4)], [T(2, "sum", TensorType.Int16, 4)]);
        Assert.That(NodeDataTypes.Check(add, FloatAndInt8, "test").Reason, Does.Contain("output 'sum' is int16"));
        var dequantize = Node(BuiltinOperator.Dequantize, [T(0, "q", TensorType.Int8, 4)], [T(1, "real", TensorType.Float32, 4)]);
        Assert.That(NodeDataTypes.Check(dequantize, [TensorType.Int8], "test").IsSupported, Is.True);
    }
}
