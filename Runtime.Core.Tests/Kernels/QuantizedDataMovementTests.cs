using Accel.Operators;

namespace Accel.Tests.Kernels;

/// <summary>
/// The data-movement operators move stored integers without rescaling (docs/numerics.md §Quantized execution): a
/// quantized output must share the input's scale and zero point, or Prepare fails with a typed error naming both.
/// </summary>
public sealed class QuantizedDataMovementTests
{
    private static QuantizationParameters Q(float scale, long zeroPoint) => new([scale], [zeroPoint], 0, [], []);

    private static OpTensorSpec X(TensorType type, int[] shape, QuantizationParameters? q) => OpTensorSpec.Activation(type, shape, q) with { Name = "x" };

    private static readonly (string Name, Func<QuantizationParameters?, QuantizationParameters?, OpShapeInferenceResult> Prepare)[] Ops =
    [
        ("RESHAPE", (i, o) => OpShapeInference.Infer(BuiltinOperator.Reshape, 1, new ReshapeOptions([4, 6]), default,
            [X(TensorType.Int8, [2, 3, 4], i)], [TensorType.Int8], [o])),
        ("TRANSPOSE", (i, o) => OpShapeInference.Infer(BuiltinOperator.Transpose, 2, null, default,
            [X(TensorType.Int8, [2, 3, 4], i), OpTensorSpec.Int32Constant([3], [2, 0, 1])], [TensorType.Int8], [o])),
        ("SQUEEZE", (i, o) => OpShapeInference.Infer(BuiltinOperator.Squeeze, 1, new SqueezeOptions([1]), default,
            [X(TensorType.UInt8, [2, 1, 4], i)], [TensorType.UInt8], [o])),
        ("DEPTH_TO_SPACE", (i, o) => OpShapeInference.Infer(BuiltinOperator.DepthToSpace, 2, new DepthToSpaceOptions(2), default,
            [X(TensorType.Int8, [1, 2, 2, 8], i)], [TensorType.Int8], [o])),
        ("SPACE_TO_DEPTH", (i, o) => OpShapeInference.Infer(BuiltinOperator.SpaceToDepth, 2, new SpaceToDepthOptions(2), default,
            [X(TensorType.Int8, [1, 4, 4, 2], i)], [TensorType.Int8], [o])),
        ("RESIZE_NEAREST_NEIGHBOR", (i, o) => OpShapeInference.Infer(BuiltinOperator.ResizeNearestNeighbor, 3, new ResizeNearestNeighborOptions(false, false), default,
            [X(TensorType.Int8, [1, 2, 2, 3], i), OpTensorSpec.Int32Constant([2], [4, 4])], [TensorType.Int8], [o])),
    ];

    private static IEnumerable<string> OpNames() => Ops.Select(o => o.Name);

    private static Func<QuantizationParameters?, QuantizationParameters?, OpShapeInferenceResult> Of(string name) => Ops.Single(o => o.Name == name).Prepare;

    [TestCaseSource(nameof(OpNames))]
    public void An_output_quantized_differently_from_the_input_is_refused_naming_both(string op)
    {
        var e = Assert.Throws<KernelException>(() => Of(op)(Q(0.1f, 3), Q(0.2f, 3)));
        Assert.That(e!.Message, Does.Contain($"({op})").And.Contain("output 'output'").And.Contain("input 'x'").And.Contain("without rescaling"));
        e = Assert.Throws<KernelException>(() => Of(op)(Q(0.1f, 3), null));
        Assert.That(e!.Message, Does.Contain("quantized not at all"));
    }

    [TestCaseSource(nameof(OpNames))]
    public void An_output_sharing_the_inputs_quantization_or_none_on_either_is_accepted(string op)
    {
        Assert.DoesNotThrow(() => Of(op)(Q(0.1f, 3), Q(0.1f, 3)));
        Assert.DoesNotThrow(() => Of(op)(null, null));
    }
}
