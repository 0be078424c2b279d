using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// This machine's physical limits, measured without hardware counters, so every kernel's figure can be read as a
/// fraction of them:
/// <list type="bullet">
/// <item><b>FMA peak</b>: a register-only loop of fused multiply-adds on the widest vectors the JIT uses here
/// (Vector512 with AVX-512F, else Vector256 with FMA3), 12 independent accumulators so the FMA latency (4 cycles)
/// times the FMA ports (2) is covered; no memory traffic. One FMA lane = 2 FLOPs. Reported per thread count
/// (1, 2): each thread runs its own loop, all started together (<see cref="ThreadTeam"/>).</item>
/// <item><b>Memory bandwidth</b>: a streaming copy of 256 MiB (far beyond the caches), bytes read + written per
/// second.</item>
/// </list>
/// The rate columns divide the work per invoke by the time: the "peak" column by the fastest iteration (a physical
/// limit is what the machine can do; on a shared machine other jobs only ever slow it down), the other by the median.
/// "G/s" is GFLOP/s for FmaPeak and GB/s for MemoryCopy.
/// </summary>
[Config(typeof(Config))]
public class MachineLimitsBenchmarks
{
    private sealed class Config : SuiteConfig
    {
        public Config() : base(Limits)
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, new RateColumn("peak G/s", fromMinimum: true), new RateColumn("median G/s"));
            AddExporter(JsonExporter.Full, CsvExporter.Default);
        }
    }

    /// <summary>
    /// Many short iterations (50 × ~20 ms) rather than few long ones: the peak column takes the fastest iteration,
    /// and on a shared machine a short iteration has a chance to run without being preempted.
    /// </summary>
    private static readonly Job Limits = Job.Default.WithId("Limits").WithWarmupCount(3).WithIterationCount(50)
        .WithIterationTime(TimeInterval.FromMilliseconds(20));

    /// <summary>FMA instructions per accumulator per loop pass, and loop passes per invoke.</summary>
    private const int Iterations = 1 << 20;
    private const int Accumulators = 12;
    private const long CopyBytes = 256L << 20;

    private byte[] _source = [];
    private byte[] _destination = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>FLOPs per invoke: threads × iterations × accumulators × lanes × 2.</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : 8;

    private ThreadTeam? _team;

    [GlobalSetup(Target = nameof(FmaPeak))]
    public void SetupFma() => _team = new ThreadTeam(Threads);

    [GlobalSetup(Target = nameof(MemoryCopy))]
    public void SetupCopy()
    {
        _team = new ThreadTeam(Threads);
        _source = new byte[CopyBytes];
        _destination = new byte[CopyBytes];
        new Random(1).NextBytes(_source);
        _source.AsSpan().CopyTo(_destination); // touch every page before timing
    }

    [GlobalCleanup]
    public void Cleanup() => _team?.Dispose();

    [Benchmark]
    public float FmaPeak()
    {
        // The FLOPs depend on Threads, so the rate column divides by them itself (RateColumn, WorkPerInvoke).
        if (Threads == 1) return FmaLoop(1.0001f);
        float total = 0;
        _team!.Run(t =>
        {
            float result = FmaLoop(1.0001f + t);
            lock (_team) total += result;
        });
        return total;
    }

    [Benchmark]
    public void MemoryCopy()
    {
        if (Threads == 1)
        {
            _source.AsSpan().CopyTo(_destination);
            return;
        }
        long chunk = CopyBytes / Threads;
        _team!.Run(t => _source.AsSpan((int)(t * chunk), (int)chunk).CopyTo(_destination.AsSpan((int)(t * chunk), (int)chunk)));
    }

    /// <summary>FLOPs (FmaPeak) or bytes moved (MemoryCopy, read + write) per invoke at the given thread count.</summary>
    public static double WorkPerInvoke(string method, int threads) => method == nameof(FmaPeak)
        ? (double)threads * Iterations * Accumulators * Lanes * 2
        : 2.0 * CopyBytes;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float FmaLoop(float seed)
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported) return FmaLoop512(seed);
        if (Fma.IsSupported) return FmaLoop256(seed);
        throw new PlatformNotSupportedException("no FMA instructions on this machine");
    }

    private static float FmaLoop256(float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a,
            c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a); c2 = Fma.MultiplyAdd(c2, m, a);
            c3 = Fma.MultiplyAdd(c3, m, a); c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a); c8 = Fma.MultiplyAdd(c8, m, a);
            c9 = Fma.MultiplyAdd(c9, m, a); c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector256.Sum(sum);
    }

    private static float FmaLoop512(float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a,
            c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, m, a); c1 = Avx512F.FusedMultiplyAdd(c1, m, a); c2 = Avx512F.FusedMultiplyAdd(c2, m, a);
            c3 = Avx512F.FusedMultiplyAdd(c3, m, a); c4 = Avx512F.FusedMultiplyAdd(c4, m, a); c5 = Avx512F.FusedMultiplyAdd(c5, m, a);
            c6 = Avx512F.FusedMultiplyAdd(c6, m, a); c7 = Avx512F.FusedMultiplyAdd(c7, m, a); c8 = Avx512F.FusedMultiplyAdd(c8, m, a);
            c9 = Avx512F.FusedMultiplyAdd(c9, m, a); c10 = Avx512F.FusedMultiplyAdd(c10, m, a); c11 = Avx512F.FusedMultiplyAdd(c11, m, a);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector512.Sum(sum);
    }
}

/// <summary>
/// Runs one action on N threads at once: the caller plus N-1 dedicated threads started up front and released
/// together by a barrier. (Parallel.For with two items often runs both on the calling thread before a pool worker
/// wakes up, which measures one thread twice.)
/// </summary>
internal sealed class ThreadTeam : IDisposable
{
    private readonly Barrier _barrier;
    private readonly Thread[] _workers;
    private Action<int>? _work;
    private volatile bool _stopping;

    public ThreadTeam(int threads)
    {
        _barrier = new Barrier(threads);
        _workers = Enumerable.Range(1, threads - 1).Select(index => new Thread(() => WorkerLoop(index)) { IsBackground = true }).ToArray();
        foreach (var worker in _workers) worker.Start();
    }

    public void Run(Action<int> work)
    {
        _work = work;
        _barrier.SignalAndWait(); // start together
        work(0);
        _barrier.SignalAndWait(); // all done
    }

    private void WorkerLoop(int index)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stopping) return;
            _work!(index);
            _barrier.SignalAndWait();
        }
    }

    public void Dispose()
    {
        if (_workers.Length == 0) return;
        _stopping = true;
        _barrier.SignalAndWait();
        foreach (var worker in _workers) worker.Join();
        _barrier.Dispose();
    }
}
