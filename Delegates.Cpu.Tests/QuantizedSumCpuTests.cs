using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8/uint8 SUM on the CPU delegate (SumCpuKernel: MEAN's integer node with SUM's requantization): delegated,
/// bit-identical with the reference over kept and reduced innermost dimensions, and allocation-free per invoke.
/// int16 SUM and MEAN run there too (the same node, int16 rows). (The conformance suite compares every SUM case too.)
/// </summary>
[TestFixture]
public sealed class QuantizedSumCpuTests
{
    private static byte[] SumModel(TensorType type, int[] shape, int[] axes)
    {
        var b = new ModelBuilder("quantized sum");
        long zeroPoint = type == TensorType.UInt8 ? 131 : type == TensorType.Int8 ? -7 : 0;
        int x = b.AddTensor("x", type, shape, new QuantizationParameters([0.05f], [zeroPoint], 0, [], []));
        int a = b.AddConstant("axes", [axes.Length], axes);
        int[] outputShape = shape.Where((_, d) => !axes.Contains(d)).ToArray();
        int y = b.AddTensor("y", type, outputShape, new QuantizationParameters([0.7f], [type == TensorType.UInt8 ? 120L : type == TensorType.Int8 ? 3L : 0L], 0, [], []));
        b.AddOperator(BuiltinOperator.Sum, [x, a], [y], new ReducerOptions(false), version: 2);
        b.AddInput(x);
        b.AddOutput(y);
        return b.Build();
    }

    private static (byte[] Output, int Delegated) Run(byte[] bytes, TensorType type, byte[] input, bool cpu)
    {
        using var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions();
        if (cpu) options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        SetBytes(interpreter, type, input);
        interpreter.Invoke();
        byte[] output = type == TensorType.Int8
            ? interpreter.Output<sbyte>(0).ToArray().Select(v => (byte)v).ToArray()
            : interpreter.Output<byte>(0).ToArray();
        return (output, interpreter.Plan.DelegatedNodeCount);
    }

    private static void SetBytes(Interpreter interpreter, TensorType type, byte[] input)
    {
        if (type == TensorType.Int8) interpreter.SetInput<sbyte>(0, input.Select(v => (sbyte)v).ToArray());
        else interpreter.SetInput<byte>(0, input);
    }

    [TestCase(TensorType.Int8, new[] { 2, 9, 7, 37 }, new[] { 1, 2 })]
    [TestCase(TensorType.Int8, new[] { 2, 9, 7, 37 }, new[] { 3 })]
    [TestCase(TensorType.UInt8, new[] { 2, 9, 7, 37 }, new[] { 0, 3 })]
    [TestCase(TensorType.UInt8, new[] { 5, 1001 }, new[] { 0 })]
    public void Int8AndUint8Sum_RunOnTheCpuDelegate_BitIdenticalWithTheReference(TensorType type, int[] shape, int[] axes)
    {
        var bytes = SumModel(type, shape, axes);
        var input = new byte[shape.Aggregate(1, (p, d) => p * d)];
        new Random(17).NextBytes(input);
        var (reference, _) = Run(bytes, type, input, cpu: false);
        var (delegated, count) = Run(bytes, type, input, cpu: true);
        Assert.That(count, Is.EqualTo(1));
        Assert.That(delegated, Is.EqualTo(reference));
    }

    [TestCase(new[] { 2, 9, 7, 37 }, new[] { 1, 2 })]
    [TestCase(new[] { 2, 9, 7, 37 }, new[] { 3 })]
    [TestCase(new[] { 5, 1001 }, new[] { 0 })]
    [TestCase(new[] { 3, 40000 }, new[] { 1 })]
    public void Int16Sum_RunsOnTheCpuDelegate_BitIdenticalWithTheReference(int[] shape, int[] axes)
    {
        var bytes = SumModel(TensorType.Int16, shape, axes);
        var input = new short[shape.Aggregate(1, (p, d) => p * d)];
        var random = new Random(23);
        for (int i = 0; i < input.Length; i++) input[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
        Assert.That(RunInt16(bytes, BuiltinOperator.Sum, input, cpu: true), Is.EqualTo(RunInt16(bytes, BuiltinOperator.Sum, input, cpu: false)));
    }

    /// <summary>int16 MEAN (zero points 0): keep_dims over [1, 2] of a rank-4 input takes TFLite's spatial form, other axes QuantizedMeanOrSum.</summary>
    [TestCase(new[] { 2, 9, 7, 37 }, new[] { 1, 2 }, true)]
    [TestCase(new[] { 2, 9, 7, 37 }, new[] { 1, 2 }, false)]
    [TestCase(new[] { 2, 9, 7, 37 }, new[] { 3 }, false)]
    [TestCase(new[] { 4, 1001 }, new[] { 0 }, true)]
    public void Int16Mean_RunsOnTheCpuDelegate_BitIdenticalWithTheReference(int[] shape, int[] axes, bool keepDims)
    {
        var b = new ModelBuilder("int16 mean");
        int x = b.AddTensor("x", TensorType.Int16, shape, new QuantizationParameters([0.002f], [0], 0, [], []));
        int a = b.AddConstant("axes", [axes.Length], axes);
        int[] outputShape = keepDims ? shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray() : shape.Where((_, d) => !axes.Contains(d)).ToArray();
        int y = b.AddTensor("y", TensorType.Int16, outputShape, new QuantizationParameters([0.0015f], [0], 0, [], []));
        b.AddOperator(BuiltinOperator.Mean, [x, a], [y], new ReducerOptions(keepDims), version: 3);
        b.AddInput(x);
        b.AddOutput(y);
        var bytes = b.Build();
        var input = new short[shape.Aggregate(1, (p, d) => p * d)];
        var random = new Random(29);
        for (int i = 0; i < input.Length; i++) input[i] = (short)random.Next(short.MinValue, short.MaxValue + 1);
        Assert.That(RunInt16(bytes, BuiltinOperator.Mean, input, cpu: true), Is.EqualTo(RunInt16(bytes, BuiltinOperator.Mean, input, cpu: false)));
    }

    private static short[] RunInt16(byte[] bytes, BuiltinOperator op, short[] input, bool cpu)
    {
        using var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = 2 };
        if (cpu) options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        interpreter.SetInput<short>(0, input);
        interpreter.Invoke();
        if (cpu) Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1), $"{op} delegated");
        return interpreter.Output<short>(0).ToArray();
    }

    [Test]
    public void Int8Sum_AllocatesNothingPerInvoke()
    {
        using var model = Model.FromBytes(SumModel(TensorType.Int8, [1, 16, 16, 33], [1, 2]));
        var options = new InterpreterOptions { Threads = 2 };
        options.Delegates.Add(new DelegateSelection(new CpuDelegate()));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(1));
        var input = new byte[16 * 16 * 33];
        new Random(5).NextBytes(input);
        SetBytes(interpreter, TensorType.Int8, input);
        InvokeAllocation.AssertNoneAfterWarmUp(interpreter, "2 threads", warmUpMilliseconds: 1000);
    }
}
