using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Tests;

/// <summary>The CPU delegate's worker pool on its own: splitting, stealing, allocation-free hand-offs.</summary>
public sealed class CpuThreadPoolTests
{
    /// <summary>The pool's thread running the current code: 0 for the caller, else the worker index from its name.</summary>
    internal static int CurrentWorker() => Thread.CurrentThread.Name is { } name && name.StartsWith("accel-cpu-", StringComparison.Ordinal)
        ? name[^1] - '0'
        : 0;

    /// <summary>
    /// State of the allocation probe: per thread, the bytes it had allocated when each of its sub-chunks began, and
    /// per worker whether it has begun one in the current job.
    /// </summary>
    private sealed class Probe(int threads)
    {
        public readonly long[,] Allocated = new long[threads, 64];
        public readonly int[] Readings = new int[threads];
        public readonly int[] Started = new int[threads];
        public int WorkerSleepMs;
        public bool Recording;
    }

    private static readonly CpuThreadPool.ChunkAction<Probe> Record = static (in Probe p, int start, int end) =>
    {
        int self = CurrentWorker();
        if (p.Recording) p.Allocated[self, p.Readings[self]++] = GC.GetAllocatedBytesForCurrentThread();
        if (self == 0)
        {
            // The caller's own sub-chunk waits until every worker is inside one, so the caller then has to block
            // on them (they sleep) rather than take their sub-chunks.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            for (int w = 1; w < p.Started.Length; w++)
                while (Volatile.Read(ref p.Started[w]) == 0 && DateTime.UtcNow < deadline) Thread.Yield();
            return;
        }
        Volatile.Write(ref p.Started[self], 1);
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
    /// The action is called with the same bounds in every job, whichever thread runs which sub-chunk (workers
    /// stalled at random here): min(count, threads × 4) sub-chunks [count·j/n, count·(j+1)/n). This is what keeps a
    /// kernel's outputs independent of the threads' timing.
    /// </summary>
    [Test]
    public void EveryJobCallsTheActionWithTheSameSubChunkBounds([Values(2, 3)] int threads)
    {
        using var pool = new CpuThreadPool(threads);
        pool.SubChunkHook = w => { if (w != 0 && Random.Shared.Next(3) == 0) Thread.Sleep(1); };
        foreach (int count in new[] { 2, 7, 8, 13, 64, 1001 })
        {
            int n = Math.Min(count, threads * CpuThreadPool.SubChunksPerThread);
            var expected = Enumerable.Range(0, n).Select(j => (count * j / n, count * (j + 1) / n)).ToArray();
            for (int job = 0; job < 20; job++)
            {
                var calls = new System.Collections.Concurrent.ConcurrentBag<(int, int)>();
                pool.For(count, calls, static (in System.Collections.Concurrent.ConcurrentBag<(int, int)> c, int start, int end) => c.Add((start, end)));
                Assert.That(calls.OrderBy(c => c.Item1).ToArray(), Is.EqualTo(expected), $"count {count}, job {job}");
            }
        }
    }

    /// <summary>
    /// A worker that stalls (descheduled on a busy machine) holds up the caller by at most the sub-chunk it has
    /// begun: the caller takes the stalled worker's other home sub-chunks instead of waiting for them.
    /// </summary>
    [Test]
    public void TheCallerTakesTheSubChunksOfAStalledWorker()
    {
        using var pool = new CpuThreadPool(2);
        pool.SubChunkHook = static w => { if (w != 0) Thread.Sleep(500); };
        var ranBy = new int[2 * CpuThreadPool.SubChunksPerThread];
        pool.For(ranBy.Length * 10, ranBy, static (in int[] r, int start, int end) => r[start / 10] = CurrentWorker() + 1);
        Assert.That(ranBy, Is.All.Not.Zero, "every sub-chunk ran");
        Assert.That(ranBy.Count(w => w == 2), Is.AtMost(1), "the stalled worker ran at most the sub-chunk it had claimed");
        Assert.That(ranBy.Count(w => w == 1), Is.AtLeast(2 * CpuThreadPool.SubChunksPerThread - 1),
            "the caller ran its own sub-chunks and the stalled worker's unclaimed ones");
    }

    /// <summary>
    /// Neither the caller nor a worker allocates in a job after the first, also when each has to block: the caller
    /// waiting for sleeping workers, a worker waiting for the next job (the BCL's slim events allocate their lock
    /// object on the first real block, which made ConvFamilyAllocationTests see 24 B at 2 threads now and then).
    /// </summary>
    [Test]
    public void HandOffsAllocateNothingEvenWhenTheyBlock()
    {
        const int threads = 3, jobs = 6;
        using var pool = new CpuThreadPool(threads);
        var probe = new Probe(threads) { WorkerSleepMs = 20 };
        // Job 0 creates the pool's reusable work object.
        pool.For(threads, probe, Record);
        probe.Recording = true;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int job = 1; job < jobs; job++)
        {
            Array.Clear(probe.Started);
            pool.For(threads, probe, Record); // the caller blocks on the sleeping workers
            Thread.Sleep(20); // and the workers block waiting for the next job
        }
        long callerAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(callerAllocated, Is.Zero, "bytes allocated by the calling thread in jobs 1..5");
        for (int worker = 1; worker < threads; worker++)
        {
            Assert.That(probe.Readings[worker], Is.GreaterThanOrEqualTo(jobs - 1), $"worker {worker} ran in every job");
            for (int i = 1; i < probe.Readings[worker]; i++)
                Assert.That(probe.Allocated[worker, i] - probe.Allocated[worker, 0], Is.Zero,
                    $"bytes allocated by worker {worker} between its first recorded sub-chunk and its sub-chunk {i}");
        }
    }
}

/// <summary>
/// An exception on one of the delegate's worker threads reaches the caller instead of ending the process, and the
/// pool keeps working: at the pool, and through Interpreter.Invoke (DelegateInvokeException, or the reference
/// fallback when enabled). The worker is made to throw through <see cref="CpuThreadPool.SubChunkHook"/>.
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
        // A worker takes part in a job unless the caller took every sub-chunk before it woke: retry until one did.
        InjectedFault? thrown = null;
        for (int attempt = 0; attempt < 100 && thrown is null; attempt++)
        {
            Array.Clear(hits);
            try
            {
                pool.For(hits.Length, hits, static (in int[] h, int start, int end) =>
                {
                    if (CpuThreadPoolTests.CurrentWorker() != 0) ThrowFromWorker(start);
                    Thread.Sleep(1); // the caller: give the workers time to take part
                    for (int i = start; i < end; i++) h[i]++;
                });
            }
            catch (InjectedFault fault)
            {
                thrown = fault;
            }
        }
        Assert.That(thrown, Is.Not.Null, "a worker ran a sub-chunk in one of 100 jobs");
        Assert.That(thrown!.StackTrace, Does.Contain(nameof(ThrowFromWorker)), "the worker's stack trace is kept");
        // No element ran twice; For returned only after every sub-chunk had finished or been skipped.
        Assert.That(hits, Is.All.InRange(0, 1));
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
        pool.SubChunkHook = SlowCallerFaultyWorkers;
        // Every worker that takes part throws; retry until one took part (see above), then exactly one surfaces.
        int thrown = 0;
        for (int attempt = 0; attempt < 100 && thrown == 0; attempt++)
        {
            try { pool.For(1000, new int[1000], Fill); }
            catch (InjectedFault) { thrown++; }
        }
        Assert.That(thrown, Is.EqualTo(1));
        pool.SubChunkHook = null;
        AssertPoolWorks(pool);
    }

    /// <summary>
    /// The caller sleeps 1 ms before each of its sub-chunks, so that workers wake and take part even on a busy machine
    /// (else the caller may take every sub-chunk of a small job first); a worker throws.
    /// </summary>
    private static void SlowCallerFaultyWorkers(int worker)
    {
        if (worker == 0) Thread.Sleep(1);
        else throw new InjectedFault(worker);
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

        cpu.Pool!.SubChunkHook = SlowCallerFaultyWorkers;
        // A worker takes part in an invoke unless the caller took every sub-chunk before it woke: retry until one did.
        DelegateInvokeException? thrown = null;
        for (int attempt = 0; attempt < 100 && thrown is null; attempt++)
        {
            try { interpreter.Invoke(); }
            catch (DelegateInvokeException e) { thrown = e; }
        }
        Assert.That(thrown, Is.Not.Null, "a worker ran a sub-chunk in one of 100 invokes");
        Assert.That(thrown!.InnerException, Is.InstanceOf<InjectedFault>());
        Assert.That(thrown.Message, Does.Contain("InjectedFault"));

        cpu.Pool.SubChunkHook = null;
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
        cpu.Pool!.SubChunkHook = worker =>
        {
            if (worker == 0)
            {
                Thread.Sleep(1);
                return;
            }
            Interlocked.Increment(ref faults);
            throw new InjectedFault(worker);
        };
        for (int attempt = 0; attempt < 100 && !interpreter.FellBackToReference; attempt++) interpreter.Invoke();
        Assert.That(interpreter.FellBackToReference, Is.True);
        Assert.That(faults, Is.EqualTo(1), "the first failing job ended the delegate's run");
        Assert.That(interpreter.Diagnostics, Has.Some.Contains("InjectedFault").And.Contains("falling back"));
        ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, "the fallback invoke");
        interpreter.Invoke();
        ConvDelegateHarness.AssertBitEqual(interpreter.Output<float>(0).ToArray(), expected, "the next invoke");
        // The pool itself is still sound.
        cpu.Pool.SubChunkHook = null;
        AssertPoolWorks(cpu.Pool);
    }
}
