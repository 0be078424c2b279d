using Accel.Building;
using Accel.Kernels;

namespace Accel.Tests.Runtime;

/// <summary>Model/interpreter lifetimes, calls in the wrong state, and one interpreter used from two threads (issue 18).</summary>
public sealed class InterpreterLifetimeTests
{
    private static byte[] AddModel(string? customCode = null)
    {
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [4]);
        int c = b.AddConstant("c", [4], [1f, 2f, 3f, 4f]);
        int y = b.AddTensor("y", TensorType.Float32, [4]);
        b.AddOperator(BuiltinOperator.Add, [x, c], [y]);
        int output = y;
        if (customCode is not null)
        {
            output = b.AddTensor("z", TensorType.Float32, [4]);
            b.AddCustomOperator(customCode, [y], [output], []);
        }
        b.AddInput(x);
        b.AddOutput(output);
        return b.Build();
    }

    [Test]
    public void DisposingTheModelWhileAnInterpreterLivesKeepsItsMemoryUntilTheInterpreterIsDisposed()
    {
        var model = Model.FromBytes(AddModel());
        var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        model.Dispose();
        Assert.That(model.IsDisposed, Is.True);

        // The constant operand still reads from the model's memory: no use after free.
        interpreter.SetInput<float>(0, [10f, 20f, 30f, 40f]);
        interpreter.Invoke();
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 11f, 22f, 33f, 44f }));
        interpreter.AllocateTensors();
        interpreter.Invoke();

        interpreter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.GetBytes(model.Buffers.First(r => r.Length > 0)));
    }

    [Test]
    public void ADisposedModelBuildsNoInterpreter()
    {
        var model = Model.FromBytes(AddModel());
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new Interpreter(model));
    }

    [Test]
    public void AConstructorThatFailsHoldsNoLeaseOnTheModel()
    {
        var model = Model.FromBytes(AddModel("NoSuchOp"));
        Assert.Throws<UnsupportedOperatorException>(() => new Interpreter(model));
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.GetBytes(model.Buffers.First(r => r.Length > 0)), "unmapped at once");
    }

    [Test]
    public void TensorDataBeforeAllocateTensorsIsAStateError()
    {
        using var model = Model.FromBytes(AddModel());
        using var interpreter = new Interpreter(model);
        Assert.Throws<InterpreterStateException>(() => interpreter.Input<float>(0));
        Assert.Throws<InterpreterStateException>(() => interpreter.Output<float>(0));
        Assert.Throws<InterpreterStateException>(() => interpreter.SetInput<float>(0, [1f, 2f, 3f, 4f]));
        Assert.That(interpreter.GetInputTensor(0).Shape.ToArray(), Is.EqualTo(new[] { 4 }), "metadata needs no memory");
    }

    [Test]
    public void EveryCallAfterDisposeIsAnObjectDisposedError()
    {
        using var model = Model.FromBytes(AddModel());
        var interpreter = new Interpreter(model);
        interpreter.AllocateTensors();
        interpreter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => interpreter.Input<float>(0));
        Assert.Throws<ObjectDisposedException>(() => interpreter.Output<float>(0));
        Assert.Throws<ObjectDisposedException>(() => interpreter.SetInput<float>(0, [1f, 2f, 3f, 4f]));
        Assert.Throws<ObjectDisposedException>(() => interpreter.Invoke());
        Assert.Throws<ObjectDisposedException>(() => interpreter.AllocateTensors());
        interpreter.Dispose(); // twice is fine
    }

    [Test]
    public void ASecondThreadInvokingWhileTheFirstRunsGetsATypedErrorAndTheFirstFinishes()
    {
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var resolver = OpResolver.CreateReference().AddCustom("Block", () => new BlockingKernel(inside, release));
        using var model = Model.FromBytes(AddModel("Block"));
        using var interpreter = new Interpreter(model, new InterpreterOptions { OpResolver = resolver });
        interpreter.AllocateTensors();
        interpreter.SetInput<float>(0, [1f, 1f, 1f, 1f]);

        var first = Task.Run(interpreter.Invoke);
        Assert.That(inside.Wait(TimeSpan.FromSeconds(30)), "the first invoke reached the blocking kernel");
        var e = Assert.Throws<InterpreterStateException>(() => interpreter.Invoke())!;
        Assert.That(e.Message, Does.Contain("one thread at a time"));
        Assert.Throws<InterpreterStateException>(() => interpreter.AllocateTensors());
        release.Set();
        Assert.That(first.Wait(TimeSpan.FromSeconds(30)), "the first invoke finished");
        Assert.That(interpreter.Output<float>(0).ToArray(), Is.EqualTo(new[] { 2f, 3f, 4f, 5f }));
        interpreter.Invoke(); // usable again
    }

    [Test]
    public void ManyInterpretersOnManyThreadsShareOneModelAndAgreeBitForBit()
    {
        using var model = Model.FromBytes(AddModel());
        var results = new float[8][];
        Parallel.For(0, 8, t =>
        {
            using var interpreter = new Interpreter(model);
            interpreter.AllocateTensors();
            for (int i = 0; i < 200; i++)
            {
                interpreter.SetInput<float>(0, [t, t + 0.5f, -t, 1e30f]);
                interpreter.Invoke();
            }
            results[t] = interpreter.Output<float>(0).ToArray();
        });
        for (int t = 0; t < 8; t++)
            Assert.That(results[t], Is.EqualTo(new[] { t + 1f, t + 2.5f, -t + 3f, 1e30f + 4f }));
    }

    /// <summary>A copy kernel that waits inside Invoke until released.</summary>
    private sealed class BlockingKernel(ManualResetEventSlim inside, ManualResetEventSlim release) : IKernel
    {
        public void Prepare(KernelContext context) => context.SetOutputShape(0, context.Input(0).Shape);

        public void Invoke(KernelContext context)
        {
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            context.Input(0).Read<float>().CopyTo(context.Output(0).Write<float>());
        }
    }

    [Test]
    public void InterpretersNeverDisposedGiveTheirNativeMemoryBackWhenCollected()
    {
        // 16 MiB arena each (x and y of 2 Mi floats); 60 of them undisposed would hold ~1 GiB if nothing freed them.
        var b = new ModelBuilder();
        int x = b.AddTensor("x", TensorType.Float32, [1 << 21]);
        int y = b.AddTensor("y", TensorType.Float32, [1 << 21]);
        b.AddOperator(BuiltinOperator.Relu, [x], [y]);
        b.AddInput(x);
        b.AddOutput(y);
        using var model = Model.FromBytes(b.Build());

        static void Abandon(Model model)
        {
            var interpreter = new Interpreter(model);
            interpreter.AllocateTensors();
            interpreter.Invoke(); // touches the arena's pages
        }

        long Resident()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return process.WorkingSet64;
        }

        // The first batches set the process's steady state (JIT, GC heap, allocator arenas, and tests running in
        // parallel in this process: a one-time step that took up to three batches in CI); after that, leaked arenas
        // would add 160 MiB every batch of 10, so the last two batches alone would add 320 MiB.
        var afterBatch = new List<long>();
        for (int batch = 0; batch < 7; batch++)
        {
            for (int i = 0; i < 10; i++) Abandon(model);
            afterBatch.Add(Resident() >> 20);
        }
        long growth = afterBatch[^1] - afterBatch[^3];
        Assert.That(growth, Is.LessThan(64),
            $"resident memory kept growing over abandoned interpreters (MiB after each batch of 10: {string.Join(", ", afterBatch)})");
        Assert.That(model.IsDisposed, Is.False);
    }

    [Test]
    public void OptionsWhoseDelegatesALiveInterpreterOwnsAreRefusedForASecondOneAndFreedWithTheFirst()
    {
        using var model = Model.FromBytes(AddModel());
        var fake = new Accel.Tests.Delegates.FakeDelegate("fake", Accel.Delegates.DelegateMemory.Host);
        var options = new InterpreterOptions();
        options.Delegates.Add(new Accel.Delegates.DelegateSelection(fake));
        var first = new Interpreter(model, options);
        var error = Assert.Throws<InterpreterStateException>(() => new Interpreter(model, options))!;
        Assert.That(error.Message, Does.Contain("belong to another live interpreter"));
        first.Dispose();
        Assert.That(fake.Disposed, Is.EqualTo(1), "disposed once, by its owner");
        using var second = new Interpreter(model, options); // the options are free again once their owner is gone
        using var withoutDelegates = new Interpreter(model, new InterpreterOptions());
        var shared = new InterpreterOptions();
        using var a = new Interpreter(model, shared); // options without delegates own nothing: shared freely
        using var b = new Interpreter(model, shared);
    }
}
