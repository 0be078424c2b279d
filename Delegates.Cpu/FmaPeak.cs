using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu;

/// <summary>
/// This machine's floating-point peak, measured without hardware counters: a register-only loop of fused multiply-adds
/// on the widest vectors the JIT uses here (Vector512 with AVX-512F, else Vector256 with FMA3), on
/// <see cref="Accumulators"/> independent accumulators so the FMA latency times the FMA ports is covered; no memory
/// traffic. One FMA lane is 2 FLOPs. What a kernel's GFLOP/s is read against (<c>accel bench --peak-gflops measure</c>,
/// and the benchmarks' MachineLimits suite, which run this same loop).
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulators per loop pass: 4 cycles of FMA latency × 2 FMA ports, with room to spare.</summary>
    public const int Accumulators = 12;

    private const string NoFma = "no FMA instructions on this machine (neither AVX-512F nor FMA3)";

    /// <summary>
    /// Loop passes per timed repetition of <see cref="Measure"/>: about 7 ms at 16 lanes and 240 GFLOP/s, the scale of an
    /// invoke, so the rate is the one the core sustains (a 1 ms burst ran 5 % above a 20 ms one on a Zen 5 here).
    /// </summary>
    public const int MeasureIterations = 1 << 22;

    /// <summary>float lanes per FMA the loop runs here: 16 (AVX-512F), 8 (FMA3), or 0 where there is no FMA instruction.</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? 16 : Fma.IsSupported ? 8 : 0;

    /// <summary>FLOPs of one call of <see cref="Loop"/> with <paramref name="iterations"/> passes (on one thread).</summary>
    public static double Flops(int iterations) => (double)iterations * Accumulators * Lanes * 2;

    /// <summary>
    /// The loop: <paramref name="iterations"/> passes of <see cref="Accumulators"/> FMAs, each on its own accumulator
    /// (seeded from <paramref name="seed"/>); returns their sum so the work cannot be dropped.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The machine has no FMA instruction (<see cref="Lanes"/> is 0).</exception>
    public static float Loop(int iterations, float seed)
    {
        if (Lanes == 16) return Loop512(iterations, seed);
        if (Lanes == 8) return Loop256(iterations, seed);
        throw new PlatformNotSupportedException(NoFma);
    }

    /// <summary>
    /// Runs <see cref="Loop"/> on <paramref name="threads"/> threads at once (the caller and threads − 1 started for it,
    /// released together by a barrier), <paramref name="repetitions"/> times, and returns the rates: the fastest
    /// repetition's (the peak: on a shared machine other work only ever slows a repetition down) and the median's.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">threads or repetitions below 1, or threads above 1024.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has no FMA instruction.</exception>
    public static FmaPeakMeasurement Measure(int threads, int repetitions = 15)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        if (Lanes == 0) throw new PlatformNotSupportedException(NoFma);
        Loop(MeasureIterations / 64, 1f); // compiled and warm before the first timed repetition
        var seconds = new double[repetitions];
        using var start = new Barrier(threads);
        using var done = new Barrier(threads);
        var helpers = new Thread[threads - 1];
        float sink = 0;
        for (int h = 0; h < helpers.Length; h++)
        {
            float seed = 2f + h;
            helpers[h] = new Thread(() =>
            {
                float local = 0;
                for (int r = 0; r < repetitions; r++)
                {
                    start.SignalAndWait();
                    local += Loop(MeasureIterations, seed);
                    done.SignalAndWait();
                }
                GC.KeepAlive(local);
            }) { IsBackground = true, Name = "accel-fma-peak" };
            helpers[h].Start();
        }
        for (int r = 0; r < repetitions; r++)
        {
            start.SignalAndWait();
            long t0 = Stopwatch.GetTimestamp();
            sink += Loop(MeasureIterations, 1f);
            done.SignalAndWait();
            seconds[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        foreach (var helper in helpers) helper.Join();
        GC.KeepAlive(sink);
        Array.Sort(seconds);
        double flops = threads * Flops(MeasureIterations);
        return new FmaPeakMeasurement(threads, Lanes, flops / seconds[0] / 1e9, flops / seconds[repetitions / 2] / 1e9);
    }

    // Out of line so its accumulators own the registers; optimized at its first call like the kernels (JitHintsTests).
    [MethodImpl(MethodImplOptions.NoInlining | JitHints.Hot)]
    private static float Loop256(int iterations, float seed)
    {
        var m = Vector256.Create(0.999999f);
        var a = Vector256.Create(1e-7f);
        Vector256<float> c0 = Vector256.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a,
            c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, m, a); c1 = Fma.MultiplyAdd(c1, m, a); c2 = Fma.MultiplyAdd(c2, m, a);
            c3 = Fma.MultiplyAdd(c3, m, a); c4 = Fma.MultiplyAdd(c4, m, a); c5 = Fma.MultiplyAdd(c5, m, a);
            c6 = Fma.MultiplyAdd(c6, m, a); c7 = Fma.MultiplyAdd(c7, m, a); c8 = Fma.MultiplyAdd(c8, m, a);
            c9 = Fma.MultiplyAdd(c9, m, a); c10 = Fma.MultiplyAdd(c10, m, a); c11 = Fma.MultiplyAdd(c11, m, a);
        }
        var sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11));
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | JitHints.Hot)]
    private static float Loop512(int iterations, float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(1e-7f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a,
            c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (int i = 0; i < iterations; i++)
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
/// One <see cref="FmaPeak.Measure"/>: the thread count, the float lanes per FMA, and the rate in GFLOP/s of the fastest
/// repetition (<see cref="PeakGflops"/>) and of the median one.
/// </summary>
public readonly record struct FmaPeakMeasurement(int Threads, int Lanes, double PeakGflops, double MedianGflops);
