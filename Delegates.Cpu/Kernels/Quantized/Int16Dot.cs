using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>Which instructions <see cref="Int16Dot"/> sums with.</summary>
internal enum Int16DotIsa
{
    /// <summary>Plain int64 arithmetic.</summary>
    Scalar,

    /// <summary>AVX2 <c>vpmaddwd</c>, 16 int16 pairs a step.</summary>
    Avx2,

    /// <summary>AVX-512BW <c>vpmaddwd</c>, 32 int16 pairs a step (then the AVX2 step for a 16-channel tail).</summary>
    Avx512,
}

/// <summary>
/// Σ x[c] · w[c] of int16 operands with |w| ≤ 255, exact in int64: int16 activations with int8 weights (int16x8), or
/// 8-bit activations and weights with their offsets added, (x + input offset) · (w + weights offset), each within
/// ±255 (int8/uint8 TRANSPOSE_CONV). A <c>vpmaddwd</c> lane sums two products, each |x · w| ≤ 32768 · 255 &lt; 2^23,
/// so a pair stays within ±2^24 (the one wrapping pair, (−32768)² twice, needs both operands at −32768, and a weight
/// never is); the int32 lanes are widened into the int64 total every 128 steps (a lane then holds less than
/// 128 · 2^24 = 2^31), so no sum wraps and every path returns the exact integer the reference's int64 loop does.
/// </summary>
internal static unsafe class Int16Dot
{
    private const int StepsPerFlush = 128;

    /// <summary>The best path this process can run; <c>ACCEL_CPU_SIMD=scalar</c> forces the scalar one.</summary>
    public static Int16DotIsa Best()
    {
        if (SimdPath.ForcedLanes == 1) return Int16DotIsa.Scalar;
        if (Avx512BW.IsSupported && Vector512.IsHardwareAccelerated) return Int16DotIsa.Avx512;
        return Avx2.IsSupported ? Int16DotIsa.Avx2 : Int16DotIsa.Scalar;
    }

    public static bool IsSupported(Int16DotIsa isa) => isa switch
    {
        Int16DotIsa.Avx512 => Avx512BW.IsSupported,
        Int16DotIsa.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>Σ x[c]·w[c] over <paramref name="depth"/> channels (one tap).</summary>
    [MethodImpl(JitHints.Hot)]
    public static long Dot(short* x, short* w, int depth, Int16DotIsa isa)
    {
        int zero = 0;
        return DotTaps(x, &zero, w, &zero, 1, depth, isa);
    }

    /// <summary>
    /// Σ over the taps t &lt; <paramref name="count"/> of Σ_c x[xOffsets[t] + c]·w[wOffsets[t] + c]: the lanes keep
    /// accumulating across taps and are widened into the int64 total once per output (or every 128 steps).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static long DotTaps(short* x, int* xOffsets, short* w, int* wOffsets, int count, int depth, Int16DotIsa isa)
    {
        long total = 0;
        if (isa == Int16DotIsa.Scalar)
        {
            for (int t = 0; t < count; t++)
            {
                short* xt = x + xOffsets[t], wt = w + wOffsets[t];
                for (int c = 0; c < depth; c++) total += xt[c] * wt[c];
            }
            return total;
        }
        var wide = Vector512<int>.Zero;
        var narrow = Vector256<int>.Zero;
        int wideSteps = 0, narrowSteps = 0;
        bool use512 = isa == Int16DotIsa.Avx512;
        for (int t = 0; t < count; t++)
        {
            short* xt = x + xOffsets[t], wt = w + wOffsets[t];
            int c = 0;
            if (use512)
            {
                for (; c + 32 <= depth; c += 32)
                {
                    wide = Avx512BW.Add(wide, Avx512BW.MultiplyAddAdjacent(Vector512.Load(xt + c), Vector512.Load(wt + c)));
                    if (++wideSteps == StepsPerFlush)
                    {
                        total += Sum(wide);
                        wide = Vector512<int>.Zero;
                        wideSteps = 0;
                    }
                }
            }
            for (; c + 16 <= depth; c += 16)
            {
                narrow = Avx2.Add(narrow, Avx2.MultiplyAddAdjacent(Vector256.Load(xt + c), Vector256.Load(wt + c)));
                if (++narrowSteps == StepsPerFlush)
                {
                    total += Sum(narrow);
                    narrow = Vector256<int>.Zero;
                    narrowSteps = 0;
                }
            }
            for (; c < depth; c++) total += xt[c] * wt[c];
        }
        if (use512) total += Sum(wide);
        return total + Sum(narrow);
    }

    /// <summary>
    /// <see cref="DotTaps"/> for four output channels at once (weights <paramref name="channelStride"/> shorts apart),
    /// each input vector loaded once for the four: sums[i] for the weights at w + i · channelStride.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void DotTaps4(short* x, int* xOffsets, short* w, int channelStride, int* wOffsets, int count, int depth, Int16DotIsa isa, long* sums)
    {
        if (isa == Int16DotIsa.Scalar)
        {
            for (int i = 0; i < 4; i++) sums[i] = DotTaps(x, xOffsets, w + (nint)i * channelStride, wOffsets, count, depth, isa);
            return;
        }
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        Vector512<int> a0 = Vector512<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
        Vector256<int> b0 = Vector256<int>.Zero, b1 = b0, b2 = b0, b3 = b0;
        int wideSteps = 0, narrowSteps = 0;
        bool use512 = isa == Int16DotIsa.Avx512;
        nint stride = channelStride;
        for (int t = 0; t < count; t++)
        {
            short* xt = x + xOffsets[t], wt = w + wOffsets[t];
            int c = 0;
            if (use512)
            {
                for (; c + 32 <= depth; c += 32)
                {
                    var xv = Vector512.Load(xt + c);
                    a0 = Avx512BW.Add(a0, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + c)));
                    a1 = Avx512BW.Add(a1, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + stride + c)));
                    a2 = Avx512BW.Add(a2, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + 2 * stride + c)));
                    a3 = Avx512BW.Add(a3, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + 3 * stride + c)));
                    if (++wideSteps == StepsPerFlush)
                    {
                        s0 += Sum(a0);
                        s1 += Sum(a1);
                        s2 += Sum(a2);
                        s3 += Sum(a3);
                        a0 = a1 = a2 = a3 = Vector512<int>.Zero;
                        wideSteps = 0;
                    }
                }
            }
            for (; c + 16 <= depth; c += 16)
            {
                var xv = Vector256.Load(xt + c);
                b0 = Avx2.Add(b0, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + c)));
                b1 = Avx2.Add(b1, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + stride + c)));
                b2 = Avx2.Add(b2, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + 2 * stride + c)));
                b3 = Avx2.Add(b3, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + 3 * stride + c)));
                if (++narrowSteps == StepsPerFlush)
                {
                    s0 += Sum(b0);
                    s1 += Sum(b1);
                    s2 += Sum(b2);
                    s3 += Sum(b3);
                    b0 = b1 = b2 = b3 = Vector256<int>.Zero;
                    narrowSteps = 0;
                }
            }
            for (; c < depth; c++)
            {
                int xv = xt[c];
                s0 += xv * wt[c];
                s1 += xv * wt[stride + c];
                s2 += xv * wt[2 * stride + c];
                s3 += xv * wt[3 * stride + c];
            }
        }
        if (use512)
        {
            s0 += Sum(a0);
            s1 += Sum(a1);
            s2 += Sum(a2);
            s3 += Sum(a3);
        }
        sums[0] = s0 + Sum(b0);
        sums[1] = s1 + Sum(b1);
        sums[2] = s2 + Sum(b2);
        sums[3] = s3 + Sum(b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Sum(Vector512<int> lanes) => Vector512.Sum(Vector512.WidenLower(lanes)) + Vector512.Sum(Vector512.WidenUpper(lanes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Sum(Vector256<int> lanes) => Vector256.Sum(Vector256.WidenLower(lanes)) + Vector256.Sum(Vector256.WidenUpper(lanes));
}
