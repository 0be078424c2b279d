using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>One output pixel's value for a run of channels starting at c (a struct, so the JIT inlines it per width).</summary>
internal interface IChannelOp
{
    TV Compute<TS, TV>(int c) where TS : ISimd<TV> where TV : unmanaged;
}

/// <summary>
/// Covers the channels [0, depth) of one output pixel with whole vectors. The last, partial vector is recomputed
/// at depth − Count, overlapping channels already written: every lane is the same pure function of the inputs (which
/// never alias the output), so rewriting a lane stores the same bits. Pixels narrower than one vector use 8-lane
/// vectors (8–15 channels on Vector512: pose_landmark_heavy's 8-channel 256×256 resize ran two 4-lane halves a pixel),
/// else 4-lane ones where accelerated, else one lane at a time. Channel counts such as 28 or 36 thus cost no scalar tail.
/// </summary>
internal static unsafe class ChannelLoop
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TK, TS, TV>(in TK op, float* output, int depth)
        where TK : struct, IChannelOp where TS : ISimd<TV> where TV : unmanaged
    {
        int c = 0;
        for (; c <= depth - TS.Count; c += TS.Count) TS.Store(output + c, op.Compute<TS, TV>(c));
        if (c == depth) return;
        if (depth >= TS.Count)
        {
            TS.Store(output + depth - TS.Count, op.Compute<TS, TV>(depth - TS.Count));
            return;
        }
        if (TS.Count > 8 && depth >= 8 && Vector256.IsHardwareAccelerated)
        {
            for (c = 0; c <= depth - 8; c += 8) Simd256.Store(output + c, op.Compute<Simd256, Vector256<float>>(c));
            if (c < depth) Simd256.Store(output + depth - 8, op.Compute<Simd256, Vector256<float>>(depth - 8));
            return;
        }
        if (TS.Count > 4 && depth >= 4 && Vector128.IsHardwareAccelerated)
        {
            for (c = 0; c <= depth - 4; c += 4) Simd128.Store(output + c, op.Compute<Simd128, Vector128<float>>(c));
            if (c < depth) Simd128.Store(output + depth - 4, op.Compute<Simd128, Vector128<float>>(depth - 4));
            return;
        }
        for (; c < depth; c++) output[c] = op.Compute<Scalar, float>(c);
    }
}
