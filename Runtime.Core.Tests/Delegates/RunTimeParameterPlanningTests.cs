using Accel.Building;
using Accel.Delegates;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Tests.Delegates;

/// <summary>
/// Nodes whose params are resolved at Invoke (a run-time parameter input sizes their outputs: TRANSPOSE_CONV with a
/// computed output_shape): the planner offers them only to a delegate declaring
/// <see cref="DelegateCapabilities.RunTimeParameters"/>; its compiled kernel resolves the params with
/// <see cref="DelegateNode.ResolveParams"/> (the definition's checks and errors, the dynamic output resized); a node
/// reading that dynamic output stays on the reference, prepared at Invoke, in the partition after.
/// </summary>
[TestFixture]
public sealed class RunTimeParameterPlanningTests
{
    /// <summary>
    /// A host delegate claiming TRANSPOSE_CONV (and nothing else). Its kernel resolves the node's params and writes
    /// every output element as the output's height (a value the shape decides), so what it computed is checkable.
    /// </summary>
    private sealed class ResolvingDelegate(bool runTimeParameters) : IAccelDelegate
    {
        public string Name => runTimeParameters ? "resolving" : "static";
        public DelegateCapabilities Capabilities { get; } =
            new(new HashSet<TensorType> { TensorType.Float32 }, false, DelegateMemory.Host, RunTimeParameters: runTimeParameters);
        public string? UnavailableReason => null;
        public List<DelegateNode> Offered { get; } = [];
        public List<OpParams> Resolved { get; } = [];

        public NodeSupport Supports(DelegateNode node)
        {
            Offered.Add(node);
            return node.Builtin == BuiltinOperator.TransposeConv ? NodeSupport.Supported : NodeSupport.Refuse("not TRANSPOSE_CONV");
        }

        public IPartitionKernel Compile(DelegatePartition partition) => new Kernel(this, partition.Nodes.Single());
        public double EstimateSeconds(DelegateNode node) => 0;
        public double EstimateTransferSeconds(long bytes) => 0;
        public void Dispose() { }

        private sealed class Kernel(ResolvingDelegate owner, DelegateNode node) : IPartitionKernel
        {
            public void Invoke()
            {
                var p = node.ResolveParams();
                if (owner.Resolved.Count == 0 || !ReferenceEquals(owner.Resolved[^1], p)) owner.Resolved.Add(p);
                var output = node.Outputs[0];
                output.Write<float>().Fill(output.Dim(1));
            }

            public void Dispose() { }
        }
    }

    /// <summary>output_shape (int32 [4], graph input 0), x (float32 [1,4,5,3], input 1) → TRANSPOSE_CONV (3x3, strides 2, SAME) → RELU → output.</summary>
    private static Model BuildModel()
    {
        var mb = new ModelBuilder("run-time output_shape");
        int shape = mb.AddTensor("output_shape", TensorType.Int32, [4]);
        int x = mb.AddTensor("x", TensorType.Float32, [1, 4, 5, 3]);
        int w = mb.AddConstant("w", [4, 3, 3, 3], Enumerable.Range(0, 108).Select(i => (i % 7 - 3) * 0.25f).ToArray());
        int y = mb.AddTensor("y", TensorType.Float32, [1, 8, 10, 4]);
        int relu = mb.AddTensor("relu", TensorType.Float32, [1, 8, 10, 4]);
        mb.AddOperator(BuiltinOperator.TransposeConv, [shape, w, x], [y], new TransposeConvOptions(Padding.Same, 2, 2));
        mb.AddOperator(BuiltinOperator.Relu, [y], [relu]);
        mb.AddInput(shape);
        mb.AddInput(x);
        mb.AddOutput(relu);
        return Model.FromBytes(mb.Build());
    }

    private static Interpreter Allocated(Model model, IAccelDelegate accelDelegate)
    {
        var options = new InterpreterOptions();
        options.Delegates.Add(new DelegateSelection(accelDelegate));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        return interpreter;
    }

    private static void Run(Interpreter interpreter, int[] outputShape)
    {
        interpreter.SetInput<int>(0, outputShape);
        interpreter.Input<float>(1).Fill(1f);
        interpreter.Invoke();
    }

    [Test]
    public void Planner_offers_a_run_time_parameter_node_only_to_a_delegate_that_opts_in()
    {
        using var model = BuildModel();
        var opted = new ResolvingDelegate(runTimeParameters: true);
        using (var interpreter = Allocated(model, opted))
        {
            var offered = opted.Offered.Single();
            Assert.That(offered.Index, Is.EqualTo(0), "the RELU reads a dynamic tensor: never offered");
            Assert.That(offered.ParamsAtInvoke, Is.True);
            Assert.That(interpreter.Plan.Partitions.Select(p => (p.Executor, p.Nodes.Single())),
                Is.EqualTo(new[] { ("resolving", 0), (ExecutionPlan.ReferenceExecutor, 1) }));
            Assert.That(interpreter.Plan.Refused.Single().Reason, Is.EqualTo(DelegatePlanner.DynamicShapeReason));
        }

        var plain = new ResolvingDelegate(runTimeParameters: false);
        using (var interpreter = Allocated(model, plain))
        {
            Assert.That(plain.Offered, Is.Empty);
            Assert.That(interpreter.Plan.DelegatedNodeCount, Is.Zero);
            Assert.That(interpreter.Plan.Refused.Select(r => (r.Node, r.Reason)),
                Is.EquivalentTo(new[] { (0, DelegatePlanner.DynamicShapeReason), (1, DelegatePlanner.DynamicShapeReason) }));
            Run(interpreter, [1, 7, 9, 4]);
            Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 7, 9, 4 }));
        }
    }

    [Test]
    public void Resolved_params_resize_the_output_between_invokes_and_stay_one_instance_while_the_value_does()
    {
        using var model = BuildModel();
        var opted = new ResolvingDelegate(runTimeParameters: true);
        using var interpreter = Allocated(model, opted);
        foreach (var (shape, resolutions) in new[] { (new[] { 1, 8, 10, 4 }, 1), ([1, 8, 10, 4], 1), ([1, 7, 9, 4], 2), ([1, 7, 9, 4], 2), ([1, 8, 9, 4], 3) })
        {
            Run(interpreter, shape);
            // The RELU, prepared at Invoke on the reference, follows the dynamic output's new shape.
            Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(interpreter.Output<float>(0).ToArray(), Is.All.EqualTo((float)shape[1]));
            Assert.That(opted.Resolved, Has.Count.EqualTo(resolutions), "a new params instance only when the value changes");
        }
        var p = opted.Resolved.Select(r => (TransposeConvParams)r).ToArray();
        Assert.That(p.Select(x => (x.PadTop, x.PadLeft)), Is.EqualTo(new[] { (0, 0), (1, 1), (0, 1) }), "SAME padding of each output size");
        Assert.That(interpreter.DynamicTensorBytes, Is.EqualTo(2 * 1 * 8 * 10 * 4 * sizeof(float)), "the two dynamic buffers grew to the largest shape");
    }

    [Test]
    public void Resolving_an_invalid_output_shape_gives_the_references_error_naming_the_node()
    {
        using var model = BuildModel();
        using var reference = new Interpreter(model);
        reference.AllocateTensors();
        var expected = Assert.Throws<KernelException>(() => Run(reference, [1, 12, 10, 4]))!;

        var opted = new ResolvingDelegate(runTimeParameters: true);
        using var interpreter = Allocated(model, opted);
        Run(interpreter, [1, 8, 10, 4]);
        var thrown = Assert.Throws<DelegateInvokeException>(() => Run(interpreter, [1, 12, 10, 4]))!;
        var error = thrown.InnerException as KernelException;
        Assert.That(error, Is.Not.Null);
        Assert.That((error!.NodeIndex, error.OperatorName, error.Message), Is.EqualTo((expected.NodeIndex, expected.OperatorName, expected.Message)));
        Assert.That(error.Message, Does.Contain("does not match the input"));
        Run(interpreter, [1, 7, 9, 4]);
        Assert.That(interpreter.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 7, 9, 4 }));
    }
}
