namespace Accel.Delegates.Cpu;

/// <summary>
/// The CPU delegate's own worker threads. <see cref="For"/> splits [0, count) into contiguous chunks, one per
/// thread, and runs them with the caller as worker 0; no allocation per call. <see cref="Inline"/> runs everything
/// on the caller (Threads = 1, no pool).
/// </summary>
internal sealed class CpuThreadPool : IDisposable
{
    /// <summary>Work for one chunk: [start, end) of the caller's range, plus the caller's state.</summary>
    public delegate void ChunkAction<TState>(in TState state, int start, int end);

    public static readonly CpuThreadPool Inline = new();

    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private volatile bool _stopping;
    private IWork? _work;
    private int _count;
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
        _start = [];
        _done = new CountdownEvent(1);
    }

    public CpuThreadPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads));
        ThreadCount = threads;
        _workers = new Thread[threads - 1];
        _start = new SemaphoreSlim[threads - 1];
        _done = new CountdownEvent(threads - 1);
        for (int i = 0; i < _workers.Length; i++)
        {
            int worker = i + 1;
            _start[i] = new SemaphoreSlim(0);
            _workers[i] = new Thread(() => WorkerLoop(worker)) { IsBackground = true, Name = $"accel-cpu-{worker}" };
            _workers[i].Start();
        }
    }

    public int ThreadCount { get; }

    /// <summary>Runs <paramref name="action"/> over [0, count) split into ThreadCount contiguous chunks.</summary>
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
        _done.Reset(_workers.Length);
        for (int i = 0; i < _start.Length; i++) _start[i].Release();
        var (s, e) = Chunk(0, count);
        action(state, s, e);
        _done.Wait();
        _work = null;
        work.State = default!;
    }

    private (int Start, int End) Chunk(int worker, int count)
    {
        long start = (long)count * worker / ThreadCount;
        long end = (long)count * (worker + 1) / ThreadCount;
        return ((int)start, (int)end);
    }

    private void WorkerLoop(int worker)
    {
        while (true)
        {
            _start[worker - 1].Wait();
            if (_stopping) return;
            try
            {
                var (s, e) = Chunk(worker, _count);
                if (s < e) _work!.Run(s, e);
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    /// <summary>One reusable work object per state type, so For allocates nothing after the first call with a type.</summary>
    private Work<TState> GetWork<TState>()
    {
        if (!_workCache.TryGetValue(typeof(TState), out var work)) _workCache[typeof(TState)] = work = new Work<TState>();
        return (Work<TState>)work;
    }

    public void Dispose()
    {
        if (_workers.Length == 0) return;
        _stopping = true;
        foreach (var s in _start) s.Release();
        foreach (var w in _workers) w.Join();
        foreach (var s in _start) s.Dispose();
        _done.Dispose();
    }
}
