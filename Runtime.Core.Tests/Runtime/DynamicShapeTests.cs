using Accel.Building;
using Accel.Delegates;
using Accel.Operators;
using Accel.Tests.Delegates;

namespace Accel.Tests.Runtime;

/// <summary>
/// Run-time shapes: outputs whose shape depends on input values are dynamic tensors (TFLite's kTfLiteDynamic), sized
/// at Invoke in buffers of their own; nodes downstream are prepared at Invoke; delegates leave them to the reference
/// executor; SHAPE over fixed shapes folds at AllocateTensors.
/// </summary>
[TestFixture]
public sealed class DynamicShapeTests
{
    /// <summary>x [2,3] and shape (int32 [2] input) → RESHAPE → ADD(·, bias 0.25 broadcast) → output; RESHAPE's output is dynamic.</summary>
    private static byte[] ReshapeThenAddModel()
    {
        var b = new ModelBuilder("reshape then add");
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        int s = b.AddTensor("shape", TensorType.Int32, [2]);
        int reshaped = b.AddTensor("reshaped", TensorType.Float32, [6, 1]);
        int bias = b.AddConstant("bias", [1], [0.25f]);
        int output = b.AddTensor("output", TensorType.Float32, [6, 1]);
        b.AddOperator(BuiltinOperator.Reshape, [x, s], [reshaped], new ReshapeOptions(null));
        b.AddOperator(BuiltinOperator.Add, [reshaped, bias], [output], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddInput(s);
        b.AddOutput(output);
        return b.Build();
    }

    private static Interpreter Allocated(byte[] bytes, out Model model, InterpreterOptions? options = null)
    {
        model = Model.FromBytes(bytes);
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [Test]
    public void Reshape_to_a_run_time_shape_is_resolved_at_invoke_and_the_api_reports_the_actual_shape()
    {
        using var interpreter = Allocated(ReshapeThenAddModel(), out var model);
        using var _ = model;
        Assert.That(interpreter.Tensors[2].Storage, Is.EqualTo(TensorStorage.Dynamic), "RESHAPE's output is dynamic after AllocateTensors");
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6]);
        interpreter.SetInput<int>(1, [3, -1]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 3, 2 }));
        Assert.That(interpreter.GetOutputDetails()[0].Shape, Is.EqualTo(new[] { 3, 2 }));
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 1.25f, 2.25f, 3.25f, 4.25f, 5.25f, 6.25f }));

        interpreter.SetInput<int>(1, [-1, 6]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 6 }));
    }

    [Test]
    public void Reshape_to_a_bad_run_time_shape_is_a_typed_error_naming_the_node()
    {
        using var interpreter = Allocated(ReshapeThenAddModel(), out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [4, 2]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("RESHAPE").And.Contain("cannot reshape"));
        Assert.That(e.NodeIndex, Is.EqualTo(0));
        interpreter.SetInput<int>(1, [-1, -1]);
        Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("more than one -1"));
    }

    [Test]
    public void A_node_downstream_of_a_dynamic_tensor_is_prepared_at_invoke()
    {
        using var interpreter = Allocated(ReshapeThenAddModel(), out var model);
        using var _ = model;
        Assert.That(interpreter.Graph[1].Params, Is.Null, "ADD reads a dynamic tensor: not prepared at AllocateTensors");
        interpreter.SetInput<int>(1, [2, 3]);
        interpreter.Invoke();
        Assert.That(interpreter.Graph[1].Params, Is.Not.Null);
        Assert.That(interpreter.Graph[1].Cost!.Value.ElementOps, Is.EqualTo(6), "prepared for the shape the invoke produced");
    }

    [Test]
    public void A_second_invoke_with_the_same_shapes_allocates_nothing()
    {
        using var interpreter = Allocated(ReshapeThenAddModel(), out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [3, 2]);
        interpreter.Invoke();
        interpreter.Invoke();
        long before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, "same shapes: no buffer grows, no node is re-prepared");

        // Another shape of the same size: the downstream node is re-prepared once, then Invoke is steady again.
        interpreter.SetInput<int>(1, [6, 1]);
        interpreter.Invoke();
        before = GC.GetAllocatedBytesForCurrentThread();
        interpreter.Invoke();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(interpreter.DynamicTensorBytes, Is.EqualTo(2 * 6 * sizeof(float)), "two dynamic tensors of six floats");
    }

    [Test]
    public void Delegates_are_not_offered_nodes_that_touch_a_dynamic_tensor()
    {
        // x, shape → RESHAPE → Twice (a custom op the fake delegate claims) → output.
        var b = new ModelBuilder("reshape then twice");
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int s = b.AddTensor("shape", TensorType.Int32, [2]);
        int reshaped = b.AddTensor("reshaped", TensorType.Float32, [4, 1]);
        int output = b.AddTensor("output", TensorType.Float32, [4, 1]);
        b.AddOperator(BuiltinOperator.Reshape, [x, s], [reshaped], new ReshapeOptions(null));
        b.AddCustomOperator("Twice", [reshaped], [output], []);
        b.AddInput(x);
        b.AddInput(s);
        b.AddOutput(output);
        var fake = new FakeDelegate("fake", DelegateMemory.Host, "Twice");
        var options = new InterpreterOptions { OpResolver = TestOps.Resolver() };
        options.Delegates.Add(new DelegateSelection(fake));
        using var interpreter = Allocated(b.Build(), out var model, options);
        using var _ = model;

        var refusal = interpreter.Plan.Refused.Single(r => r.Node == 1);
        Assert.That(refusal.Reason, Does.Contain("known only at Invoke"));
        Assert.That(interpreter.Plan.Partitions.All(p => !p.IsDelegated), Is.True);
        interpreter.SetInput<float>(0, [1, 2, 3, 4]);
        interpreter.SetInput<int>(1, [2, 2]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 2f, 4f, 6f, 8f }));
    }

    [Test]
    public void AllocateTensors_again_after_a_resize_rebinds_the_dynamic_buffers()
    {
        using var interpreter = Allocated(ReshapeThenAddModel(), out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [3, 2]);
        interpreter.Invoke();
        interpreter.ResizeInputTensor(0, [4, 3]);
        interpreter.AllocateTensors();
        Assert.That(interpreter.DynamicTensorBytes, Is.Zero, "AllocateTensors frees the buffers; the next Invoke sizes them");
        interpreter.SetInput<float>(0, Enumerable.Range(0, 12).Select(i => (float)i).ToArray());
        interpreter.SetInput<int>(1, [2, -1]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 2, 6 }));
        Assert.That(interpreter.Output<float>(0)[11], Is.EqualTo(11.25f));
    }

    [Test]
    public void A_dynamic_output_over_the_memory_limit_is_a_typed_error_at_invoke()
    {
        // The arena (the dims input) fits in 64 bytes; FILL's 100×100 floats do not.
        using var model = Model.FromBytes(FillThenAddModel());
        using var interpreter = new Interpreter(model, new InterpreterOptions { MaxMemoryBytes = 64 });
        interpreter.AllocateTensors();
        interpreter.SetInput<int>(0, [100, 100]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("MaxMemoryBytes"));
    }

    [Test]
    public void Shape_inference_for_tools_reports_which_outputs_are_dynamic()
    {
        var input = OpTensorSpec.Activation(TensorType.Float32, [2, 3]);
        var runTimeShape = OpTensorSpec.Activation(TensorType.Int32, [2]);
        var constantShape = OpTensorSpec.Int32Constant([2], [3, 2]);
        var dynamic = OpShapeInference.Infer(BuiltinOperator.Reshape, 1, new ReshapeOptions(null), default, [input, runTimeShape], [TensorType.Float32]);
        var fixedShape = OpShapeInference.Infer(BuiltinOperator.Reshape, 1, new ReshapeOptions(null), default, [input, constantShape], [TensorType.Float32]);
        Assert.That(dynamic.DynamicOutputs, Is.EqualTo(new[] { 0 }));
        Assert.That(fixedShape.DynamicOutputs, Is.Empty);
        Assert.That(fixedShape.OutputShape, Is.EqualTo(new[] { 3, 2 }));
    }

    // ---------------------------------------------------------------- the operators with value-dependent shapes

    /// <summary>dims (int32 input) → FILL(dims, 1.5) → ADD(fill, bias 0.25 broadcast) → output; FILL's output is dynamic.</summary>
    private static byte[] FillThenAddModel()
    {
        var b = new ModelBuilder("fill then add");
        int dims = b.AddTensor("dims", TensorType.Int32, [2]);
        int value = b.AddConstant("value", [], [1.5f]);
        int filled = b.AddTensor("filled", TensorType.Float32, [1, 1]);
        int bias = b.AddConstant("bias", [1], [0.25f]);
        int output = b.AddTensor("output", TensorType.Float32, [1, 1]);
        b.AddOperator(BuiltinOperator.Fill, [dims, value], [filled]);
        b.AddOperator(BuiltinOperator.Add, [filled, bias], [output], new AddOptions(ActivationFunctionType.None));
        b.AddInput(dims);
        b.AddOutput(output);
        return b.Build();
    }

    [Test]
    public void Fill_with_run_time_dims_sizes_its_output_at_invoke_and_the_api_reports_the_actual_shape()
    {
        using var interpreter = Allocated(FillThenAddModel(), out var model);
        using var _ = model;
        Assert.That(interpreter.Tensors[2].Storage, Is.EqualTo(TensorStorage.Dynamic), "FILL's output is dynamic after AllocateTensors");

        interpreter.SetInput<int>(0, [2, 3]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(interpreter.GetOutputDetails()[0].Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(Enumerable.Repeat(1.75f, 6).ToArray()));

        interpreter.SetInput<int>(0, [4, 1]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 4, 1 }));
        Assert.That(interpreter.Output<float>(0).Length, Is.EqualTo(4));
    }

    [Test]
    public void Shape_of_a_fixed_shape_feeding_fill_folds_at_allocate_tensors()
    {
        // x [2,3] → SHAPE → FILL(·, 1.5) → ADD(x, ·) → output: SHAPE and FILL run once, at AllocateTensors.
        var b = new ModelBuilder("shape fill fold");
        int x = b.AddTensor("x", TensorType.Float32, [2, 3]);
        int shape = b.AddTensor("shape", TensorType.Int32, [2]);
        int value = b.AddConstant("value", [], [1.5f]);
        int filled = b.AddTensor("filled", TensorType.Float32, [2, 3]);
        int output = b.AddTensor("output", TensorType.Float32, [2, 3]);
        b.AddOperator(BuiltinOperator.Shape, [x], [shape], new ShapeOptions(TensorType.Int32));
        b.AddOperator(BuiltinOperator.Fill, [shape, value], [filled]);
        b.AddOperator(BuiltinOperator.Add, [x, filled], [output], new AddOptions(ActivationFunctionType.None));
        b.AddInput(x);
        b.AddOutput(output);
        using var interpreter = Allocated(b.Build(), out var model);
        using var _ = model;

        Assert.That(interpreter.Graph[0].IsFolded && interpreter.Graph[1].IsFolded, Is.True);
        Assert.That(interpreter.Tensors[filled].Storage, Is.EqualTo(TensorStorage.FoldedConstant));
        interpreter.SetInput<float>(0, [1, 2, 3, 4, 5, 6]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f }));

        // A resize re-folds for the new shape.
        interpreter.ResizeInputTensor(0, [1, 2]);
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [10, 20]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 11.5f, 21.5f }));
    }

    [Test]
    public void Shape_of_a_dynamic_tensor_runs_at_invoke()
    {
        // dims → FILL → SHAPE(int64) → output.
        var b = new ModelBuilder("fill then shape");
        int dims = b.AddTensor("dims", TensorType.Int32, [3]);
        int value = b.AddConstant("value", [], [0f]);
        int filled = b.AddTensor("filled", TensorType.Float32, [1, 1, 1]);
        int shape = b.AddTensor("shape", TensorType.Int64, [3]);
        b.AddOperator(BuiltinOperator.Fill, [dims, value], [filled]);
        b.AddOperator(BuiltinOperator.Shape, [filled], [shape], new ShapeOptions(TensorType.Int64));
        b.AddInput(dims);
        b.AddOutput(shape);
        using var interpreter = Allocated(b.Build(), out var model);
        using var _ = model;
        interpreter.SetInput<int>(0, [4, 0, 7]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<long>(0).ToArray(), Is.EqualTo(new long[] { 4, 0, 7 }));
    }

    [TestCase(new[] { 2, -1 }, "negative dimension")]
    [TestCase(new[] { 65536, 65536 }, "2^31-1")]
    public void Fill_with_bad_run_time_dims_is_a_typed_error_naming_the_node(int[] dims, string message)
    {
        using var interpreter = Allocated(FillThenAddModel(), out var model);
        using var _ = model;
        interpreter.SetInput<int>(0, dims);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("FILL").And.Contain(message));
        Assert.That(e.NodeIndex, Is.EqualTo(0));
    }

    /// <summary>start, limit, delta (graph inputs) → RANGE → output.</summary>
    private static Interpreter RangeInterpreter<T>(TensorType type, out Model model) where T : unmanaged
    {
        var b = new ModelBuilder("range");
        int start = b.AddTensor("start", type, []);
        int limit = b.AddTensor("limit", type, []);
        int delta = b.AddTensor("delta", type, []);
        int output = b.AddTensor("output", type, [1]);
        b.AddOperator(BuiltinOperator.Range, [start, limit, delta], [output]);
        b.AddInput(start);
        b.AddInput(limit);
        b.AddInput(delta);
        b.AddOutput(output);
        return Allocated(b.Build(), out model);
    }

    [TestCase(0, 10, 0, "delta must not be 0")]
    [TestCase(0, 10, -1, "towards limit")]
    [TestCase(10, 0, 2, "towards limit")]
    [TestCase(int.MinValue, int.MaxValue, 1, "2^31-1")]
    public void Range_with_bad_run_time_values_is_a_typed_error(int start, int limit, int delta, string message)
    {
        using var interpreter = RangeInterpreter<int>(TensorType.Int32, out var model);
        using var _ = model;
        interpreter.SetInput<int>(0, [start]);
        interpreter.SetInput<int>(1, [limit]);
        interpreter.SetInput<int>(2, [delta]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("RANGE").And.Contain(message));
    }

    [Test]
    public void Range_float_accumulates_delta_and_takes_the_ceiling_of_the_length()
    {
        using var interpreter = RangeInterpreter<float>(TensorType.Float32, out var model);
        using var _ = model;
        interpreter.SetInput<float>(0, [0.1f]);
        interpreter.SetInput<float>(1, [1.7f]);
        interpreter.SetInput<float>(2, [0.3f]);
        interpreter.Invoke();
        // ceil(|(1.7 − 0.1) / 0.3|) in float32; values by repeated float32 addition, written out independently.
        int length = (int)MathF.Ceiling(MathF.Abs((1.7f - 0.1f) / 0.3f));
        var expected = new float[length];
        float value = 0.1f;
        for (int i = 0; i < length; i++, value += 0.3f) expected[i] = value;
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(expected));
        Assert.That(length, Is.EqualTo(6));
    }

    /// <summary>input [rows, n] → TOPK_V2 with k a graph input → values, indices.</summary>
    private static Interpreter TopKInterpreter(int[] shape, out Model model)
    {
        var b = new ModelBuilder("topk");
        int x = b.AddTensor("x", TensorType.Float32, shape);
        int k = b.AddTensor("k", TensorType.Int32, []);
        int values = b.AddTensor("values", TensorType.Float32, shape);
        int indices = b.AddTensor("indices", TensorType.Int32, shape);
        b.AddOperator(BuiltinOperator.TopKV2, [x, k], [values, indices]);
        b.AddInput(x);
        b.AddInput(k);
        b.AddOutput(values);
        b.AddOutput(indices);
        return Allocated(b.Build(), out model);
    }

    [Test]
    public void TopK_orders_by_value_then_lower_index_and_ranks_nan_first()
    {
        float[] x = [1, 3, 3, float.NaN, -0f, 0f, 3, 7, float.NaN, 2];
        using var interpreter = TopKInterpreter([x.Length], out var model);
        using var _ = model;
        interpreter.SetInput<float>(0, x);
        interpreter.SetInput<int>(1, [x.Length]);
        interpreter.Invoke();
        // The order written out independently: a stable sort, NaN above every number, larger values first.
        int[] expected = Enumerable.Range(0, x.Length)
            .OrderBy(i => float.IsNaN(x[i]) ? 0 : 1).ThenByDescending(i => float.IsNaN(x[i]) ? 0 : x[i]).ThenBy(i => i).ToArray();
        Assert.That(interpreter.Output<int>(1).ToArray(), Is.EqualTo(expected));
        Assert.That(interpreter.Output<int>(1).ToArray(), Is.EqualTo(new[] { 3, 8, 7, 1, 2, 6, 9, 0, 4, 5 }));

        interpreter.SetInput<int>(1, [3]);
        interpreter.Invoke();
        Assert.That(interpreter.GetOutputTensor(1).Shape.ToArray(), Is.EqualTo(new[] { 3 }));
        Assert.That(interpreter.Output<int>(1).ToArray(), Is.EqualTo(expected[..3]));
    }

    [TestCase(11, "higher than the last dimension")]
    [TestCase(-1, "must not be negative")]
    public void TopK_with_a_bad_run_time_k_is_a_typed_error(int k, string message)
    {
        using var interpreter = TopKInterpreter([2, 10], out var model);
        using var _ = model;
        interpreter.SetInput<int>(1, [k]);
        var e = Assert.Throws<KernelException>(() => interpreter.Invoke());
        Assert.That(e!.Message, Does.Contain("TOPK_V2").And.Contain(message));
    }

    /// <summary>NMS V4 (V5 with sigma) over boxes and scores (graph inputs), max_output_size a graph input.</summary>
    private static Interpreter NmsInterpreter(bool soft, int boxes, float iou, float scoreThreshold, float sigma, out Model model) =>
        Allocated(NmsModel(soft, boxes, iou, scoreThreshold, sigma), out model);

    private static byte[] NmsModel(bool soft, int boxes, float iou, float scoreThreshold, float sigma)
    {
        var b = new ModelBuilder("nms");
        int boxTensor = b.AddTensor("boxes", TensorType.Float32, [boxes, 4]);
        int scores = b.AddTensor("scores", TensorType.Float32, [boxes]);
        int max = b.AddTensor("max_output_size", TensorType.Int32, []);
        var inputs = new List<int> { boxTensor, scores, max, b.AddConstant("iou", [], [iou]), b.AddConstant("score", [], [scoreThreshold]) };
        if (soft) inputs.Add(b.AddConstant("sigma", [], [sigma]));
        int selected = b.AddTensor("selected", TensorType.Int32, [1]);
        var outputs = new List<int> { selected };
        if (soft) outputs.Add(b.AddTensor("selected_scores", TensorType.Float32, [1]));
        outputs.Add(b.AddTensor("valid", TensorType.Int32, []));
        b.AddOperator(soft ? BuiltinOperator.NonMaxSuppressionV5 : BuiltinOperator.NonMaxSuppressionV4, inputs.ToArray(), outputs.ToArray());
        b.AddInput(boxTensor);
        b.AddInput(scores);
        b.AddInput(max);
        foreach (int o in outputs) b.AddOutput(o);
        return b.Build();
    }

    /// <summary>TensorFlow's documented example: six boxes, two clusters and a far box.</summary>
    private static readonly float[] ExampleBoxes =
        [0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, -0.1f, 1, 0.9f, 0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100, 1, 101];

    private static readonly float[] ExampleScores = [0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f];

    [Test]
    public void Nms_v4_selects_the_best_box_of_each_cluster_and_pads_with_zeros()
    {
        using var interpreter = NmsInterpreter(soft: false, 6, 0.5f, 0f, 0f, out var model);
        using var _ = model;
        interpreter.SetInput<float>(0, ExampleBoxes);
        interpreter.SetInput<float>(1, ExampleScores);
        interpreter.SetInput<int>(2, [5]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<int>(0).ToArray(), Is.EqualTo(new[] { 3, 0, 5, 0, 0 }));
        Assert.That(interpreter.Output<int>(1)[0], Is.EqualTo(3));
    }

    [Test]
    public void Nms_v5_soft_suppression_decays_overlapping_scores()
    {
        using var interpreter = NmsInterpreter(soft: true, 6, 1f, 0f, 0.5f, out var model);
        using var _ = model;
        interpreter.SetInput<float>(0, ExampleBoxes);
        interpreter.SetInput<float>(1, ExampleScores);
        interpreter.SetInput<int>(2, [6]);
        interpreter.Invoke();
        var indices = interpreter.Output<int>(0).ToArray();
        var scores = interpreter.Output<float>(1).ToArray();
        Assert.That(indices[..2], Is.EqualTo(new[] { 3, 0 }), "the two cluster heads keep their scores");
        Assert.That(scores[..2], Is.EqualTo(new[] { 0.95f, 0.9f }));
        // Every later selection was decayed: below its original score, still in decreasing order.
        for (int i = 2; i < interpreter.Output<int>(2)[0]; i++)
        {
            Assert.That(scores[i], Is.LessThanOrEqualTo(ExampleScores[indices[i]]));
            Assert.That(scores[i], Is.LessThanOrEqualTo(scores[i - 1]));
        }
    }

    [Test]
    public void Nms_bad_run_time_values_are_typed_errors()
    {
        using (var interpreter = NmsInterpreter(soft: false, 6, 0.5f, 0f, 0f, out var model))
        using (model)
        {
            interpreter.SetInput<int>(2, [-1]);
            Assert.That(Assert.Throws<KernelException>(() => interpreter.Invoke())!.Message, Does.Contain("max_output_size must not be negative"));
        }
        // A constant sigma is checked when the node is prepared.
        using (var model = Model.FromBytes(NmsModel(soft: true, 6, 0.5f, 0f, -0.5f)))
        using (var interpreter = new Interpreter(model))
            Assert.That(Assert.Throws<KernelException>(() => interpreter.AllocateTensors())!.Message, Does.Contain("soft_nms_sigma must not be negative"));
    }

    [Test]
    public void The_value_dependent_kernels_allocate_nothing_on_a_steady_invoke()
    {
        using var fill = Allocated(FillThenAddModel(), out var fillModel);
        using var range = RangeInterpreter<float>(TensorType.Float32, out var rangeModel);
        using var topK = TopKInterpreter([4, 33], out var topKModel);
        using var nms = NmsInterpreter(soft: true, 6, 0.5f, 0f, 0.5f, out var nmsModel);
        using var models = new CompositeDisposable(fillModel, rangeModel, topKModel, nmsModel);
        fill.SetInput<int>(0, [3, 7]);
        range.SetInput<float>(0, [0f]);
        range.SetInput<float>(1, [10f]);
        range.SetInput<float>(2, [0.5f]);
        topK.SetInput<float>(0, Enumerable.Range(0, 4 * 33).Select(i => (float)((i * 37) % 101)).ToArray());
        topK.SetInput<int>(1, [5]);
        nms.SetInput<float>(0, ExampleBoxes);
        nms.SetInput<float>(1, ExampleScores);
        nms.SetInput<int>(2, [4]);
        foreach (var interpreter in new[] { fill, range, topK, nms })
        {
            interpreter.Invoke();
            long before = GC.GetAllocatedBytesForCurrentThread();
            interpreter.Invoke();
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, interpreter.Model.Description);
        }
    }

    private sealed class CompositeDisposable(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items) item.Dispose();
        }
    }
}
