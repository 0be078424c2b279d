using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Accel.Delegates.Cpu;

/// <summary>
/// The CPU delegate's own worker threads. <see cref="For"/> splits [0, count) into contiguous chunks, one per
/// thread, and runs them with the caller as worker 0; no allocation per call. <see cref="Inline"/> runs everything
/// on the caller (Threads = 1, no pool).
/// </summary>
/// <remarks>
/// The hand-offs (workers waiting for a job, the caller waiting for the workers) spin briefly and then block with
/// <see cref="Monitor.Wait(object)"/> on gate objects created with the pool. The BCL's slim primitives are not used:
/// <see cref="ManualResetEventSlim"/> (inside <see cref="CountdownEvent"/>) and <see cref="SemaphoreSlim"/> allocate
/// their lock object the first time a thread actually blocks on them, which, depending on timing, can happen in any
/// invoke, long after the first (24 B on the calling thread, seen as an allocation in a steady-state invoke).
/// <para>
/// An exception thrown by a chunk, on a worker or on the caller, never escapes on a worker thread (which would end
/// the process): the first one is kept, workers that have not begun their chunk skip it, the job is waited for to
/// the end (no chunk still writes when For returns), and the exception is rethrown on the thread that called
/// <see cref="For"/>, with its original stack trace. The pool stays usable for the next job.
/// </para>
/// </remarks>
internal sealed class CpuThreadPool : IDisposable
{
    /// <summary>Work for one chunk: [start, end) of the caller's range, plus the caller's state.</summary>
    public delegate void ChunkAction<TState>(in TState state, int start, int end);

    public static readonly CpuThreadPool Inline = new();

    /// <summary>Spins (<see cref="SpinWait.SpinOnce(int)"/>) before blocking, as ManualResetEventSlim's default.</summary>
    private const int SpinsBeforeBlocking = 35;

    private readonly Thread[] _workers;
    /// <summary>Workers wait on this for <see cref="_generation"/> to change (or <see cref="_stopping"/>).</summary>
    private readonly object _startGate = new();
    /// <summary>The caller waits on this for <see cref="_pending"/> to reach zero.</summary>
    private readonly object _doneGate = new();
    /// <summary>Incremented once per parallel job; each worker runs one chunk per value.</summary>
    private long _generation;
    /// <summary>Workers that have not finished the current job's chunk.</summary>
    private int _pending;
    private volatile bool _stopping;
    private IWork? _work;
    private int _count;
    /// <summary>The first exception a chunk of the current job threw; rethrown by <see cref="For"/> on the caller.</summary>
    private Exception? _failure;
    private readonly Dictionary<Type, IWork> _workCache = new();

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
    }

    public CpuThreadPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads));
        ThreadCount = threads;
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
    /// Test seam: when set, every worker (not the caller) calls it with its worker index (1 .. ThreadCount − 1) just
    /// before running its chunk of a parallel job, so tests can make a worker throw.
    /// </summary>
    internal Action<int>? WorkerHook { get; set; }

    /// <summary>Runs <paramref name="action"/> over [0, count) split into ThreadCount contiguous chunks.</summary>
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
        Volatile.Write(ref _pending, _workers.Length);
        StartWorkers();
        try
        {
            var (s, e) = Chunk(0, count);
            action(state, s, e);
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _failure, ex, null);
        }
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

    /// <summary>Publishes the job (a full fence orders it after _work, _count and _pending) and wakes blocked workers.</summary>
    private void StartWorkers()
    {
        Interlocked.Increment(ref _generation);
        lock (_startGate) Monitor.PulseAll(_startGate);
    }

    private void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
        {
            if (spinner.Count >= SpinsBeforeBlocking)
            {
                lock (_doneGate)
                    while (Volatile.Read(ref _pending) != 0) Monitor.Wait(_doneGate);
                return;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private (int Start, int End) Chunk(int worker, int count)
    {
        long start = (long)count * worker / ThreadCount;
        long end = (long)count * (worker + 1) / ThreadCount;
        return ((int)start, (int)end);
    }

    private void WorkerLoop(int worker)
    {
        long seen = 0;
        while (true)
        {
            seen = WaitForJob(seen);
            if (_stopping) return;
            try
            {
                // Another chunk already failed: the job's result is lost anyway, so do not start this one.
                if (Volatile.Read(ref _failure) is null)
                {
                    WorkerHook?.Invoke(worker);
                    var (s, e) = Chunk(worker, _count);
                    if (s < e) _work!.Run(s, e);
                }
            }
            catch (Exception ex)
            {
                // Kept for the caller; letting it escape here would end the process.
                Interlocked.CompareExchange(ref _failure, ex, null);
            }
            finally
            {
                // The last worker to finish wakes the caller (which checks _pending under the same gate).
                if (Interlocked.Decrement(ref _pending) == 0)
                    lock (_doneGate) Monitor.Pulse(_doneGate);
            }
        }
    }

    /// <summary>Waits until the generation differs from <paramref name="seen"/> (or the pool stops); returns the new one.</summary>
    private long WaitForJob(long seen)
    {
        var spinner = new SpinWait();
        long current;
        while ((current = Volatile.Read(ref _generation)) == seen && !_stopping)
        {
            if (spinner.Count >= SpinsBeforeBlocking)
            {
                lock (_startGate)
                    while ((current = Volatile.Read(ref _generation)) == seen && !_stopping) Monitor.Wait(_startGate);
                return current;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
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
