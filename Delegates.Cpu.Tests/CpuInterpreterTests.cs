using Accel.Building;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>CpuInterpreter: the one-line fast path, bit-exact with the reference executor (new Interpreter(model)).</summary>
public sealed class CpuInterpreterTests
{
    private static Model SmallModel()
    {
        var mb = new ModelBuilder();
        int x = mb.AddTensor("x", TensorType.Float32, [1, 4, 4, 3]);
        int y = mb.AddTensor("y", TensorType.Float32, [1, 4, 4, 3]);
        int z = mb.AddTensor("z", TensorType.Float32, [1, 4, 4, 3]);
        mb.AddOperator(BuiltinOperator.Logistic, [x], [y]);
        mb.AddOperator(BuiltinOperator.Add, [x, y], [z], new AddOptions(ActivationFunctionType.Relu6));
        mb.AddInput(x);
        mb.AddOutput(z);
        return Model.FromBytes(mb.Build());
    }

    [TestCase(1)]
    [TestCase(2)]
    public void CreateRunsOnTheCpuDelegateAndMatchesTheReferenceBitForBit(int threads)
    {
        using var model = SmallModel();
        var input = Enumerable.Range(0, 48).Select(i => (i - 24) * 0.37f).ToArray();

        using var fast = CpuInterpreter.Create(model, threads);
        fast.AllocateTensors();
        fast.SetInput<float>(0, input);
        fast.Invoke();

        using var reference = new Interpreter(model);
        reference.AllocateTensors();
        reference.SetInput<float>(0, input);
        reference.Invoke();

        Assert.That(fast.Plan.DelegatedNodeCount, Is.EqualTo(2), "both nodes run on the CPU delegate");
        Assert.That(fast.Plan.Partitions.Single().Executor, Is.EqualTo("cpu"));
        Assert.That(reference.Plan.DelegatedNodeCount, Is.Zero, "new Interpreter(model) stays the reference executor");
        Assert.That(fast.Output<float>(0).ToArray(), Is.EqualTo(reference.Output<float>(0).ToArray()));
    }

    [Test]
    public void EachCallGivesOptionsWithTheirOwnDelegate()
    {
        var a = CpuInterpreter.CreateOptions();
        var b = CpuInterpreter.CreateOptions(threads: 3);
        Assert.That(a.Delegates.Single().Delegate, Is.InstanceOf<CpuDelegate>());
        Assert.That(b.Delegates.Single().Delegate, Is.Not.SameAs(a.Delegates.Single().Delegate));
        Assert.That(b.Threads, Is.EqualTo(3));
        a.Delegates.Single().Delegate.Dispose();
        b.Delegates.Single().Delegate.Dispose();
    }

    [Test]
    public void ThreadsBelowOneAreRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CpuInterpreter.CreateOptions(0))!;
        Assert.That(e.ParamName, Is.EqualTo("threads"));
    }
}
