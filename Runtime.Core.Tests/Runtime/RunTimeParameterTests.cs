using Accel.Building;
using Accel.Operators;

namespace Accel.Tests.Runtime;

/// <summary>
/// Data-movement operators and reductions whose shape-determining parameter input (begin/size, perm, multiples,
/// paddings, axes …) is a graph input: the output is dynamic and the definition's own rules resolve it at Invoke,
/// with bad run-time values a KernelException naming the node.
/// </summary>
[TestFixture]
public sealed class RunTimeParameterTests
{
    /// <summary>One node: float x [2,3] and int32 parameter inputs (graph inputs) → output; extra constant inputs after them.</summary>
    private static Interpreter Single(BuiltinOperator op, OperatorOptions? options, int[][] parameterShapes, out Model model, int[]? xShape = null)
    {
        var b = new ModelBuilder(op.ToString());
        int x = b.AddTensor("x", TensorType.Float32, xShape ?? [2, 3]);
        var inputs = new List<int> { x };
        for (int k = 0; k < parameterShapes.Length; k++) inputs.Add(b.AddTensor($"p{k}", TensorType.Int32, parameterShapes[k]));
        int output = b.AddTensor("output", TensorType.Float32, [1]);
        b.AddOperator(op, [.. inputs], [output], options, version: op == BuiltinOperator.BroadcastTo ? 2 : 1);
        foreach (int i in inputs) b.AddInput(i);
        b.AddOutput(output);
        model = Model.FromBytes(b.Build());
        var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6]);
        return interpreter;
    }

    private static (int[] Shape, float[] Values) Run(Interpreter interpreter)
    {
        interpreter.Invoke();
        return (interpreter.GetOutputTensor(0).Shape.ToArray(), interpreter.Output<float>(0).ToArray());
    }

    [Test]
    public void Slice_with_run_time_begin_and_size_is_resolved_at_every_invoke()
    {
        using var interpreter = Single(BuiltinOperator.Slice, null, [[2], [2]], out var model);
        using var _ = model;
        Assert.That(interpreter.Tensors[^1].Storage, Is.EqualTo(TensorStorage.Dynamic));
        interpreter.SetInput<int>(1, [0, 1]);
        interpreter.SetInput<int>(2, [2, -1]);
        var first = Run(interpreter);
        Assert.That(first.Shape, Is.EqualTo(new[] { 2, 2 }));
        Assert.That(first.Values, Is.EqualTo(new[] { 2f, 3f, 5f, 6f }));
        interpreter.SetInput<int>(1, [1, 0]);
        interpreter.SetInput<int>(2, [1, 3]);
        var second = Run(interpreter);
        Assert.That(second.Shape, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(second.Values, Is.EqualTo(new[] { 4f, 5f, 6f }));
    }

    [Test]
    public void Slice_past_the_input_at_run_time_is_a_kernel_error_naming_the_node()
    {
        using var interpreter = Single(BuiltinOperator.Slice, null, [[2], [2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [1, 2]);
        interpreter.SetInput<int>(2, [2, 1]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.NodeIndex, Is.EqualTo(0));
        Assert.That(e.Message, Does.Contain("SLICE"));
        // A good value afterwards runs again: the failed resolution left nothing behind.
        interpreter.SetInput<int>(2, [1, 1]);
        Assert.That(Run(interpreter).Values, Is.EqualTo(new[] { 6f }));
    }

    [Test]
    public void Strided_slice_with_run_time_begin_end_strides_reverses_a_row()
    {
        using var interpreter = Single(BuiltinOperator.StridedSlice, new StridedSliceOptions(0, 0), [[2], [2], [2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [1, -1]);
        interpreter.SetInput<int>(2, [2, -4]);
        interpreter.SetInput<int>(3, [1, -1]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 6f, 5f, 4f }));
        interpreter.SetInput<int>(3, [1, 0]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("strides[1] is 0"));
    }

    [Test]
    public void Transpose_with_a_run_time_perm_refuses_a_repeated_axis()
    {
        using var interpreter = Single(BuiltinOperator.Transpose, null, [[2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [1, 0]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 1f, 4f, 2f, 5f, 3f, 6f }));
        interpreter.SetInput<int>(1, [0, 0]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("twice"));
    }

    [Test]
    public void Tile_with_run_time_multiples_refuses_a_negative_multiple()
    {
        using var interpreter = Single(BuiltinOperator.Tile, null, [[2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [2, 1]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 4, 3 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 1f, 2f, 3f, 4f, 5f, 6f }));
        interpreter.SetInput<int>(1, [-1, 1]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("TILE"));
    }

    [Test]
    public void Broadcast_to_a_run_time_shape_refuses_an_incompatible_shape()
    {
        using var interpreter = Single(BuiltinOperator.BroadcastTo, null, [[3]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [2, 2, 3]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 2, 2, 3 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f, 1f, 2f, 3f, 4f, 5f, 6f }));
        interpreter.SetInput<int>(1, [2, 2, 4]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("BROADCAST_TO"));
    }

    [Test]
    public void Pad_with_run_time_paddings_refuses_negative_padding()
    {
        using var interpreter = Single(BuiltinOperator.Pad, null, [[2, 2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [1, 0, 0, 1]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 0f, 0f, 0f, 0f, 1f, 2f, 3f, 0f, 4f, 5f, 6f, 0f }));
        interpreter.SetInput<int>(1, [0, -1, 0, 0]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("PAD"));
    }

    [Test]
    public void Expand_dims_at_a_run_time_axis_refuses_an_axis_out_of_range()
    {
        using var interpreter = Single(BuiltinOperator.ExpandDims, null, [[1]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [-1]);
        var result = Run(interpreter);
        Assert.That(result.Shape, Is.EqualTo(new[] { 2, 3, 1 }));
        Assert.That(result.Values, Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }));
        interpreter.SetInput<int>(1, [4]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("EXPAND_DIMS"));
    }

    [TestCase(BuiltinOperator.Sum, new[] { 1 }, new[] { 6f, 15f })]
    [TestCase(BuiltinOperator.Mean, new[] { 0 }, new[] { 2.5f, 3.5f, 4.5f })]
    [TestCase(BuiltinOperator.ReduceMax, new[] { -1 }, new[] { 3f, 6f })]
    public void Reductions_over_run_time_axes_reduce_them_and_refuse_an_axis_out_of_range(BuiltinOperator op, int[] axes, float[] expected)
    {
        using var interpreter = Single(op, new ReducerOptions(false), [[1]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, axes);
        Assert.That(Run(interpreter).Values, Is.EqualTo(expected));
        interpreter.SetInput<int>(1, [2]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("axis 2"));
    }

    [Test]
    public void Arg_max_along_a_run_time_axis_refuses_an_axis_out_of_range()
    {
        var b = new ModelBuilder("arg max");
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        int axis = b.AddTensor("axis", TensorType.Int32, []);
        int output = b.AddTensor("output", TensorType.Int32, [1]);
        b.AddOperator(BuiltinOperator.ArgMax, [x, axis], [output], new ArgMaxOptions(TensorType.Int32));
        b.AddInput(x);
        b.AddInput(axis);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [1, 9, 3, 8, 5, 6]);
        interpreter.SetInput<int>(1, [0]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<int>(0).ToArray(), Is.EqualTo(new[] { 1, 0, 1 }));
        interpreter.SetInput<int>(1, [1]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<int>(0).ToArray(), Is.EqualTo(new[] { 1, 0 }));
        interpreter.SetInput<int>(1, [2]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("ARG_MAX").And.Contain("axis 2"));
    }

    [Test]
    public void One_hot_with_a_run_time_depth_sizes_its_output_and_refuses_a_negative_depth()
    {
        var b = new ModelBuilder("one hot");
        int indices = b.AddTensor("indices", TensorType.Int32, [3]);
        int depth = b.AddTensor("depth", TensorType.Int32, []);
        int on = b.AddConstant("on", [], [1f]);
        int off = b.AddConstant("off", [], [0f]);
        int output = b.AddTensor("output", TensorType.Float32, [1]);
        b.AddOperator(BuiltinOperator.OneHot, [indices, depth, on, off], [output], new OneHotOptions(-1));
        b.AddInput(indices);
        b.AddInput(depth);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<int>(0, [2, 0, 5]);
        interpreter.SetInput<int>(1, [3]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 3, 3 }));
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f, 0f }));
        interpreter.SetInput<int>(1, [-1]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("ONE_HOT"));
    }

    [Test]
    public void Split_along_a_run_time_axis_sizes_every_output_and_refuses_an_uneven_split()
    {
        var b = new ModelBuilder("split");
        int axis = b.AddTensor("axis", TensorType.Int32, []);
        int x = b.AddTensor("x", TensorType.Float32, [2, 4]);
        int first = b.AddTensor("first", TensorType.Float32, [1]);
        int second = b.AddTensor("second", TensorType.Float32, [1]);
        b.AddOperator(BuiltinOperator.Split, [axis, x], [first, second], new SplitOptions(2));
        b.AddInput(axis);
        b.AddInput(x);
        b.AddOutput(first);
        b.AddOutput(second);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(1, [1, 2, 3, 4, 5, 6, 7, 8]);
        interpreter.SetInput<int>(0, [1]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(1).Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(interpreter.Output<float>(1).ToArray(), Is.EqualTo(new[] { 3f, 4f, 7f, 8f }));
        interpreter.SetInput<int>(0, [0]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(1).Shape.ToArray(), Is.EqualTo(new[] { 1, 4 }));
        Assert.That(interpreter.Output<float>(1).ToArray(), Is.EqualTo(new[] { 5f, 6f, 7f, 8f }));
        interpreter.SetInput<int>(0, [3]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("SPLIT"));
    }

    [Test]
    public void A_run_time_perm_downstream_of_a_dynamic_tensor_follows_both_its_input_shape_and_perm()
    {
        // RESHAPE to a run-time shape (dynamic) → TRANSPOSE by a run-time perm: prepared and resolved at Invoke.
        var b = new ModelBuilder("reshape then transpose");
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        int shape = b.AddTensor("shape", TensorType.Int32, [2]);
        int perm = b.AddTensor("perm", TensorType.Int32, [2]);
        int reshaped = b.AddTensor("reshaped", TensorType.Float32, [3, 2]);
        int output = b.AddTensor("output", TensorType.Float32, [2, 3]);
        b.AddOperator(BuiltinOperator.Reshape, [x, shape], [reshaped], new ReshapeOptions(null));
        b.AddOperator(BuiltinOperator.Transpose, [reshaped, perm], [output]);
        b.AddInput(x);
        b.AddInput(shape);
        b.AddInput(perm);
        b.AddOutput(output);
        using var model = Model.FromBytes(b.Build());
        using var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6]);
        interpreter.SetInput<int>(1, [3, 2]);
        interpreter.SetInput<int>(2, [1, 0]);
        var first = Run(interpreter);
        Assert.That(first.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(first.Values, Is.EqualTo(new[] { 1f, 3f, 5f, 2f, 4f, 6f }));
        interpreter.SetInput<int>(1, [6, 1]);
        var second = Run(interpreter);
        Assert.That(second.Shape, Is.EqualTo(new[] { 1, 6 }));
        interpreter.SetInput<int>(2, [0, 1]);
        var third = Run(interpreter);
        Assert.That(third.Shape, Is.EqualTo(new[] { 6, 1 }));
        Assert.That(third.Values, Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }));
    }

    [Test]
    public void Steady_invokes_with_unchanged_run_time_parameters_allocate_nothing()
    {
        using var interpreter = Single(BuiltinOperator.Slice, null, [[2], [2]], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [0, 1]);
        interpreter.SetInput<int>(2, [2, 2]);
        interpreter.Invoke();
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}
