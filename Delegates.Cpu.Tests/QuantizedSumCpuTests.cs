using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// int8/uint8 SUM on the CPU delegate (SumCpuKernel: MEAN's integer node with SUM's requantization): delegated,
/// bit-identical with the reference over kept and reduced innermost dimensions, and allocation-free per invoke.
/// int16 SUM stays on the reference with the reason. (The conformance suite compares every SUM case too.)
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

    [Test]
    public void Int16Sum_StaysOnTheReference_WithTheReason()
    {
        using var cpu = new CpuDelegate();
        var int16 = cpu.Kernels.Covers(BuiltinOperator.Sum, TensorType.Int16);
        Assert.That(int16.IsSupported, Is.False);
        Assert.That(int16.Reason, Does.Contain("int16").And.Contain("SUM"));
        Assert.That(cpu.Kernels.Covers(BuiltinOperator.Sum, TensorType.Int8).IsSupported);
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
        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 30 || warmUp.ElapsedMilliseconds < 1000; i++) interpreter.Invoke();
        // As MathAllocationTests: a per-invoke allocation shows up in every round; one clean round proves none.
        long fewest = long.MaxValue;
        for (int round = 0; round < 30 && fewest > 0; round++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++) interpreter.Invoke();
            fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        Assert.That(fewest, Is.Zero);
    }
}
