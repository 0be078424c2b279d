using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// Depthwise micro-kernels for the corpus's common filters (3×3 and 5×5, stride 1 or 2, dilation 1, multiplier 1) on
/// 8 interior output pixels of one row × one channel vector. Each input column of a filter row is loaded once and
/// fed to every pixel it reaches (pixel p uses column p·stride + kx as tap kx); columns are visited left to right, so
/// every accumulator still receives its taps in the reference's order — ky outer, kx ascending — one FMA each,
/// starting at +0; then + bias and the clamp. Written out column by column (the JIT does not unroll loops), so the
/// 8 accumulators and the row's weights stay in registers.
/// </summary>
internal static unsafe class DepthwiseRowKernels<TOps, TV>
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    public const int Pixels = 8;

    /// <summary>Whether a specialised kernel exists for this filter width and stride (dilation 1).</summary>
    public static bool Supports(int filterWidth, int stride) =>
        (filterWidth == 3 && stride == 1) || (filterWidth == 3 && stride == 2) || (filterWidth == 5 && stride == 1) || (filterWidth == 5 && stride == 2);

    /// <summary>
    /// For each channel vector start in <paramref name="starts"/>: pixels p = 0..7 at <c>x + p·stride·col</c> (the input
    /// at kx = 0 of filter row <paramref name="kyBegin"/> … <paramref name="kyEnd"/> − 1, rows <paramref name="rowStride"/> apart),
    /// filter taps <paramref name="tapStride"/> floats apart, outputs <paramref name="yStride"/> apart.
    /// </summary>
    public static void Run(int filterWidth, int stride, float* x, nint col, nint rowStride, int kyBegin, int kyEnd, float* w,
        nint tapStride, float* bias, in GemmEpilogue<TV> epilogue, float* y, nint yStride, int* starts, int vectors)
    {
        if (filterWidth == 3 && stride == 1) K3S1(x, col, rowStride, kyBegin, kyEnd, w, tapStride, bias, epilogue, y, yStride, starts, vectors);
        else if (filterWidth == 3 && stride == 2) K3S2(x, col, rowStride, kyBegin, kyEnd, w, tapStride, bias, epilogue, y, yStride, starts, vectors);
        else if (filterWidth == 5 && stride == 1) K5S1(x, col, rowStride, kyBegin, kyEnd, w, tapStride, bias, epilogue, y, yStride, starts, vectors);
        else if (filterWidth == 5 && stride == 2) K5S2(x, col, rowStride, kyBegin, kyEnd, w, tapStride, bias, epilogue, y, yStride, starts, vectors);
    }

    private static void K3S1(float* x, nint col, nint rowStride, int kyBegin, int kyEnd, float* w, nint tapStride,
        float* bias, in GemmEpilogue<TV> epilogue, float* y, nint yStride, int* starts, int vectors)
    {
        for (int v = 0; v < vectors; v++)
        {
            int c = starts[v];
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                float* wr = w + (nint)ky * 3 * tapStride + c;
                TV w0 = TOps.Load(wr);
                TV w1 = TOps.Load(wr + tapStride);
                TV w2 = TOps.Load(wr + 2 * tapStride);
                float* r = x + ky * rowStride + c;
                TV v0;
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w0, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w1, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w0, a1);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w2, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w1, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w0, a2);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w2, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w1, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w0, a3);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w2, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w1, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w0, a4);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w2, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w1, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w0, a5);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w2, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w1, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w0, a6);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w2, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w1, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w0, a7);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w2, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w1, a7);
                v0 = TOps.Load(r);
                a7 = TOps.FusedMultiplyAdd(v0, w2, a7);
            }
            float* b = bias == null ? null : bias + c;
            Finish(y +  c, a0, b, epilogue);
            Finish(y + yStride + c, a1, b, epilogue);
            Finish(y + 2 * yStride + c, a2, b, epilogue);
            Finish(y + 3 * yStride + c, a3, b, epilogue);
            Finish(y + 4 * yStride + c, a4, b, epilogue);
            Finish(y + 5 * yStride + c, a5, b, epilogue);
            Finish(y + 6 * yStride + c, a6, b, epilogue);
            Finish(y + 7 * yStride + c, a7, b, epilogue);
        }
    }

    private static void K3S2(float* x, nint col, nint rowStride, int kyBegin, int kyEnd, float* w, nint tapStride,
        float* bias, in GemmEpilogue<TV> epilogue, float* y, nint yStride, int* starts, int vectors)
    {
        for (int v = 0; v < vectors; v++)
        {
            int c = starts[v];
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                float* wr = w + (nint)ky * 3 * tapStride + c;
                TV w0 = TOps.Load(wr);
                TV w1 = TOps.Load(wr + tapStride);
                TV w2 = TOps.Load(wr + 2 * tapStride);
                float* r = x + ky * rowStride + c;
                TV v0;
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w0, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w1, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w2, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w0, a1);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w1, a1);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w2, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w0, a2);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w1, a2);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w2, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w0, a3);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w1, a3);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w2, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w0, a4);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w1, a4);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w2, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w0, a5);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w1, a5);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w2, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w0, a6);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w1, a6);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w2, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w0, a7);
                v0 = TOps.Load(r); r += col;
                a7 = TOps.FusedMultiplyAdd(v0, w1, a7);
                v0 = TOps.Load(r);
                a7 = TOps.FusedMultiplyAdd(v0, w2, a7);
            }
            float* b = bias == null ? null : bias + c;
            Finish(y +  c, a0, b, epilogue);
            Finish(y + yStride + c, a1, b, epilogue);
            Finish(y + 2 * yStride + c, a2, b, epilogue);
            Finish(y + 3 * yStride + c, a3, b, epilogue);
            Finish(y + 4 * yStride + c, a4, b, epilogue);
            Finish(y + 5 * yStride + c, a5, b, epilogue);
            Finish(y + 6 * yStride + c, a6, b, epilogue);
            Finish(y + 7 * yStride + c, a7, b, epilogue);
        }
    }

    private static void K5S1(float* x, nint col, nint rowStride, int kyBegin, int kyEnd, float* w, nint tapStride,
        float* bias, in GemmEpilogue<TV> epilogue, float* y, nint yStride, int* starts, int vectors)
    {
        for (int v = 0; v < vectors; v++)
        {
            int c = starts[v];
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                float* wr = w + (nint)ky * 5 * tapStride + c;
                TV w0 = TOps.Load(wr);
                TV w1 = TOps.Load(wr + tapStride);
                TV w2 = TOps.Load(wr + 2 * tapStride);
                TV w3 = TOps.Load(wr + 3 * tapStride);
                TV w4 = TOps.Load(wr + 4 * tapStride);
                float* r = x + ky * rowStride + c;
                TV v0;
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w0, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w1, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w0, a1);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w2, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w1, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w0, a2);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w3, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w2, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w1, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w0, a3);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w4, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w3, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w2, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w1, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w0, a4);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w4, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w3, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w2, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w1, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w0, a5);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w4, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w3, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w2, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w1, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w0, a6);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w4, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w3, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w2, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w1, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w0, a7);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w4, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w3, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w2, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w1, a7);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w4, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w3, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w2, a7);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w4, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w3, a7);
                v0 = TOps.Load(r);
                a7 = TOps.FusedMultiplyAdd(v0, w4, a7);
            }
            float* b = bias == null ? null : bias + c;
            Finish(y +  c, a0, b, epilogue);
            Finish(y + yStride + c, a1, b, epilogue);
            Finish(y + 2 * yStride + c, a2, b, epilogue);
            Finish(y + 3 * yStride + c, a3, b, epilogue);
            Finish(y + 4 * yStride + c, a4, b, epilogue);
            Finish(y + 5 * yStride + c, a5, b, epilogue);
            Finish(y + 6 * yStride + c, a6, b, epilogue);
            Finish(y + 7 * yStride + c, a7, b, epilogue);
        }
    }

    private static void K5S2(float* x, nint col, nint rowStride, int kyBegin, int kyEnd, float* w, nint tapStride,
        float* bias, in GemmEpilogue<TV> epilogue, float* y, nint yStride, int* starts, int vectors)
    {
        for (int v = 0; v < vectors; v++)
        {
            int c = starts[v];
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                float* wr = w + (nint)ky * 5 * tapStride + c;
                TV w0 = TOps.Load(wr);
                TV w1 = TOps.Load(wr + tapStride);
                TV w2 = TOps.Load(wr + 2 * tapStride);
                TV w3 = TOps.Load(wr + 3 * tapStride);
                TV w4 = TOps.Load(wr + 4 * tapStride);
                float* r = x + ky * rowStride + c;
                TV v0;
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w0, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w1, a0);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w2, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w0, a1);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w3, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w1, a1);
                v0 = TOps.Load(r); r += col;
                a0 = TOps.FusedMultiplyAdd(v0, w4, a0);
                a1 = TOps.FusedMultiplyAdd(v0, w2, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w0, a2);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w3, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w1, a2);
                v0 = TOps.Load(r); r += col;
                a1 = TOps.FusedMultiplyAdd(v0, w4, a1);
                a2 = TOps.FusedMultiplyAdd(v0, w2, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w0, a3);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w3, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w1, a3);
                v0 = TOps.Load(r); r += col;
                a2 = TOps.FusedMultiplyAdd(v0, w4, a2);
                a3 = TOps.FusedMultiplyAdd(v0, w2, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w0, a4);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w3, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w1, a4);
                v0 = TOps.Load(r); r += col;
                a3 = TOps.FusedMultiplyAdd(v0, w4, a3);
                a4 = TOps.FusedMultiplyAdd(v0, w2, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w0, a5);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w3, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w1, a5);
                v0 = TOps.Load(r); r += col;
                a4 = TOps.FusedMultiplyAdd(v0, w4, a4);
                a5 = TOps.FusedMultiplyAdd(v0, w2, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w0, a6);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w3, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w1, a6);
                v0 = TOps.Load(r); r += col;
                a5 = TOps.FusedMultiplyAdd(v0, w4, a5);
                a6 = TOps.FusedMultiplyAdd(v0, w2, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w0, a7);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w3, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w1, a7);
                v0 = TOps.Load(r); r += col;
                a6 = TOps.FusedMultiplyAdd(v0, w4, a6);
                a7 = TOps.FusedMultiplyAdd(v0, w2, a7);
                v0 = TOps.Load(r); r += col;
                a7 = TOps.FusedMultiplyAdd(v0, w3, a7);
                v0 = TOps.Load(r);
                a7 = TOps.FusedMultiplyAdd(v0, w4, a7);
            }
            float* b = bias == null ? null : bias + c;
            Finish(y +  c, a0, b, epilogue);
            Finish(y + yStride + c, a1, b, epilogue);
            Finish(y + 2 * yStride + c, a2, b, epilogue);
            Finish(y + 3 * yStride + c, a3, b, epilogue);
            Finish(y + 4 * yStride + c, a4, b, epilogue);
            Finish(y + 5 * yStride + c, a5, b, epilogue);
            Finish(y + 6 * yStride + c, a6, b, epilogue);
            Finish(y + 7 * yStride + c, a7, b, epilogue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* y, TV acc, float* bias, in GemmEpilogue<TV> epilogue)
    {
        if (bias != null) acc = TOps.Add(acc, TOps.Load(bias));
        if (epilogue.Clamp) acc = TOps.Clamp(acc, epilogue.Min, epilogue.Max);
        TOps.Store(y, acc);
    }
}
