using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The CPU delegate's worker pool on its own: splitting, allocation-free hand-offs.</summary>
public sealed class CpuThreadPoolTests
{
    /// <summary>State of the allocation probe: per worker, the bytes it had allocated when each of its chunks began.</summary>
    private sealed class Probe(int threads, int jobs)
    {
        public readonly long[,] WorkerAllocated = new long[threads, jobs];
        public int Job;
        public int CallerSleepMs;
        public int WorkerSleepMs;
    }

    private static readonly CpuThreadPool.ChunkAction<Probe> Record = static (in Probe p, int start, int end) =>
    {
        if (start == 0)
        {
            if (p.CallerSleepMs > 0) Thread.Sleep(p.CallerSleepMs);
            return;
        }
        p.WorkerAllocated[start, p.Job] = GC.GetAllocatedBytesForCurrentThread();
        if (p.WorkerSleepMs > 0) Thread.Sleep(p.WorkerSleepMs);
    };

    [Test]
    public void ForCoversTheRangeOnceInContiguousChunks([Values(2, 3, 5)] int threads)
    {
        using var pool = new CpuThreadPool(threads);
        foreach (int count in new[] { 0, 1, 2, 3, 7, 64, 1001 })
        {
            var hits = new int[count];
            pool.For(count, hits, static (in int[] h, int start, int end) =>
            {
                for (int i = start; i < end; i++) Interlocked.Increment(ref h[i]);
            });
            Assert.That(hits, Is.All.EqualTo(1), $"count {count}");
        }
    }

    /// <summary>
    /// Neither the caller nor a worker allocates in a job after the first, also when each has to block: the caller
    /// waiting for a slow worker, a worker waiting for the next job (the BCL's slim events allocate their lock
    /// object on the first real block, which made ConvFamilyAllocationTests see 24 B at 2 threads now and then).
    /// </summary>
    [Test]
    public void HandOffsAllocateNothingEvenWhenTheyBlock()
    {
        const int threads = 3, jobs = 6;
        using var pool = new CpuThreadPool(threads);
        var probe = new Probe(threads, jobs) { CallerSleepMs = 30 };
        // Job 0 creates the pool's reusable work object; the caller is the slow one, so it never blocks here.
        pool.For(threads, probe, Record);
        probe.CallerSleepMs = 0;
        probe.WorkerSleepMs = 20;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int job = 1; job < jobs; job++)
        {
            probe.Job = job;
            pool.For(threads, probe, Record); // the caller's chunk is empty work: it blocks on the sleeping workers
            Thread.Sleep(20); // and the workers block waiting for the next job
        }
        long callerAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(callerAllocated, Is.Zero, "bytes allocated by the calling thread in jobs 1..5");
        for (int worker = 1; worker < threads; worker++)
            for (int job = 2; job < jobs; job++)
                Assert.That(probe.WorkerAllocated[worker, job] - probe.WorkerAllocated[worker, job - 1], Is.Zero,
                    $"bytes allocated by worker {worker} between the start of job {job - 1}'s chunk and job {job}'s");
    }
}

/// <summary>
/// An exception on one of the delegate's worker threads reaches the caller instead of ending the process, and the
/// pool keeps working: at the pool, and through Interpreter.Invoke (DelegateInvokeException, or the reference
/// fallback when enabled). The worker is made to throw through <see cref="CpuThreadPool.WorkerHook"/>.
/// </summary>
public sealed class CpuWorkerFailureTests
{
    private sealed class InjectedFault(int worker) : Exception($"injected fault on worker {worker}");

    private static readonly CpuThreadPool.ChunkAction<int[]> Fill = static (in int[] h, int start, int end) =>
    {
        for (int i = start; i < end; i++) h[i]++;
    };

    private static void AssertPoolWorks(CpuThreadPool pool)
    {
        var hits = new int[1000];
        pool.For(hits.Length, hits, Fill);
        Assert.That(hits, Is.All.EqualTo(1), "a job after the failure covers the range exactly once");
    }

    [Test]
    public void AWorkerExceptionIsRethrownOnTheCallerWithItsStackAndThePoolStaysUsable([Values(2, 4)] int threads)
    {
        using var pool = new CpuThreadPool(threads);
        AssertPoolWorks(pool);
        var hits = new int[1000];
        var thrown = Assert.Throws<InjectedFault>(() => pool.For(hits.Length, hits, static (in int[] h, int start, int end) =>
        {
            if (start > 0) ThrowFromWorker(start);
            for (int i = start; i < end; i++) h[i]++;
        }))!;
        Assert.That(thrown.StackTrace, Does.Contain(nameof(ThrowFromWorker)), "the worker's stack trace is kept");
        // The caller's own chunk ran; For returned only after every chunk had finished or been skipped.
        Assert.That(hits.Take(hits.Length / threads), Is.All.EqualTo(1));
        for (int round = 0; round < 3; round++) AssertPoolWorks(pool);
    }

    [Test]
    public void ACallerChunkExceptionWaitsForTheWorkersBeforeItIsRethrown()
    {
        using var pool = new CpuThreadPool(3);
        var state = new int[3]; // per worker: 1 once its chunk began, 2 once it finished
        Assert.Throws<InjectedFault>(() => pool.For(3, state, static (in int[] d, int start, int end) =>
        {
            if (start == 0)
            {
                // Throw only once both workers are inside their (slow) chunks.
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while ((Volatile.Read(ref d[1]) == 0 || Volatile.Read(ref d[2]) == 0) && DateTime.UtcNow < deadline) Thread.Yield();
                throw new InjectedFault(0);
            }
            Volatile.Write(ref d[start], 1);
            Thread.Sleep(50);
            Volatile.Write(ref d[start], 2);
        }));
        Assert.That(state[1..], Is.All.EqualTo(2), "the workers had finished their chunks when For threw");
        AssertPoolWorks(pool);
    }

    [Test]
    public void WhenEveryWorkerThrowsOneExceptionReachesTheCaller()
    {
        using var pool = new CpuThreadPool(4);
        pool.WorkerHook = static worker => throw new InjectedFault(worker);
        Assert.Throws<InjectedFault>(() => AssertPoolWorks(pool));
        pool.WorkerHook = null;
        AssertPoolWorks(pool);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowFromWorker(int start) => throw new InjectedFault(start);

    private static (Interpreter Interpreter, CpuDelegate Cpu, float[] Input, byte[] Model) Create(int threads, bool fallback)
    {
        byte[] bytes = ConvFamilyAllocationTests.Model();
        float[] input = ConvDelegateHarness.Random(new Random(62), 1200);
        var model = Accel.Model.FromBytes(bytes);
        var cpu = new CpuDelegate();
        var options = new InterpreterOptions { Threads = threads, FallbackToReferenceOnInvokeFailure = fallback };
        options.Delegates.Add(new DelegateSelection(cpu));
        var interpreter = new Interpreter(model, options);
        interpreter.AllocateTensors();
        Assert.That(interpreter.Plan.DelegatedNodeCount, Is.EqualTo(5));
        Assert.That(cpu.Pool, Is.Not.Null.And.Property(nameof(CpuThreadPool.ThreadCount)).EqualTo(threads));
        interpreter.SetInput<float>(0, input);
        return (interpreter, cpu, input, bytes);
    }

    [Test]
    public void AWorkerExceptionReachesInvokesCallerAsDelegateInvokeExceptionAndTheNextInvokeWorks([Values(2, 3)] int threads)
    {
        var (interpreter, cpu, input, bytes) = Create(threads, fallback: false);
        using var _ = interpreter;
        float[] expected = ConvDelegateHarness.RunReference(bytes, input);
        interpreter.Invoke();
        ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, "before the fault");

        cpu.Pool!.WorkerHook = static worker => throw new InjectedFault(worker);
        var thrown = Assert.Throws<DelegateInvokeException>(interpreter.Invoke)!;
        Assert.That(thrown.InnerException, Is.InstanceOf<InjectedFault>());
        Assert.That(thrown.Message, Does.Contain("InjectedFault"));

        cpu.Pool.WorkerHook = null;
        for (int i = 0; i < 3; i++)
        {
            interpreter.Invoke();
            ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, $"invoke {i + 1} after the fault");
        }
        Assert.That(interpreter.FellBackToReference, Is.False);
    }

    [Test]
    public void WithFallbackEnabledAWorkerExceptionSwitchesToTheReference()
    {
        var (interpreter, cpu, input, bytes) = Create(2, fallback: true);
        using var _ = interpreter;
        float[] expected = ConvDelegateHarness.RunReference(bytes, input);
        int faults = 0;
        cpu.Pool!.WorkerHook = worker =>
        {
            Interlocked.Increment(ref faults);
            throw new InjectedFault(worker);
        };
        interpreter.Invoke();
        Assert.That(interpreter.FellBackToReference, Is.True);
        Assert.That(faults, Is.EqualTo(1), "the first failing job ended the delegate's run");
        Assert.That(interpreter.Diagnostics, Has.Some.Contains("InjectedFault").And.Contains("falling back"));
        ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, "the fallback invoke");
        interpreter.Invoke();
        ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, "the next invoke");
        // The pool itself is still sound.
        cpu.Pool.WorkerHook = null;
        AssertPoolWorks(cpu.Pool);
    }
}
