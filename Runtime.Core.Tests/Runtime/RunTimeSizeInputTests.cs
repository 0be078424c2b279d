using Accel.Building;
using Accel.Operators;

namespace Accel.Tests.Runtime;

/// <summary>
/// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR <c>size</c>, SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND <c>block_shape</c> and
/// paddings / crops, and TRANSPOSE_CONV <c>output_shape</c> fed as graph inputs: the output is dynamic, sized at Invoke
/// by the definition's own rules, gives the same bits as the constant-parameter model, follows a changed value on the
/// next Invoke, and a bad run-time value is a KernelException naming the node.
/// </summary>
[TestFixture]
public sealed class RunTimeSizeInputTests
{
    /// <summary>An operator input: the float32 data (a graph input), a float32 constant, or an int32 parameter.</summary>
    private sealed record Operand(string Name, TensorType Type, int[] Shape, float[]? Floats = null, int[]? Ints = null, bool Constant = false);

    /// <summary>
    /// One node over <paramref name="operands"/>; int32 parameters are constants when <paramref name="runTime"/> is false,
    /// graph inputs fed their values otherwise. Returns the interpreter (allocated and fed) and its model.
    /// </summary>
    private static (Interpreter Interpreter, Model Model) Build(BuiltinOperator op, OperatorOptions? options, Operand[] operands, bool runTime, int version = 1)
    {
        var b = new ModelBuilder(op.ToString());
        var inputs = new List<int>();
        var graphInputs = new List<(int Tensor, Operand Operand)>();
        foreach (var o in operands)
        {
            int t;
            if (o.Type == TensorType.Int32 && !runTime) t = b.AddConstant(o.Name, o.Shape, o.Ints!);
            else if (o.Constant) t = b.AddConstant(o.Name, o.Shape, o.Floats!);
            else
            {
                t = b.AddTensor(o.Name, o.Type, o.Shape);
                graphInputs.Add((t, o));
            }
            inputs.Add(t);
        }
        int output = b.AddTensor("output", TensorType.Float32, [1]);
        b.AddOperator(op, [.. inputs], [output], options, version);
        foreach (var (t, _) in graphInputs) b.AddInput(t);
        b.AddOutput(output);
        var model = Model.FromBytes(b.Build());
        var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        for (int k = 0; k < graphInputs.Count; k++)
        {
            var o = graphInputs[k].Operand;
            if (o.Type == TensorType.Int32) interpreter.SetInput<int>(k, o.Ints!);
            else interpreter.SetInput<float>(k, o.Floats!);
        }
        return (interpreter, model);
    }

    private static (int[] Shape, int[] Bits) Run(Interpreter interpreter)
    {
        interpreter.Invoke();
        return (interpreter.GetOutputTensor(0).Shape.ToArray(),
            interpreter.Output<float>(0).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    private static float[] Ramp(int count, float scale = 0.37f) => Enumerable.Range(0, count).Select(i => (i * 7 % 23 - 11) * scale).ToArray();

    /// <summary>The run-time-parameter model's output is dynamic and bit-identical to the constant-parameter model's.</summary>
    private static (int[] Shape, int[] Bits) AssertSameAsConstant(BuiltinOperator op, OperatorOptions? options, Operand[] operands, int version = 1)
    {
        var (constant, constantModel) = Build(op, options, operands, runTime: false, version);
        var (dynamic, dynamicModel) = Build(op, options, operands, runTime: true, version);
        using (constantModel)
        using (dynamicModel)
        using (constant)
        using (dynamic)
        {
            Assert.That(constant.Tensors[^1].Storage, Is.Not.EqualTo(TensorStorage.Dynamic));
            Assert.That(dynamic.Tensors[^1].Storage, Is.EqualTo(TensorStorage.Dynamic));
            var expected = Run(constant);
            var actual = Run(dynamic);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape));
            Assert.That(actual.Bits, Is.EqualTo(expected.Bits));
            return actual;
        }
    }

    private static Operand Image(int[] shape) => new("x", TensorType.Float32, shape, Floats: Ramp(shape.Aggregate(1, (p, d) => p * d)));

    private static Operand Ints(string name, int[] shape, int[] values) => new(name, TensorType.Int32, shape, Ints: values);

    [TestCase(8, 10, false, true)]
    [TestCase(3, 3, false, false)]
    [TestCase(1, 1, true, false)]
    public void Resize_bilinear_with_a_run_time_size_matches_the_constant_size(int h, int w, bool align, bool half)
    {
        var (shape, _) = AssertSameAsConstant(BuiltinOperator.ResizeBilinear, new ResizeBilinearOptions(align, half),
            [Image([1, 4, 5, 3]), Ints("size", [2], [h, w])], version: half ? 3 : 1);
        Assert.That(shape, Is.EqualTo(new[] { 1, h, w, 3 }));
    }

    [TestCase(8, 10, false)]
    [TestCase(7, 9, true)]
    public void Resize_nearest_neighbor_with_a_run_time_size_matches_the_constant_size(int h, int w, bool half)
    {
        var (shape, _) = AssertSameAsConstant(BuiltinOperator.ResizeNearestNeighbor, new ResizeNearestNeighborOptions(false, half),
            [Image([1, 4, 5, 3]), Ints("size", [2], [h, w])], version: half ? 3 : 1);
        Assert.That(shape, Is.EqualTo(new[] { 1, h, w, 3 }));
    }

    [Test]
    public void Resize_follows_a_changed_size_and_refuses_a_non_positive_one_naming_the_node()
    {
        var (interpreter, model) = Build(BuiltinOperator.ResizeNearestNeighbor, new ResizeNearestNeighborOptions(false, false),
            [Image([1, 2, 2, 1]), Ints("size", [2], [4, 4])], runTime: true);
        using var _ = model;
        using var __ = interpreter;
        Assert.That(Run(interpreter).Shape, Is.EqualTo(new[] { 1, 4, 4, 1 }));
        interpreter.SetInput<int>(1, [1, 3]);
        var second = Run(interpreter);
        Assert.That(second.Shape, Is.EqualTo(new[] { 1, 1, 3, 1 }));
        interpreter.SetInput<int>(1, [0, 3]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.NodeIndex, Is.EqualTo(0));
        Assert.That(e.Message, Does.Contain("RESIZE_NEAREST_NEIGHBOR").And.Contain("must be positive"));
    }

    [Test]
    public void Space_to_batch_with_run_time_block_and_paddings_matches_the_constants()
    {
        var (shape, _) = AssertSameAsConstant(BuiltinOperator.SpaceToBatchNd, null,
            [Image([1, 4, 6, 3]), Ints("block_shape", [2], [2, 2]), Ints("paddings", [2, 2], [1, 1, 2, 0])]);
        Assert.That(shape, Is.EqualTo(new[] { 4, 3, 4, 3 }));
    }

    [Test]
    public void Batch_to_space_with_run_time_block_and_crops_matches_the_constants()
    {
        var (shape, _) = AssertSameAsConstant(BuiltinOperator.BatchToSpaceNd, null,
            [Image([4, 2, 3, 3]), Ints("block_shape", [2], [2, 2]), Ints("crops", [2, 2], [1, 1, 2, 0])]);
        Assert.That(shape, Is.EqualTo(new[] { 1, 2, 4, 3 }));
    }

    [Test]
    public void Space_to_batch_refuses_run_time_paddings_that_do_not_divide_naming_the_node()
    {
        var (interpreter, model) = Build(BuiltinOperator.SpaceToBatchNd, null,
            [Image([1, 4, 6, 3]), Ints("block_shape", [2], [2, 2]), Ints("paddings", [2, 2], [0, 0, 0, 0])], runTime: true);
        using var _ = model;
        using var __ = interpreter;
        Assert.That(Run(interpreter).Shape, Is.EqualTo(new[] { 4, 2, 3, 3 }));
        interpreter.SetInput<int>(2, [1, 0, 0, 0]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("SPACE_TO_BATCH_ND").And.Contain("not a multiple of block_shape"));
        interpreter.SetInput<int>(2, [0, 0, -2, 2]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("non-negative"));
    }

    private static Operand[] TransposeConvOperands(int[] outputShape, bool bias)
    {
        var weights = new Operand("weights", TensorType.Float32, [4, 3, 3, 3], Floats: Ramp(4 * 3 * 3 * 3, 0.11f), Constant: true);
        Operand[] operands = [Ints("output_shape", [4], outputShape), weights, Image([1, 4, 5, 3])];
        return bias ? [.. operands, new Operand("bias", TensorType.Float32, [4], Floats: [0.5f, -1f, 0.25f, 2f], Constant: true)] : operands;
    }

    [TestCase(8, 10, true)]
    [TestCase(7, 9, false)]
    public void Transpose_conv_with_a_run_time_output_shape_matches_the_constant_shape(int h, int w, bool bias)
    {
        var (shape, _) = AssertSameAsConstant(BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Same, 2, 2),
            TransposeConvOperands([1, h, w, 4], bias), version: bias ? 3 : 1);
        Assert.That(shape, Is.EqualTo(new[] { 1, h, w, 4 }));
    }

    [Test]
    public void Transpose_conv_refuses_a_run_time_output_shape_that_does_not_map_back_to_the_input()
    {
        var (interpreter, model) = Build(BuiltinOperator.TransposeConv, new TransposeConvOptions(Padding.Same, 2, 2),
            TransposeConvOperands([1, 8, 10, 4], bias: false), runTime: true);
        using var _ = model;
        using var __ = interpreter;
        Assert.That(Run(interpreter).Shape, Is.EqualTo(new[] { 1, 8, 10, 4 }));
        interpreter.SetInput<int>(0, [1, 12, 10, 4]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.NodeIndex, Is.EqualTo(0));
        Assert.That(e.Message, Does.Contain("TRANSPOSE_CONV").And.Contain("does not match the input"));
        interpreter.SetInput<int>(0, [1, 8, 10, 5]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("output channels 4"));
    }
}
