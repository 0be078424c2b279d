using System.Runtime.CompilerServices;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>What happens to an accumulator after its FMA chain: + bias (if any), then the activation clamp (if any).</summary>
internal readonly struct GemmEpilogue<TV>(TV min, TV max, bool clamp) where TV : unmanaged
{
    public readonly TV Min = min;
    public readonly TV Max = max;

    /// <summary>False for activation NONE: the clamp to [−inf, +inf] is the identity on every value, NaN included.</summary>
    public readonly bool Clamp = clamp;
}

/// <summary>
/// Register-blocked micro-kernels shared by CONV_2D, FULLY_CONNECTED and Convolution2DTransposeBias: a run of output
/// pixels that read the same taps (one input pixel stride apart) times the output-channel blocks of
/// <see cref="PackedConvWeights"/>. A tap list entry is a segment: <c>depth</c> consecutive input floats at
/// <c>tapX[t]</c> (relative to the pixel) against <c>depth</c> consecutive packed weight rows from row <c>tapW[t]</c>;
/// a convolution row with dilation 1 merges its kx taps into one segment, since (kx, ci) is contiguous in both.
/// Every accumulator starts at +0 and takes exactly one FMA per (tap, ci), segments in list order and their elements
/// ascending — the reference's chain for that output — then + bias, then the clamp. Vectorized across output channels
/// and register-blocked across pixels; no reduction is split or reordered, so the bits equal the reference's.
/// </summary>
internal static unsafe class GemmTiles<TOps, TV>
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    /// <summary>Pixels per register tile.</summary>
    public const int TilePixels = 4;

    /// <summary>Pixels of the largest tile this width runs (8 on Vector512, which has the registers for 8×2 vectors).</summary>
    public static int WidestTilePixels
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TOps.Count == 16 ? 2 * TilePixels : TilePixels;
    }

    /// <summary>
    /// Computes <paramref name="count"/> pixels × channel blocks [<paramref name="blockBegin"/>, <paramref name="blockEnd"/>).
    /// Pixel p reads input at <c>x + p·xStride + tapX[t] + i</c> for segment t, i &lt; <paramref name="depth"/>, and
    /// writes <c>y + p·yStride + channel</c>.
    /// </summary>
    // The tiles (and the conv/depthwise loops that call them) are compiled optimized at their first call: as tier-0
    // code the vector generics run ~100× slower, for the first ~30 invokes of an application with default tiering.
    [MethodImpl(JitHints.Hot)]
    public static void Run(in GemmPlan plan, in GemmEpilogue<TV> epilogue, float* x, nint xStride, int* tapX, int* tapW,
        int taps, int depth, float* y, nint yStride, int count, int blockBegin, int blockEnd)
    {
        int wide = 2 * TOps.Count;
        for (int block = blockBegin; block < blockEnd; block++)
        {
            int* entry = plan.Blocks + 3 * block;
            int start = entry[0];
            float* w = plan.Weights + entry[2];
            float* bias = plan.Bias == null ? null : plan.Bias + start;
            float* yBlock = y + start;
            if (entry[1] == wide)
            {
                int p = 0;
                // AVX-512 has 32 vector registers: 8 pixels × 2 vectors = 16 accumulators, so each pair of weight
                // loads feeds 16 FMAs (4x2: 8). Vector256/128 have 16 registers and keep the 4x2 tile.
                if (WidestTilePixels == 2 * TilePixels)
                    for (; p + 2 * TilePixels <= count; p += 2 * TilePixels)
                        Tile8x2(x + p * xStride, xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, yStride, epilogue);
                for (; p + TilePixels <= count; p += TilePixels)
                    Tile4x2(x + p * xStride, xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, yStride, epilogue);
                for (; p < count; p++)
                    Tile1x2(x + p * xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, epilogue);
            }
            else
            {
                // A V-wide block gets 8 pixels per tile, so it still has 8 independent FMA chains in flight.
                int p = 0;
                for (; p + 2 * TilePixels <= count; p += 2 * TilePixels)
                    Tile8x1(x + p * xStride, xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, yStride, epilogue);
                for (; p + TilePixels <= count; p += TilePixels)
                    Tile4x1(x + p * xStride, xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, yStride, epilogue);
                for (; p < count; p++)
                    Tile1x1(x + p * xStride, tapX, tapW, taps, depth, w, bias, yBlock + p * yStride, epilogue);
            }
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile4x2(float* x, nint xStride, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, nint yStride, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a00 = TOps.Zero, a01 = TOps.Zero, a10 = TOps.Zero, a11 = TOps.Zero;
        TV a20 = TOps.Zero, a21 = TOps.Zero, a30 = TOps.Zero, a31 = TOps.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* x1 = x0 + xStride;
            float* x2 = x1 + xStride;
            float* x3 = x2 + xStride;
            float* wp = w + (nint)tapW[t] * (2 * v);
            for (int ci = 0; ci < depth; ci++)
            {
                TV w0 = TOps.Load(wp);
                TV w1 = TOps.Load(wp + v);
                wp += 2 * v;
                TV b = TOps.Splat(x0[ci]);
                a00 = TOps.FusedMultiplyAdd(b, w0, a00);
                a01 = TOps.FusedMultiplyAdd(b, w1, a01);
                b = TOps.Splat(x1[ci]);
                a10 = TOps.FusedMultiplyAdd(b, w0, a10);
                a11 = TOps.FusedMultiplyAdd(b, w1, a11);
                b = TOps.Splat(x2[ci]);
                a20 = TOps.FusedMultiplyAdd(b, w0, a20);
                a21 = TOps.FusedMultiplyAdd(b, w1, a21);
                b = TOps.Splat(x3[ci]);
                a30 = TOps.FusedMultiplyAdd(b, w0, a30);
                a31 = TOps.FusedMultiplyAdd(b, w1, a31);
            }
        }
        Finish2(y, a00, a01, bias, epilogue);
        Finish2(y + yStride, a10, a11, bias, epilogue);
        Finish2(y + 2 * yStride, a20, a21, bias, epilogue);
        Finish2(y + 3 * yStride, a30, a31, bias, epilogue);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile8x2(float* x, nint xStride, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, nint yStride, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a00 = TOps.Zero, a01 = TOps.Zero, a10 = TOps.Zero, a11 = TOps.Zero;
        TV a20 = TOps.Zero, a21 = TOps.Zero, a30 = TOps.Zero, a31 = TOps.Zero;
        TV a40 = TOps.Zero, a41 = TOps.Zero, a50 = TOps.Zero, a51 = TOps.Zero;
        TV a60 = TOps.Zero, a61 = TOps.Zero, a70 = TOps.Zero, a71 = TOps.Zero;
        nint s3 = 3 * xStride;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* x4 = x0 + 4 * xStride;
            float* wp = w + (nint)tapW[t] * (2 * v);
            for (int ci = 0; ci < depth; ci++)
            {
                TV w0 = TOps.Load(wp);
                TV w1 = TOps.Load(wp + v);
                wp += 2 * v;
                TV b = TOps.Splat(x0[ci]);
                a00 = TOps.FusedMultiplyAdd(b, w0, a00);
                a01 = TOps.FusedMultiplyAdd(b, w1, a01);
                b = TOps.Splat(x0[xStride + ci]);
                a10 = TOps.FusedMultiplyAdd(b, w0, a10);
                a11 = TOps.FusedMultiplyAdd(b, w1, a11);
                b = TOps.Splat(x0[2 * xStride + ci]);
                a20 = TOps.FusedMultiplyAdd(b, w0, a20);
                a21 = TOps.FusedMultiplyAdd(b, w1, a21);
                b = TOps.Splat(x0[s3 + ci]);
                a30 = TOps.FusedMultiplyAdd(b, w0, a30);
                a31 = TOps.FusedMultiplyAdd(b, w1, a31);
                b = TOps.Splat(x4[ci]);
                a40 = TOps.FusedMultiplyAdd(b, w0, a40);
                a41 = TOps.FusedMultiplyAdd(b, w1, a41);
                b = TOps.Splat(x4[xStride + ci]);
                a50 = TOps.FusedMultiplyAdd(b, w0, a50);
                a51 = TOps.FusedMultiplyAdd(b, w1, a51);
                b = TOps.Splat(x4[2 * xStride + ci]);
                a60 = TOps.FusedMultiplyAdd(b, w0, a60);
                a61 = TOps.FusedMultiplyAdd(b, w1, a61);
                b = TOps.Splat(x4[s3 + ci]);
                a70 = TOps.FusedMultiplyAdd(b, w0, a70);
                a71 = TOps.FusedMultiplyAdd(b, w1, a71);
            }
        }
        Finish2(y, a00, a01, bias, epilogue);
        Finish2(y + yStride, a10, a11, bias, epilogue);
        Finish2(y + 2 * yStride, a20, a21, bias, epilogue);
        Finish2(y + 3 * yStride, a30, a31, bias, epilogue);
        Finish2(y + 4 * yStride, a40, a41, bias, epilogue);
        Finish2(y + 5 * yStride, a50, a51, bias, epilogue);
        Finish2(y + 6 * yStride, a60, a61, bias, epilogue);
        Finish2(y + 7 * yStride, a70, a71, bias, epilogue);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile1x2(float* x, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a0 = TOps.Zero, a1 = TOps.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* wp = w + (nint)tapW[t] * (2 * v);
            for (int ci = 0; ci < depth; ci++)
            {
                TV b = TOps.Splat(x0[ci]);
                a0 = TOps.FusedMultiplyAdd(b, TOps.Load(wp), a0);
                a1 = TOps.FusedMultiplyAdd(b, TOps.Load(wp + v), a1);
                wp += 2 * v;
            }
        }
        Finish2(y, a0, a1, bias, epilogue);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile4x1(float* x, nint xStride, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, nint yStride, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* x1 = x0 + xStride;
            float* x2 = x1 + xStride;
            float* x3 = x2 + xStride;
            float* wp = w + (nint)tapW[t] * v;
            for (int ci = 0; ci < depth; ci++)
            {
                TV w0 = TOps.Load(wp);
                wp += v;
                a0 = TOps.FusedMultiplyAdd(TOps.Splat(x0[ci]), w0, a0);
                a1 = TOps.FusedMultiplyAdd(TOps.Splat(x1[ci]), w0, a1);
                a2 = TOps.FusedMultiplyAdd(TOps.Splat(x2[ci]), w0, a2);
                a3 = TOps.FusedMultiplyAdd(TOps.Splat(x3[ci]), w0, a3);
            }
        }
        Finish(y, a0, bias, epilogue);
        Finish(y + yStride, a1, bias, epilogue);
        Finish(y + 2 * yStride, a2, bias, epilogue);
        Finish(y + 3 * yStride, a3, bias, epilogue);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile8x1(float* x, nint xStride, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, nint yStride, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        TV a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* x1 = x0 + xStride;
            float* x2 = x1 + xStride;
            float* x3 = x2 + xStride;
            float* x4 = x3 + xStride;
            float* x5 = x4 + xStride;
            float* x6 = x5 + xStride;
            float* x7 = x6 + xStride;
            float* wp = w + (nint)tapW[t] * v;
            for (int ci = 0; ci < depth; ci++)
            {
                TV w0 = TOps.Load(wp);
                wp += v;
                a0 = TOps.FusedMultiplyAdd(TOps.Splat(x0[ci]), w0, a0);
                a1 = TOps.FusedMultiplyAdd(TOps.Splat(x1[ci]), w0, a1);
                a2 = TOps.FusedMultiplyAdd(TOps.Splat(x2[ci]), w0, a2);
                a3 = TOps.FusedMultiplyAdd(TOps.Splat(x3[ci]), w0, a3);
                a4 = TOps.FusedMultiplyAdd(TOps.Splat(x4[ci]), w0, a4);
                a5 = TOps.FusedMultiplyAdd(TOps.Splat(x5[ci]), w0, a5);
                a6 = TOps.FusedMultiplyAdd(TOps.Splat(x6[ci]), w0, a6);
                a7 = TOps.FusedMultiplyAdd(TOps.Splat(x7[ci]), w0, a7);
            }
        }
        Finish(y, a0, bias, epilogue);
        Finish(y + yStride, a1, bias, epilogue);
        Finish(y + 2 * yStride, a2, bias, epilogue);
        Finish(y + 3 * yStride, a3, bias, epilogue);
        Finish(y + 4 * yStride, a4, bias, epilogue);
        Finish(y + 5 * yStride, a5, bias, epilogue);
        Finish(y + 6 * yStride, a6, bias, epilogue);
        Finish(y + 7 * yStride, a7, bias, epilogue);
    }

    [MethodImpl(JitHints.Hot)]
    private static void Tile1x1(float* x, int* tapX, int* tapW, int taps, int depth, float* w, float* bias,
        float* y, in GemmEpilogue<TV> epilogue)
    {
        int v = TOps.Count;
        TV a0 = TOps.Zero;
        for (int t = 0; t < taps; t++)
        {
            float* x0 = x + tapX[t];
            float* wp = w + (nint)tapW[t] * v;
            for (int ci = 0; ci < depth; ci++)
            {
                a0 = TOps.FusedMultiplyAdd(TOps.Splat(x0[ci]), TOps.Load(wp), a0);
                wp += v;
            }
        }
        Finish(y, a0, bias, epilogue);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish2(float* y, TV first, TV second, float* bias, in GemmEpilogue<TV> epilogue)
    {
        Finish(y, first, bias, epilogue);
        Finish(y + TOps.Count, second, bias == null ? null : bias + TOps.Count, epilogue);
    }

    /// <summary>acc (+ bias) (clamped), stored as a whole vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Finish(float* y, TV acc, float* bias, in GemmEpilogue<TV> epilogue)
    {
        if (bias != null) acc = TOps.Add(acc, TOps.Load(bias));
        if (epilogue.Clamp) acc = TOps.Clamp(acc, epilogue.Min, epilogue.Max);
        TOps.Store(y, acc);
    }
}
