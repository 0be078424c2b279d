using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// TRANSPOSE_CONV whose output_shape is a graph input (known only at Invoke), float32 and hybrid (int8 weights): the
/// planner offers it to the CPU delegate (DelegateCapabilities.RunTimeParameters), whose compiled node resolves the
/// params at Invoke (DelegateNode.ResolveParams: the definition's checks, the dynamic output resized), compiles the node
/// for them and runs it bit-exact with the reference; a node reading the dynamic output stays on the reference, prepared
/// at Invoke; a bad output_shape is the reference's error; a steady output_shape allocates nothing per Invoke.
/// </summary>
[TestFixture]
public sealed class RunTimeOutputShapeTransposeConvTests
{
    // Input [2, 4, 5, 3], a 3x3 filter, strides 2, SAME: an output height of 7 or 8 and a width of 9 or 10 map back to it.
    private static readonly int[] Tall = [2, 8, 10, 4];
    private static readonly int[] Short = [2, 7, 9, 4];

    /// <summary>output_shape (int32 [4], graph input 0), x (float32 [2,4,5,3], graph input 1) → TRANSPOSE_CONV → [RELU] → output.</summary>
    private static byte[] BuildModel(bool hybrid, bool bias, bool relu)
    {
        var random = new Random(hybrid ? 31 : 13);
        var mb = new ModelBuilder($"run-time output_shape TRANSPOSE_CONV hybrid={hybrid}");
        int shape = mb.AddTensor("output_shape", TensorType.Int32, [4]);
        int x = mb.AddTensor("x", TensorType.Float32, [2, 4, 5, 3]);
        int weights;
        if (hybrid)
        {
            var bytes = new byte[4 * 3 * 3 * 3];
            random.NextBytes(bytes);
            for (int i = 0; i < bytes.Length; i++)
                if (bytes[i] == 0x80) bytes[i] = 0x81;   // symmetric int8 weights
            var scales = new[] { 0.011f, 0.023f, 0.0071f, 0.017f };
            weights = mb.AddConstant("w", TensorType.Int8, [4, 3, 3, 3], bytes, new QuantizationParameters(scales, new long[4], 0, [], []));
        }
        else weights = mb.AddConstant("w", [4, 3, 3, 3], Values(random, 4 * 3 * 3 * 3, 0.5f));
        var inputs = new List<int> { shape, weights, x };
        if (bias) inputs.Add(mb.AddConstant("b", [4], Values(random, 4, 2f)));
        int y = mb.AddTensor("y", TensorType.Float32, Tall);
        mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(Padding.Same, 2, 2), version: bias ? 3 : 1);
        int output = y;
        if (relu)
        {
            output = mb.AddTensor("relu", TensorType.Float32, Tall);
            mb.AddOperator(BuiltinOperator.Relu, [y], [output]);
        }
        mb.AddInput(shape);
        mb.AddInput(x);
        mb.AddOutput(output);
        return mb.Build();
    }

    private static float[] Values(Random random, int count, float scale) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();

    private static readonly float[] Image = Values(new Random(5), 2 * 4 * 5 * 3, 3f);

    private static byte[][] Inputs(int[] outputShape) =>
        [outputShape.SelectMany(BitConverter.GetBytes).ToArray(), Image.SelectMany(BitConverter.GetBytes).ToArray()];

    private static Interpreter OnCpu(Model model, int threads = 1)
    {
        var interpreter = CpuInterpreter.Create(model, threads);
        interpreter.AllocateTensors();
        return interpreter;
    }

    [TestCase(false, true)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    [TestCase(true, false)]
    public void Run_time_output_shape_is_delegated_and_bit_exact_through_resizes(bool hybrid, bool bias)
    {
        using var model = Model.FromBytes(BuildModel(hybrid, bias, relu: true));
        using var reference = InvokeErrorHarness.Create(model, null);
        using var cpu = OnCpu(model, threads: 2);

        // TRANSPOSE_CONV on the CPU delegate; the RELU reads its dynamic output, so it stays on the reference (after it).
        var partitions = cpu.Plan.Partitions;
        Assert.That(partitions.Select(p => (p.Executor, p.Nodes.Single())), Is.EqualTo(new[] { ("cpu", 0), ("reference", 1) }));
        Assert.That(cpu.Plan.Refused.Single(r => r.Node == 1).Reason, Does.Contain("known only at Invoke"));
        Assert.That(cpu.Tensors[cpu.Plan.Partitions[0].Outputs.Single().TensorIndex].Storage, Is.EqualTo(TensorStorage.Dynamic));

        foreach (var shape in new[] { Tall, Short, Short, Tall })
        {
            var expected = InvokeErrorHarness.Run(reference, Inputs(shape));
            var actual = InvokeErrorHarness.Run(cpu, Inputs(shape));
            Assert.That(cpu.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(cpu.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(reference.GetOutputTensor(0).Shape.ToArray()));
            Assert.That(actual, Is.EqualTo(expected), $"output_shape [{string.Join(",", shape)}]");
        }
        Assert.That(cpu.FellBackToReference, Is.False);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Invalid_run_time_output_shape_fails_like_the_reference(bool hybrid)
    {
        using var model = Model.FromBytes(BuildModel(hybrid, bias: true, relu: false));
        InvokeErrorHarness.AssertFailsLikeTheReference(model, () => new CpuDelegate(), Inputs(Tall), Inputs([2, 12, 10, 4]),
            "TRANSPOSE_CONV", "does not match the input", $"run-time output_shape hybrid={hybrid}");
        InvokeErrorHarness.AssertFailsLikeTheReference(model, () => new CpuDelegate(), Inputs(Short), Inputs([2, 7, 9, 5]),
            "TRANSPOSE_CONV", "output channels 4", $"run-time output_shape hybrid={hybrid}");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Steady_run_time_output_shape_allocates_nothing_per_invoke(bool hybrid)
    {
        using var model = Model.FromBytes(BuildModel(hybrid, bias: true, relu: true));
        using var cpu = OnCpu(model, threads: 2);
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.EqualTo(1));
        InvokeErrorHarness.Run(cpu, Inputs(Short));
        InvokeErrorHarness.Run(cpu, Inputs(Tall));
        InvokeAllocation.AssertNoneAfterWarmUp(cpu, $"run-time output_shape hybrid={hybrid}, 2 threads");
    }

    [Test]
    public void Int8_transpose_conv_with_a_run_time_output_shape_is_refused_with_a_reason()
    {
        var mb = new ModelBuilder("int8 run-time output_shape");
        var q = new QuantizationParameters([0.05f], [0], 0, [], []);
        int shape = mb.AddTensor("output_shape", TensorType.Int32, [4]);
        int x = mb.AddTensor("x", TensorType.Int8, [1, 4, 5, 3], q);
        var bytes = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(i => (byte)(i * 37 % 200 - 100)).ToArray();
        int w = mb.AddConstant("w", TensorType.Int8, [4, 3, 3, 3], bytes, new QuantizationParameters([0.01f, 0.02f, 0.03f, 0.04f], new long[4], 0, [], []));
        int y = mb.AddTensor("y", TensorType.Int8, [1, 8, 10, 4], new QuantizationParameters([0.1f], [3], 0, [], []));
        mb.AddOperator(BuiltinOperator.TransposeConv, [shape, w, x], [y], new TransposeConvOptions(Padding.Same, 2, 2), version: 2);
        mb.AddInput(shape);
        mb.AddInput(x);
        mb.AddOutput(y);
        using var model = Model.FromBytes(mb.Build());
        using var cpu = OnCpu(model);
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.Zero);
        Assert.That(cpu.Plan.Refused.Single().Reason, Does.Contain("float32 and hybrid (int8 weights) TRANSPOSE_CONV only"));
        cpu.SetInput<int>(0, [1, 8, 10, 4]);
        cpu.Invoke();
        Assert.That(cpu.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 1, 8, 10, 4 }));
    }
}
