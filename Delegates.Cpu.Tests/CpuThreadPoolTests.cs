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
