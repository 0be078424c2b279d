using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>A per-element function, written once for every width (a struct, so the JIT specialises and inlines it).</summary>
internal interface IUnaryOp
{
    TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged;
}

/// <summary>A per-element function of two operands (output = f(a, b), operands in that order).</summary>
internal interface IBinaryOp
{
    TV Apply<TS, TV>(TV a, TV b) where TS : ISimd<TV> where TV : unmanaged;
}

/// <summary>Vector loops over contiguous float ranges; the tail runs the same op one lane at a time.</summary>
internal static unsafe class ElementwiseLoops
{
    /// <summary>dst[i] = op(src[i]) for i in [start, end).</summary>
    [MethodImpl(JitHints.Hot)]
    public static void Map<TOp>(SimdWidth width, in TOp op, float* src, float* dst, int start, int end) where TOp : struct, IUnaryOp
    {
        switch (width)
        {
            case SimdWidth.W512: Map<TOp, Simd512, Vector512<float>>(op, src, dst, start, end); break;
            case SimdWidth.W256: Map<TOp, Simd256, Vector256<float>>(op, src, dst, start, end); break;
            case SimdWidth.W128: Map<TOp, Simd128, Vector128<float>>(op, src, dst, start, end); break;
            default: Map<TOp, Scalar, float>(op, src, dst, start, end); break;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Map<TOp, TS, TV>(TOp op, float* src, float* dst, int start, int end)
        where TOp : struct, IUnaryOp where TS : ISimd<TV> where TV : unmanaged
    {
        int i = start;
        // One vector per iteration: the transcendental ops already use every register; unrolling only spills.
        for (; i <= end - TS.Count; i += TS.Count) TS.Store(dst + i, op.Apply<TS, TV>(TS.Load(src + i)));
        if (i == end) return;
        // The last partial vector is recomputed overlapping lanes already written (same bits: dst never aliases
        // src), staying inside [start, end) so that threads never write each other's ranges.
        if (end - start >= TS.Count)
        {
            TS.Store(dst + end - TS.Count, op.Apply<TS, TV>(TS.Load(src + end - TS.Count)));
            return;
        }
        for (; i < end; i++) dst[i] = op.Apply<Scalar, float>(src[i]);
    }

    /// <summary>
    /// One row of a broadcast binary op: out[i] = clamp(op(a[i·aStep], b[i·bStep])) for i in [0, n), where a step of 0
    /// repeats one element (a broadcast operand) and 1 walks a contiguous row.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Row<TOp>(SimdWidth width, in TOp op, float* a, int aStep, float* b, int bStep, float* o, int n,
        in VectorClamp clamp) where TOp : struct, IBinaryOp
    {
        switch (width)
        {
            case SimdWidth.W512: HotRow<TOp, Simd512, Vector512<float>>(op, a, aStep, b, bStep, o, n, clamp); break;
            case SimdWidth.W256: HotRow<TOp, Simd256, Vector256<float>>(op, a, aStep, b, bStep, o, n, clamp); break;
            case SimdWidth.W128: HotRow<TOp, Simd128, Vector128<float>>(op, a, aStep, b, bStep, o, n, clamp); break;
            default: HotRow<TOp, Scalar, float>(op, a, aStep, b, bStep, o, n, clamp); break;
        }
    }

    /// <summary>
    /// <see cref="Row{TOp, TS, TV}"/> as a hot method of its own, for the width dispatcher above: the dispatcher itself
    /// is not hot (made hot, it compiles all four widths' loops optimized at its first call, ~15 ms of JIT), so it
    /// starts as tier-0 code, and a tier-0 caller does not inline — without this step the inlining-only row loops ran
    /// as tier-0 methods (every vector operation a call) for their first ~30 calls: face_detection_short_range's
    /// invokes 2–50 ran 1.5–3.5× its steady time through the channel-padded ADD (perf/RESULTS.md, cold start:
    /// second invoke). Only the width in use is compiled.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static void HotRow<TOp, TS, TV>(TOp op, float* a, int aStep, float* b, int bStep, float* o, int n, VectorClamp clamp)
        where TOp : struct, IBinaryOp where TS : ISimd<TV> where TV : unmanaged =>
        Row<TOp, TS, TV>(op, a, aStep, b, bStep, o, n, clamp);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row<TOp, TS, TV>(TOp op, float* a, int aStep, float* b, int bStep, float* o, int n, VectorClamp clamp)
        where TOp : struct, IBinaryOp where TS : ISimd<TV> where TV : unmanaged
    {
        if (clamp.IsIdentity)
        {
            if (aStep == 1 && bStep == 1) RowBoth<TOp, TS, TV, NoClamp>(op, a, b, o, n, default);
            else if (aStep == 1) RowScalarB<TOp, TS, TV, NoClamp>(op, a, *b, o, n, default);
            else if (bStep == 1) RowScalarA<TOp, TS, TV, NoClamp>(op, *a, b, o, n, default);
            else RowScalars<TOp, NoClamp>(op, *a, *b, o, n, default);
        }
        else
        {
            var c = new WithClamp(clamp.Min, clamp.Max);
            if (aStep == 1 && bStep == 1) RowBoth<TOp, TS, TV, WithClamp>(op, a, b, o, n, c);
            else if (aStep == 1) RowScalarB<TOp, TS, TV, WithClamp>(op, a, *b, o, n, c);
            else if (bStep == 1) RowScalarA<TOp, TS, TV, WithClamp>(op, *a, b, o, n, c);
            else RowScalars<TOp, WithClamp>(op, *a, *b, o, n, c);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowBoth<TOp, TS, TV, TC>(TOp op, float* a, float* b, float* o, int n, TC clamp)
        where TOp : struct, IBinaryOp where TS : ISimd<TV> where TV : unmanaged where TC : struct, IClamp
    {
        int i = 0;
        for (; i <= n - TS.Count; i += TS.Count)
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(TS.Load(a + i), TS.Load(b + i))));
        // The last partial vector recomputes lanes already written, which is only right when the output is not an input
        // (a fused activation may write in place, ActivationFusion): then the scalar tail, same bits per element.
        if (i < n && n >= TS.Count && o != a && o != b)
        {
            i = n - TS.Count;
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(TS.Load(a + i), TS.Load(b + i))));
            return;
        }
        for (; i < n; i++) o[i] = clamp.Apply<Scalar, float>(op.Apply<Scalar, float>(a[i], b[i]));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowScalarB<TOp, TS, TV, TC>(TOp op, float* a, float b, float* o, int n, TC clamp)
        where TOp : struct, IBinaryOp where TS : ISimd<TV> where TV : unmanaged where TC : struct, IClamp
    {
        TV vb = TS.Splat(b);
        int i = 0;
        for (; i <= n - TS.Count; i += TS.Count)
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(TS.Load(a + i), vb)));
        if (i < n && n >= TS.Count && o != a)
        {
            i = n - TS.Count;
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(TS.Load(a + i), vb)));
            return;
        }
        for (; i < n; i++) o[i] = clamp.Apply<Scalar, float>(op.Apply<Scalar, float>(a[i], b));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowScalarA<TOp, TS, TV, TC>(TOp op, float a, float* b, float* o, int n, TC clamp)
        where TOp : struct, IBinaryOp where TS : ISimd<TV> where TV : unmanaged where TC : struct, IClamp
    {
        TV va = TS.Splat(a);
        int i = 0;
        for (; i <= n - TS.Count; i += TS.Count)
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(va, TS.Load(b + i))));
        if (i < n && n >= TS.Count && o != b)
        {
            i = n - TS.Count;
            TS.Store(o + i, clamp.Apply<TS, TV>(op.Apply<TS, TV>(va, TS.Load(b + i))));
            return;
        }
        for (; i < n; i++) o[i] = clamp.Apply<Scalar, float>(op.Apply<Scalar, float>(a, b[i]));
    }

    private static void RowScalars<TOp, TC>(TOp op, float a, float b, float* o, int n, TC clamp)
        where TOp : struct, IBinaryOp where TC : struct, IClamp
    {
        float value = clamp.Apply<Scalar, float>(op.Apply<Scalar, float>(a, b));
        Fills.Repeat(o, n, value);
    }

    private interface IClamp
    {
        TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged;
    }

    private readonly struct NoClamp : IClamp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged => x;
    }

    private readonly struct WithClamp(float min, float max) : IClamp
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
            VectorClamp.Apply<TS, TV>(x, TS.Splat(min), TS.Splat(max));
    }
}

/// <summary>Clamp to [min, max] with the reference's comparison semantics (RELU, RELU6, RELU_N1_TO_1 as ops).</summary>
internal readonly struct ClampOp(float min, float max) : IUnaryOp
{
    public float Min => min;
    public float Max => max;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Apply<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
        VectorClamp.Apply<TS, TV>(x, TS.Splat(min), TS.Splat(max));
}
