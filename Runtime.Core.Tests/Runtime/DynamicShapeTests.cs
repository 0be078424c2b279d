using Accel.Building;
using Accel.Delegates;
using Accel.Tests.Delegates;

namespace Accel.Tests.Runtime;

/// <summary>
/// Run-time shapes: outputs whose shape depends on input values are dynamic tensors (TFLite's kTfLiteDynamic), sized
/// at Invoke in buffers of their own; nodes downstream are prepared at Invoke; delegates leave them to the reference
/// executor.
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
}
