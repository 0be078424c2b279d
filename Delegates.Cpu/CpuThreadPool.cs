using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Cpu;

/// <summary>
/// The CPU delegate's own worker threads. <see cref="For"/> splits [0, count) into a fixed set of contiguous
/// sub-chunks, <see cref="SubChunksPerThread"/> per thread, and runs them with the caller as worker 0; no allocation
/// per call. <see cref="Inline"/> runs everything on the caller (Threads = 1, no pool).
/// </summary>
/// <remarks>
/// <para>
/// <b>The split.</b> Sub-chunk <c>j</c> of <c>n = min(count, ThreadCount × SubChunksPerThread)</c> is
/// [count·j/n, count·(j+1)/n); thread <c>w</c>'s home sub-chunks are [n·w/T, n·(w+1)/T), so its home range is the
/// same contiguous range a plain one-chunk-per-thread split gives it. Each thread claims its home sub-chunks in order,
/// then takes the sub-chunks no other thread has claimed yet (work stealing). The action is called once per sub-chunk
/// with exactly these bounds whichever thread runs it, so the calls (and every output a kernel computes) are the same
/// in every job, whatever the threads' timing: a worker the OS has not scheduled (a shared or oversubscribed machine)
/// or that is still waking up costs the caller at most the sub-chunk it has already begun, never its whole share.
/// </para>
/// <para>
/// A claim is a compare-and-swap on the owner's counter, which holds the job's generation beside the next index, so
/// a worker that wakes late for a finished job cannot claim a sub-chunk of the next one.
/// </para>
/// <para>
/// The hand-offs (workers waiting for a job, the caller waiting for sub-chunks other threads are running) poll for
/// up to 50 µs, a pause between reads, and then block with <see cref="Monitor.Wait(object)"/> on gate objects created
/// with the pool. The counters they poll sit alone on their cache lines, and each thread subtracts the sub-chunks it
/// ran from the job's remaining count once, not once per sub-chunk. The BCL's
/// slim primitives are not used: <see cref="ManualResetEventSlim"/> (inside <see cref="CountdownEvent"/>) and
/// <see cref="SemaphoreSlim"/> allocate their lock object the first time a thread actually blocks on them, which,
/// depending on timing, can happen in any invoke, long after the first (24 B on the calling thread, seen as an
/// allocation in a steady-state invoke).
/// </para>
/// <para>
/// An exception thrown by a sub-chunk, on a worker or on the caller, never escapes on a worker thread (which would end
/// the process): the first one is kept, sub-chunks not yet begun are skipped, the job is waited for to the end (no
/// sub-chunk still writes when For returns), and the exception is rethrown on the thread that called
/// <see cref="For"/>, with its original stack trace. The pool stays usable for the next job.
/// </para>
/// </remarks>
internal sealed class CpuThreadPool : IDisposable
{
    /// <summary>Work for one sub-chunk: [start, end) of the caller's range, plus the caller's state.</summary>
    public delegate void ChunkAction<TState>(in TState state, int start, int end);

    public static readonly CpuThreadPool Inline = new();

    /// <summary>
    /// Sub-chunks per thread: enough that a late worker's share is mostly taken by the others (it delays the caller by
    /// at most a quarter of its share), few enough that each stays long and contiguous.
    /// </summary>
    internal const int SubChunksPerThread = 4;

    /// <summary>
    /// How long a thread polls before it blocks: 50 µs, in <see cref="System.Diagnostics.Stopwatch"/> ticks. Polling
    /// (one <see cref="Thread.SpinWait(int)"/> between reads, tens of nanoseconds) sees a new job or a finished share
    /// at once, where <see cref="SpinWait.SpinOnce(int)"/>'s backoff checks only every microsecond or so and yields
    /// with a system call (perf/RESULTS.md, stop 41).
    /// </summary>
    private static readonly long PollTicks = System.Diagnostics.Stopwatch.Frequency / 20_000;

    /// <summary>Polls between two looks at the clock.</summary>
    private const int PollsPerClockRead = 64;

    /// <summary>Most threads a pool takes: sub-chunk indices fit the claim counters' 16-bit fields.</summary>
    internal const int MaxThreads = 4096;

    /// <summary>Longs between two threads' claim counters (128 bytes: no two counters share a cache line or its pair).</summary>
    private const int CounterStride = 16;

    private readonly Thread[] _workers;
    /// <summary>Workers wait on this for <see cref="_generation"/> to change (or <see cref="_stopping"/>).</summary>
    private readonly object _startGate = new();
    /// <summary>The caller waits on this for <see cref="_remaining"/> to reach zero.</summary>
    private readonly object _doneGate = new();
    /// <summary>Incremented once per parallel job; polled by waiting workers, so alone on its cache lines.</summary>
    private PaddedCounter _generation;
    /// <summary>
    /// Per thread (at index thread × <see cref="CounterStride"/>): the job's generation (high 32 bits), the end of the
    /// thread's home sub-chunks (bits 16–31) and the next unclaimed one (low 16 bits). The end travels with the
    /// generation so a claim never pairs one job's counter with another job's bounds.
    /// </summary>
    private readonly long[] _next;
    /// <summary>
    /// Sub-chunks of the current job not yet finished (or skipped). Each thread subtracts what it ran once, when it
    /// finds nothing left to claim, and the counter is alone on its cache lines: the job's fields that every sub-chunk
    /// reads (the work, the count) are then never invalidated by another thread's count.
    /// </summary>
    private PaddedCounter _remaining;
    private volatile bool _stopping;
    private IWork? _work;
    private int _count;
    private int _subChunks;
    /// <summary>The first exception a sub-chunk of the current job threw; rethrown by <see cref="For"/> on the caller.</summary>
    private Exception? _failure;
    private readonly Dictionary<Type, IWork> _workCache = new();

    /// <summary>A counter alone on a 128-byte line pair (the adjacent-line prefetcher fetches pairs).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 2 * 128)]
    private struct PaddedCounter
    {
        [FieldOffset(128)] public long Value;
    }

    private interface IWork
    {
        void Run(int start, int end);
    }

    private sealed class Work<TState> : IWork
    {
        public TState State = default!;
        public ChunkAction<TState> Action = default!;
        public void Run(int start, int end) => Action(State, start, end);
    }

    private CpuThreadPool()
    {
        ThreadCount = 1;
        _workers = [];
        _next = [];
    }

    public CpuThreadPool(int threads)
    {
        if (threads < 1 || threads > MaxThreads) throw new ArgumentOutOfRangeException(nameof(threads));
        ThreadCount = threads;
        _next = new long[threads * CounterStride];
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int worker = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"accel-cpu-{worker}" };
            _workers[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>
    /// Test seam: when set, every thread calls it with its index (0 for the caller, 1 .. ThreadCount − 1 for the
    /// workers) just before running each sub-chunk it claimed, so tests can make a worker throw or stall, or slow the
    /// caller down so that the workers take part.
    /// </summary>
    internal Action<int>? SubChunkHook { get; set; }

    /// <summary>
    /// Runs <paramref name="action"/> over [0, count), split into the fixed sub-chunks described on the class: the
    /// same calls, with the same bounds, in every job.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void For<TState>(int count, in TState state, ChunkAction<TState> action)
    {
        // Callers pass a cached delegate (a static lambda or a field) so no closure is allocated per call.
        if (ThreadCount == 1 || count <= 1)
        {
            action(state, 0, count);
            return;
        }
        var work = GetWork<TState>();
        work.State = state;
        work.Action = action;
        _work = work;
        _count = count;
        int subChunks = (int)Math.Min(count, (long)ThreadCount * SubChunksPerThread);
        _subChunks = subChunks;
        Volatile.Write(ref _remaining.Value, subChunks);
        long generation = _generation.Value + 1;
        long tag = generation << 32;
        for (int t = 0; t < ThreadCount; t++)
            Volatile.Write(ref _next[t * CounterStride], tag | (HomeBegin(t + 1, subChunks) << 16) | HomeBegin(t, subChunks));
        StartWorkers();
        RunClaims(0, (uint)generation);
        WaitForWorkers();
        _work = null;
        work.State = default!;
        work.Action = null!;
        if (_failure is { } failure)
        {
            _failure = null;
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Publishes the job (the interlocked increment is a full fence: it orders the job's fields and counters before
    /// the new generation) and wakes blocked workers.
    /// </summary>
    private void StartWorkers()
    {
        Interlocked.Increment(ref _generation.Value);
        lock (_startGate) Monitor.PulseAll(_startGate);
    }

    private long HomeBegin(int thread, int subChunks) => (long)subChunks * thread / ThreadCount;

    /// <summary>Claims and runs sub-chunks of job <paramref name="generation"/>: this thread's own first, then the others' in turn.</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunClaims(int self, uint generation)
    {
        int ran = 0;
        for (int k = 0; k < ThreadCount; k++)
        {
            int owner = self + k;
            if (owner >= ThreadCount) owner -= ThreadCount;
            int index;
            while ((index = Claim(owner, generation)) >= 0)
            {
                RunSubChunk(self, index);
                ran++;
            }
        }
        // A worker finishing the job's last sub-chunks wakes the caller (which checks _remaining under the same gate).
        if (ran > 0 && Interlocked.Add(ref _remaining.Value, -ran) == 0 && self != 0)
            lock (_doneGate) Monitor.Pulse(_doneGate);
    }

    /// <summary>The next unclaimed home sub-chunk of <paramref name="owner"/> in job <paramref name="generation"/>, or −1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Claim(int owner, uint generation)
    {
        ref long slot = ref _next[owner * CounterStride];
        while (true)
        {
            long value = Volatile.Read(ref slot);
            // Another job's counter (this one finished, or a later one began): nothing of this job is left here.
            if ((uint)(value >> 32) != generation) return -1;
            int index = (int)(value & 0xFFFF), end = (int)((value >> 16) & 0xFFFF);
            if (index >= end) return -1;
            if (Interlocked.CompareExchange(ref slot, value + 1, value) == value) return index;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void RunSubChunk(int self, int index)
    {
        try
        {
            // Another sub-chunk already failed: the job's result is lost anyway, so do not start this one.
            if (Volatile.Read(ref _failure) is null)
            {
                SubChunkHook?.Invoke(self);
                int start = (int)((long)_count * index / _subChunks);
                int end = (int)((long)_count * (index + 1) / _subChunks);
                if (start < end) _work!.Run(start, end);
            }
        }
        catch (Exception ex)
        {
            // Kept for the caller; letting it escape on a worker would end the process.
            Interlocked.CompareExchange(ref _failure, ex, null);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void WaitForWorkers()
    {
        var poll = new Poll();
        while (Volatile.Read(ref _remaining.Value) != 0)
        {
            if (poll.Expired())
            {
                lock (_doneGate)
                    while (Volatile.Read(ref _remaining.Value) != 0) Monitor.Wait(_doneGate);
                return;
            }
        }
    }

    /// <summary>One wait's polling: a pause per call, and whether <see cref="PollTicks"/> have passed since the first.</summary>
    private struct Poll
    {
        private long _deadline;
        private int _polls;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Expired()
        {
            Thread.SpinWait(1);
            if (++_polls % PollsPerClockRead != 0) return false;
            long now = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_deadline == 0) _deadline = now + PollTicks;
            return now >= _deadline;
        }
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForJob(seen);
            if (_stopping) return;
            RunClaims(worker, (uint)seen);
        }
    }

    /// <summary>Waits until the generation differs from <paramref name="seen"/> (or the pool stops); returns the new one.</summary>
    private long WaitForJob(long seen)
    {
        var poll = new Poll();
        long current;
        while ((current = Volatile.Read(ref _generation.Value)) == seen && !_stopping)
        {
            if (poll.Expired())
            {
                lock (_startGate)
                    while ((current = Volatile.Read(ref _generation.Value)) == seen && !_stopping) Monitor.Wait(_startGate);
                return current;
            }
        }
        return current;
    }

    /// <summary>One reusable work object per state type, so For allocates nothing after the first call with a type.</summary>
    private Work<TState> GetWork<TState>()
    {
        if (!_workCache.TryGetValue(typeof(TState), out var work)) _workCache[typeof(TState)] = work = new Work<TState>();
        return (Work<TState>)work;
    }

    public void Dispose()
    {
        if (_workers.Length == 0 || _stopping) return;
        _stopping = true;
        lock (_startGate) Monitor.PulseAll(_startGate);
        foreach (var w in _workers) w.Join();
    }
}
