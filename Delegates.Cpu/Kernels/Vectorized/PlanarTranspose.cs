using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// A pixel-major (NHWC) row of floats copied into channel planes — channel c's run of pixels at planes + c·planeStride
/// — for the kernels that vectorize across pixels (one-channel transposed convolutions, few-output-channel CONV_2D).
/// An exact copy: 16 pixels × 16 channels transposed in registers where the channels are a multiple of 16 and 512-bit
/// vectors are accelerated, else 8 × 8 where they are a multiple of 8 with AVX (a third of the time of eight gathers:
/// vgatherdps is slow on Zen), else one AVX2 gather of 8 pixels per channel; the row's last pixels one at a time.
/// </summary>
internal static unsafe class PlanarTranspose
{
    /// <summary><paramref name="width"/> pixels of <paramref name="depth"/> channels at <paramref name="source"/> into the planes.</summary>
    [MethodImpl(JitHints.Hot)]
    public static void Row(float* source, int width, int depth, float* planes, nint planeStride)
    {
        int ix = 0;
        if (depth % 16 == 0 && Vector512.IsHardwareAccelerated)
            for (; ix + 16 <= width; ix += 16)
                for (int c = 0; c < depth; c += 16) Block16(source + (nint)ix * depth + c, depth, planes + c * planeStride + ix, planeStride);
        else if (depth % 8 == 0 && Avx.IsSupported)
            for (; ix + 8 <= width; ix += 8)
                for (int c = 0; c < depth; c += 8) Block8(source + (nint)ix * depth + c, depth, planes + c * planeStride + ix, planeStride);
        else if (Avx2.IsSupported)
        {
            // 8 pixels' values of one channel per gather (lane i reads pixel ix + i).
            var lanes = Vector256.CreateSequence(0, depth);
            int end = width / 8 * 8;
            for (int c = 0; c < depth; c++)
                for (int i = 0; i < end; i += 8)
                    Avx2.GatherVector256(source + (nint)i * depth + c, lanes, 4).Store(planes + c * planeStride + i);
            ix = end;
        }
        for (; ix < width; ix++)
            for (int c = 0; c < depth; c++) planes[c * planeStride + ix] = source[(nint)ix * depth + c];
    }

    /// <summary>8 pixels × 8 channels (pixel p's channels at x + p·xStride) into 8 channel rows (row c at y + c·yStride).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(float* x, nint xStride, float* y, nint yStride)
    {
        var r0 = Avx.LoadVector256(x);
        var r1 = Avx.LoadVector256(x + xStride);
        var r2 = Avx.LoadVector256(x + 2 * xStride);
        var r3 = Avx.LoadVector256(x + 3 * xStride);
        var r4 = Avx.LoadVector256(x + 4 * xStride);
        var r5 = Avx.LoadVector256(x + 5 * xStride);
        var r6 = Avx.LoadVector256(x + 6 * xStride);
        var r7 = Avx.LoadVector256(x + 7 * xStride);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(y, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(y + yStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(y + 2 * yStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(y + 3 * yStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(y + 4 * yStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(y + 5 * yStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(y + 6 * yStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(y + 7 * yStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>16 pixels × 16 channels (pixel p's channels at x + p·xStride) into 16 channel rows (row c at y + c·yStride).</summary>
    [MethodImpl(JitHints.Hot)]
    private static void Block16(float* x, nint xStride, float* y, nint yStride)
    {
        var r0 = Vector512.Load(x); var r1 = Vector512.Load(x + xStride);
        var r2 = Vector512.Load(x + 2 * xStride); var r3 = Vector512.Load(x + 3 * xStride);
        var r4 = Vector512.Load(x + 4 * xStride); var r5 = Vector512.Load(x + 5 * xStride);
        var r6 = Vector512.Load(x + 6 * xStride); var r7 = Vector512.Load(x + 7 * xStride);
        var r8 = Vector512.Load(x + 8 * xStride); var r9 = Vector512.Load(x + 9 * xStride);
        var r10 = Vector512.Load(x + 10 * xStride); var r11 = Vector512.Load(x + 11 * xStride);
        var r12 = Vector512.Load(x + 12 * xStride); var r13 = Vector512.Load(x + 13 * xStride);
        var r14 = Vector512.Load(x + 14 * xStride); var r15 = Vector512.Load(x + 15 * xStride);
        // 32-bit pairs, then 64-bit pairs within each 128-bit lane: lane l of u(4k + j) holds channel 4l + j of pixels 4k..4k+3.
        var (t0, t1) = (Avx512F.UnpackLow(r0, r1), Avx512F.UnpackHigh(r0, r1));
        var (t2, t3) = (Avx512F.UnpackLow(r2, r3), Avx512F.UnpackHigh(r2, r3));
        var (t4, t5) = (Avx512F.UnpackLow(r4, r5), Avx512F.UnpackHigh(r4, r5));
        var (t6, t7) = (Avx512F.UnpackLow(r6, r7), Avx512F.UnpackHigh(r6, r7));
        var (t8, t9) = (Avx512F.UnpackLow(r8, r9), Avx512F.UnpackHigh(r8, r9));
        var (t10, t11) = (Avx512F.UnpackLow(r10, r11), Avx512F.UnpackHigh(r10, r11));
        var (t12, t13) = (Avx512F.UnpackLow(r12, r13), Avx512F.UnpackHigh(r12, r13));
        var (t14, t15) = (Avx512F.UnpackLow(r14, r15), Avx512F.UnpackHigh(r14, r15));
        var u0 = Avx512F.UnpackLow(t0.AsDouble(), t2.AsDouble()).AsSingle(); var u1 = Avx512F.UnpackHigh(t0.AsDouble(), t2.AsDouble()).AsSingle();
        var u2 = Avx512F.UnpackLow(t1.AsDouble(), t3.AsDouble()).AsSingle(); var u3 = Avx512F.UnpackHigh(t1.AsDouble(), t3.AsDouble()).AsSingle();
        var u4 = Avx512F.UnpackLow(t4.AsDouble(), t6.AsDouble()).AsSingle(); var u5 = Avx512F.UnpackHigh(t4.AsDouble(), t6.AsDouble()).AsSingle();
        var u6 = Avx512F.UnpackLow(t5.AsDouble(), t7.AsDouble()).AsSingle(); var u7 = Avx512F.UnpackHigh(t5.AsDouble(), t7.AsDouble()).AsSingle();
        var u8 = Avx512F.UnpackLow(t8.AsDouble(), t10.AsDouble()).AsSingle(); var u9 = Avx512F.UnpackHigh(t8.AsDouble(), t10.AsDouble()).AsSingle();
        var u10 = Avx512F.UnpackLow(t9.AsDouble(), t11.AsDouble()).AsSingle(); var u11 = Avx512F.UnpackHigh(t9.AsDouble(), t11.AsDouble()).AsSingle();
        var u12 = Avx512F.UnpackLow(t12.AsDouble(), t14.AsDouble()).AsSingle(); var u13 = Avx512F.UnpackHigh(t12.AsDouble(), t14.AsDouble()).AsSingle();
        var u14 = Avx512F.UnpackLow(t13.AsDouble(), t15.AsDouble()).AsSingle(); var u15 = Avx512F.UnpackHigh(t13.AsDouble(), t15.AsDouble()).AsSingle();
        // 128-bit lanes: even lanes of two vectors (0x88), odd lanes (0xDD); twice.
        var v0 = Avx512F.Shuffle4x128(u0, u4, 0x88); var v1 = Avx512F.Shuffle4x128(u1, u5, 0x88);
        var v2 = Avx512F.Shuffle4x128(u2, u6, 0x88); var v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        var v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD); var v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
        var v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD); var v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        var v8 = Avx512F.Shuffle4x128(u8, u12, 0x88); var v9 = Avx512F.Shuffle4x128(u9, u13, 0x88);
        var v10 = Avx512F.Shuffle4x128(u10, u14, 0x88); var v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        var v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD); var v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
        var v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD); var v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        Avx512F.Shuffle4x128(v0, v8, 0x88).Store(y); Avx512F.Shuffle4x128(v1, v9, 0x88).Store(y + yStride);
        Avx512F.Shuffle4x128(v2, v10, 0x88).Store(y + 2 * yStride); Avx512F.Shuffle4x128(v3, v11, 0x88).Store(y + 3 * yStride);
        Avx512F.Shuffle4x128(v4, v12, 0x88).Store(y + 4 * yStride); Avx512F.Shuffle4x128(v5, v13, 0x88).Store(y + 5 * yStride);
        Avx512F.Shuffle4x128(v6, v14, 0x88).Store(y + 6 * yStride); Avx512F.Shuffle4x128(v7, v15, 0x88).Store(y + 7 * yStride);
        Avx512F.Shuffle4x128(v0, v8, 0xDD).Store(y + 8 * yStride); Avx512F.Shuffle4x128(v1, v9, 0xDD).Store(y + 9 * yStride);
        Avx512F.Shuffle4x128(v2, v10, 0xDD).Store(y + 10 * yStride); Avx512F.Shuffle4x128(v3, v11, 0xDD).Store(y + 11 * yStride);
        Avx512F.Shuffle4x128(v4, v12, 0xDD).Store(y + 12 * yStride); Avx512F.Shuffle4x128(v5, v13, 0xDD).Store(y + 13 * yStride);
        Avx512F.Shuffle4x128(v6, v14, 0xDD).Store(y + 14 * yStride); Avx512F.Shuffle4x128(v7, v15, 0xDD).Store(y + 15 * yStride);
    }
}
