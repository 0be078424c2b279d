using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// CpuDelegate's parallel threshold: with more than one thread, the compiled nodes estimated below it run on the
/// calling thread alone and the others on the pool, with the same output bytes; 0 (the default) puts every node on the pool.
/// </summary>
[TestFixture]
public sealed class ParallelThresholdTests
{
    /// <summary>A 2×2×8 ADD (estimated well under a microsecond) and a 256×256×32 MUL (about 300 µs: 25 MB moved).</summary>
    private static (byte[] Model, float[][] Inputs) SmallAndLarge()
    {
        var mb = new ModelBuilder();
        int[] small = [1, 2, 2, 8], large = [1, 256, 256, 32];
        int a = mb.AddTensor("a", TensorType.Float32, small);
        int b = mb.AddTensor("b", TensorType.Float32, large);
        int sum = mb.AddTensor("sum", TensorType.Float32, small);
        int product = mb.AddTensor("product", TensorType.Float32, large);
        mb.AddOperator(BuiltinOperator.Add, [a, a], [sum], new AddOptions(ActivationFunctionType.None));
        mb.AddOperator(BuiltinOperator.Mul, [b, b], [product], new MulOptions(ActivationFunctionType.None));
        mb.AddInput(a);
        mb.AddInput(b);
        mb.AddOutput(sum);
        mb.AddOutput(product);
        var random = new Random(5);
        float[] Values(int[] shape) => Enumerable.Range(0, shape.Aggregate(1, (p, d) => p * d)).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();
        return (mb.Build(), [Values(small), Values(large)]);
    }

    private static (IReadOnlyList<bool> Parallel, byte[][] Outputs) Run(byte[] bytes, float[][] inputs, int threads, CpuDelegate cpu)
    {
        using var model = Model.FromBytes(bytes);
        var options = new InterpreterOptions { Threads = threads };
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(2));
        for (int i = 0; i < inputs.Length; i++) interpreter.GetInputTensor(i).CopyFrom<float>(inputs[i]);
        interpreter.Invoke();
        return (cpu.LastParallelNodes.ToArray(), Enumerable.Range(0, 2).Select(o => interpreter.GetOutputTensor(o).Bytes.ToArray()).ToArray());
    }

    [Test]
    public void NodesEstimatedBelowTheThresholdRunOnTheCallerAndTheOthersOnThePool_WithTheSameBytes()
    {
        var (model, inputs) = SmallAndLarge();
        var (parallel, outputs) = Run(model, inputs, threads: 2, new CpuDelegate(parallelThresholdMicroseconds: 40));
        Assert.That(parallel, Is.EqualTo(new[] { false, true }));
        var (_, everyNodeOnThePool) = Run(model, inputs, threads: 2, new CpuDelegate());
        var (_, oneThread) = Run(model, inputs, threads: 1, new CpuDelegate());
        Assert.That(outputs, Is.EqualTo(everyNodeOnThePool));
        Assert.That(outputs, Is.EqualTo(oneThread));
    }

    [Test]
    public void TheDefaultPutsEveryNodeOnThePool_AndOneThreadNone()
    {
        var (model, inputs) = SmallAndLarge();
        Assert.That(CpuDelegate.DefaultParallelThresholdMicroseconds, Is.EqualTo(0));
        Assert.That(Run(model, inputs, threads: 2, new CpuDelegate()).Parallel, Is.EqualTo(new[] { true, true }));
        Assert.That(Run(model, inputs, threads: 1, new CpuDelegate(parallelThresholdMicroseconds: 40)).Parallel, Is.EqualTo(new[] { false, false }));
    }

    [Test]
    public void AThresholdAboveEveryNodeKeepsThemAllOnTheCaller()
    {
        var (model, inputs) = SmallAndLarge();
        var cpu = new CpuDelegate(parallelThresholdMicroseconds: 1e9);
        Assert.That(Run(model, inputs, threads: 2, cpu).Parallel, Is.EqualTo(new[] { false, false }), "a threshold above every node keeps all on the caller");
    }

    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    public void ANegativeOrNaNThresholdIsRefused(double threshold) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CpuDelegate(parallelThresholdMicroseconds: threshold));
}
