using Accel.Building;
using Accel.Testing;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// TRANSPOSE_CONV whose output_shape is a graph input (known only at Invoke), float32, hybrid (int8 weights), int8, uint8 and int16x8: the
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

    /// <summary>output_shape (int32 [4], graph input 0), x (int8/uint8/int16 [2,4,5,3], graph input 1) → TRANSPOSE_CONV → output.</summary>
    private static byte[] BuildIntegerModel(TensorType type, bool bias)
    {
        var mb = new ModelBuilder($"{type} run-time output_shape TRANSPOSE_CONV");
        bool int16 = type == TensorType.Int16;
        var q = new QuantizationParameters([int16 ? 1f / 4096 : 0.05f], [type == TensorType.UInt8 ? 131 : int16 ? 0 : -3], 0, [], []);
        int shape = mb.AddTensor("output_shape", TensorType.Int32, [4]);
        int x = mb.AddTensor("x", type, [2, 4, 5, 3], q);
        var random = new Random(47);
        var weightBytes = Enumerable.Range(0, 4 * 3 * 3 * 3).Select(_ => (byte)random.Next(type == TensorType.UInt8 ? 0 : 129, 256 + 127)).ToArray();
        int w = type == TensorType.UInt8
            ? mb.AddConstant("w", TensorType.UInt8, [4, 3, 3, 3], weightBytes, new QuantizationParameters([0.02f], [120], 0, [], []))
            : mb.AddConstant("w", TensorType.Int8, [4, 3, 3, 3], weightBytes, new QuantizationParameters([0.01f, 0.02f, 0.03f, 0.04f], new long[4], 0, [], []));
        List<int> inputs = [shape, w, x];
        if (bias)
        {
            var biasValues = Enumerable.Range(0, 4).Select(_ => (long)random.Next(-3000, 3000)).ToArray();
            float inputScale = q.Scale[0];
            var biasScales = type == TensorType.UInt8 ? new[] { inputScale * 0.02f } : new[] { inputScale * 0.01f, inputScale * 0.02f, inputScale * 0.03f, inputScale * 0.04f };
            inputs.Add(int16
                ? mb.AddConstant("b", TensorType.Int64, [4], biasValues.SelectMany(BitConverter.GetBytes).ToArray(), new QuantizationParameters(biasScales, new long[4], 0, [], []))
                : mb.AddConstant("b", TensorType.Int32, [4], biasValues.SelectMany(v => BitConverter.GetBytes((int)v)).ToArray(),
                    new QuantizationParameters(biasScales, new long[biasScales.Length], 0, [], [])));
        }
        int y = mb.AddTensor("y", type, Tall, new QuantizationParameters([int16 ? 1f / 2048 : 0.1f], [type == TensorType.UInt8 ? 120 : int16 ? 0 : 3], 0, [], []));
        mb.AddOperator(BuiltinOperator.TransposeConv, inputs.ToArray(), [y], new TransposeConvOptions(Padding.Same, 2, 2), version: bias ? 3 : 2);
        mb.AddInput(shape);
        mb.AddInput(x);
        mb.AddOutput(y);
        return mb.Build();
    }

    private static byte[][] IntegerInputs(TensorType type, int[] outputShape)
    {
        var random = new Random(9);
        byte[] image = type == TensorType.Int16
            ? Enumerable.Range(0, 2 * 4 * 5 * 3).SelectMany(_ => BitConverter.GetBytes((short)random.Next(short.MinValue, short.MaxValue + 1))).ToArray()
            : Enumerable.Range(0, 2 * 4 * 5 * 3).Select(_ => (byte)random.Next(256)).ToArray();
        return [outputShape.SelectMany(BitConverter.GetBytes).ToArray(), image];
    }

    [TestCase(TensorType.Int8, true)]
    [TestCase(TensorType.Int8, false)]
    [TestCase(TensorType.UInt8, true)]
    [TestCase(TensorType.Int16, true)]
    public void Integer_run_time_output_shape_is_delegated_and_bit_exact_through_resizes(TensorType type, bool bias)
    {
        using var model = Model.FromBytes(BuildIntegerModel(type, bias));
        using var reference = InvokeErrorHarness.Create(model, null);
        using var cpu = OnCpu(model, threads: 2);
        Assert.That(cpu.Plan.DelegatedNodeCount, Is.EqualTo(1), string.Join("; ", cpu.Plan.Refused.Select(r => r.Reason)));
        foreach (var shape in new[] { Tall, Short, Short, Tall })
        {
            var expected = InvokeErrorHarness.Run(reference, IntegerInputs(type, shape));
            var actual = InvokeErrorHarness.Run(cpu, IntegerInputs(type, shape));
            Assert.That(cpu.GetOutputTensor(0).Shape.ToArray(), Is.EqualTo(shape));
            Assert.That(actual, Is.EqualTo(expected), $"{type} output_shape [{string.Join(",", shape)}]");
        }
        Assert.That(cpu.FellBackToReference, Is.False);
        InvokeAllocation.AssertNoneAfterWarmUp(cpu, $"{type} run-time output_shape, 2 threads");
    }
}
