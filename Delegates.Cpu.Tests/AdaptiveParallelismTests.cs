using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>
/// CpuDelegate's adaptive parallelism: with more than one thread a partition times its invokes on the pool and on the
/// calling thread alone and keeps the faster (here on a test clock that makes one of them slow), with the same output
/// bytes on either; off, or at one thread, there is nothing to choose.
/// </summary>
[TestFixture]
public sealed class AdaptiveParallelismTests
{
    /// <summary>A side×side×32 MUL of its input by itself.</summary>
    private static byte[] SquareModel(int side)
    {
        var mb = new ModelBuilder();
        int[] shape = [1, side, side, 32];
        int b = mb.AddTensor("b", TensorType.Float32, shape);
        int product = mb.AddTensor("product", TensorType.Float32, shape);
        mb.AddOperator(BuiltinOperator.Mul, [b, b], [product], new MulOptions(ActivationFunctionType.None));
        mb.AddInput(b);
        mb.AddOutput(product);
        return mb.Build();
    }

    /// <summary>A 256×256×32 MUL (large enough that its element-wise kernel splits it over the pool) and its input.</summary>
    private static (byte[] Model, float[] Input) LargeMul()
    {
        var random = new Random(3);
        return (SquareModel(256), Enumerable.Range(0, 256 * 256 * 32).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray());
    }

    /// <summary>
    /// Invokes until the partition has chosen, on a clock under which an invoke whose nodes used the pool takes
    /// <paramref name="poolTicks"/> and one on the calling thread alone <paramref name="callerTicks"/>; returns the
    /// choice, whether the pool ran in each invoke, and every invoke's output bytes.
    /// </summary>
    private static (ParallelismChoice Choice, List<bool> PoolRan, List<byte[]> Outputs) RunUntilDecided(long poolTicks, long callerTicks)
    {
        var (bytes, input) = LargeMul();
        using var model = Model.FromBytes(bytes);
        var cpu = new CpuDelegate();
        long time = 0;
        int pooled = 0, subChunks = 0;
        cpu.Clock = () =>
        {
            time += Interlocked.Exchange(ref pooled, 0) != 0 ? poolTicks : callerTicks;
            return time;
        };
        var options = new InterpreterOptions { Threads = 2 };
        options.Delegates.Add(new DelegateSelection(cpu));
        using var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        cpu.Pool!.SubChunkHook = _ =>
        {
            Volatile.Write(ref pooled, 1);
            Interlocked.Increment(ref subChunks);
        };
        interpreter.GetInputTensor(0).CopyFrom<float>(input);
        var poolRan = new List<bool>();
        var outputs = new List<byte[]>();
        for (int i = 0; i < CpuDelegate.AdaptiveParallelismDecidedAfterInvokes + 3; i++)
        {
            int before = Volatile.Read(ref subChunks);
            interpreter.Invoke();
            poolRan.Add(Volatile.Read(ref subChunks) != before);
            outputs.Add(interpreter.GetOutputTensor(0).Bytes.ToArray());
        }
        return (cpu.ParallelismChoices.Single(), poolRan, outputs);
    }

    [Test]
    public void WhereThePoolIsSlower_ThePartitionKeepsTheCallingThread_WithTheSameBytes()
    {
        var (choice, poolRan, outputs) = RunUntilDecided(poolTicks: 1000, callerTicks: 10);
        Assert.That(choice, Is.EqualTo(new ParallelismChoice(true, false, 1000, 10)));
        Assert.That(poolRan.Take(ParallelismTuner.WarmupInvokes), Is.All.True, "the warm-up invokes run on the pool");
        Assert.That(poolRan.TakeLast(3), Is.All.False, "after the choice: the calling thread alone");
        var timed = poolRan.Skip(ParallelismTuner.WarmupInvokes).Take(2 * ParallelismTuner.SamplesPerPlan).ToArray();
        Assert.That(timed, Is.EqualTo(Enumerable.Range(0, timed.Length).Select(ParallelismTuner.PlanOf)), "the timed invokes alternate the plans");
        Assert.That(outputs, Is.All.EqualTo(outputs[0]), "every invoke, on either plan, writes the same bytes");
    }

    [Test]
    public void WhereThePoolIsFaster_ThePartitionKeepsThePool()
    {
        var (choice, poolRan, _) = RunUntilDecided(poolTicks: 10, callerTicks: 1000);
        Assert.That(choice, Is.EqualTo(new ParallelismChoice(true, true, 10, 1000)));
        Assert.That(poolRan.TakeLast(3), Is.All.True);
    }

    [Test]
    public void OffOrAtOneThread_NoPartitionTimesAnything()
    {
        using var model = Model.FromBytes(SquareModel(64));
        foreach (var (threads, adaptive) in new[] { (2, false), (1, true) })
        {
            var cpu = new CpuDelegate(adaptiveParallelism: adaptive);
            var options = new InterpreterOptions { Threads = threads };
            options.Delegates.Add(new DelegateSelection(cpu));
            using var interpreter = new Interpreter(model, options);
            interpreter.AllocateTensors();
            for (int i = 0; i < CpuDelegate.AdaptiveParallelismDecidedAfterInvokes + 1; i++) interpreter.Invoke();
            Assert.That(cpu.ParallelismChoices, Is.Empty, $"{threads} threads, adaptive {adaptive}");
        }
    }
}
