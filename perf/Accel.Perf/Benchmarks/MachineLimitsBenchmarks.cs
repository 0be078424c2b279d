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
using CpuFmaPeak = Accel.Delegates.Cpu.FmaPeak;
using CpuInt8DotPeak = Accel.Delegates.Cpu.Int8DotPeak;

namespace Accel.Perf.Benchmarks;

/// <summary>
/// This machine's physical limits, measured without hardware counters, so every kernel's figure can be read as a
/// fraction of them:
/// <list type="bullet">
/// <item><b>FMA peak</b>: a register-only loop of fused multiply-adds on the widest vectors the JIT uses here
/// (Vector512 with AVX-512F, else Vector256 with FMA3), 12 independent accumulators so the FMA latency (4 cycles)
/// times the FMA ports (2) is covered; no memory traffic. One FMA lane = 2 FLOPs. Reported per thread count
/// (1, 2): each thread runs its own loop, all started together (<see cref="ThreadTeam"/>). The loop is
/// <see cref="CpuFmaPeak.Loop"/>, the one <c>accel bench --peak-gflops measure</c> runs.</item>
/// <item><b>Integer dot-product peaks</b> (the int8 kernels' instructions): <see cref="Int8DotPeak"/>, a register-only
/// chain of <c>vpdpbusd</c> (u8 × s8 quadruples into int32) in the widest form the int8 GEMM uses here
/// (<see cref="CpuInt8DotPeak"/>: 512-bit emitted AVX512_VNNI, 64 multiply-adds = 128 operations per instruction, else
/// 256-bit AVX-VNNI, 32 = 64; where there is neither the benchmark reports an error instead of a rate), and <see cref="Int16MaddPeak"/>, AVX2 <c>vpmaddwd</c> (int16
/// pairs into int32: 16 multiply-adds = 32 operations), each on 12 independent accumulators like the FMA loop.</item>
/// <item><b>Memory bandwidth</b>: a streaming copy of 256 MiB (far beyond the caches), bytes read + written per
/// second.</item>
/// </list>
/// The rate columns divide the work per invoke by the time: the "peak" column by the fastest iteration (a physical
/// limit is what the machine can do; on a shared machine other jobs only ever slow it down), the other by the median.
/// "G/s" is GFLOP/s for FmaPeak, GOP/s (2 per multiply-add) for the integer peaks and GB/s for MemoryCopy.
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
    private const int Accumulators = CpuFmaPeak.Accumulators;
    private const long CopyBytes = 256L << 20;

    private byte[] _source = [];
    private byte[] _destination = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>FLOPs per invoke: threads × iterations × accumulators × lanes × 2.</summary>
    public static int Lanes => CpuFmaPeak.Lanes;

    /// <summary>int32 lanes of the int8 dot-product loop here (16 emitted AVX512_VNNI, 8 AVX-VNNI, 0 none): <see cref="CpuInt8DotPeak.Lanes"/>.</summary>
    public static int Int8Lanes => CpuInt8DotPeak.Lanes;

    private ThreadTeam? _team;

    [GlobalSetup(Targets = new[] { nameof(FmaPeak), nameof(Int8DotPeak), nameof(Int16MaddPeak) })]
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
        if (Threads == 1) return CpuFmaPeak.Loop(Iterations, 1.0001f);
        float total = 0;
        _team!.Run(t =>
        {
            float result = CpuFmaPeak.Loop(Iterations, 1.0001f + t);
            lock (_team) total += result;
        });
        return total;
    }

    [Benchmark]
    public int Int8DotPeak() => Int8Lanes == 0
        ? throw new PlatformNotSupportedException("no vpdpbusd on this machine (Accel.Delegates.Cpu.Int8DotPeak.Lanes is 0)")
        : RunIntegerLoop(static seed => CpuInt8DotPeak.Loop(Iterations, seed));

    [Benchmark]
    public int Int16MaddPeak() => RunIntegerLoop(static seed => Int16MaddLoop(seed));

    private int RunIntegerLoop(Func<int, int> loop)
    {
        if (Threads == 1) return loop(1);
        int total = 0;
        _team!.Run(t =>
        {
            int result = loop(1 + t);
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
    public static double WorkPerInvoke(string method, int threads) => method switch
    {
        nameof(FmaPeak) => threads * CpuFmaPeak.Flops(Iterations),
        nameof(Int8DotPeak) => threads * CpuInt8DotPeak.Operations(Iterations),
        nameof(Int16MaddPeak) => (double)threads * Iterations * Accumulators * 16 * 2,
        _ => 2.0 * CopyBytes,
    };

    /// <summary>
    /// vpmaddwd on 12 accumulators, each fed its own previous result (as int16 pairs), so no multiply is loop-invariant
    /// and the chains are independent; the values wrap, which costs nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Int16MaddLoop(int seed)
    {
        if (!Avx2.IsSupported) throw new PlatformNotSupportedException("no AVX2 on this machine");
        var m = Vector256.Create((short)3);
        Vector256<int> c0 = Vector256.Create(seed), c1 = c0 + c0, c2 = c1 + c0, c3 = c2 + c0, c4 = c3 + c0, c5 = c4 + c0,
            c6 = c5 + c0, c7 = c6 + c0, c8 = c7 + c0, c9 = c8 + c0, c10 = c9 + c0, c11 = c10 + c0;
        for (int i = 0; i < Iterations; i++)
        {
            c0 = Avx2.MultiplyAddAdjacent(c0.AsInt16(), m); c1 = Avx2.MultiplyAddAdjacent(c1.AsInt16(), m); c2 = Avx2.MultiplyAddAdjacent(c2.AsInt16(), m);
            c3 = Avx2.MultiplyAddAdjacent(c3.AsInt16(), m); c4 = Avx2.MultiplyAddAdjacent(c4.AsInt16(), m); c5 = Avx2.MultiplyAddAdjacent(c5.AsInt16(), m);
            c6 = Avx2.MultiplyAddAdjacent(c6.AsInt16(), m); c7 = Avx2.MultiplyAddAdjacent(c7.AsInt16(), m); c8 = Avx2.MultiplyAddAdjacent(c8.AsInt16(), m);
            c9 = Avx2.MultiplyAddAdjacent(c9.AsInt16(), m); c10 = Avx2.MultiplyAddAdjacent(c10.AsInt16(), m); c11 = Avx2.MultiplyAddAdjacent(c11.AsInt16(), m);
        }
        return Vector256.Sum(((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11)));
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
