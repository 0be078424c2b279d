using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// Float pointwise CONV_2D to 8 output channels on AVX-512, from 8 input channels (BlazePose's 256×256×8 segmentation
/// head) or another multiple of 4 up to <see cref="MaxInputDepth"/> (its 24 → 8 and 32 → 8 layers): two neighbouring
/// pixels' outputs fill one vector, lanes (pixel, output channel). For input channel ci each pixel's x[ci] is spread
/// over its 8 lanes, and one FMA with [w[0..7][ci], w[0..7][ci]] advances both pixels' 8 chains; the packed GEMM
/// instead runs 8-lane vectors, one pixel each, with 4 pixels in flight. The spread is an in-lane vpermilps per ci from
/// [p0[c..c+3] ×2, p1[c..c+3] ×2] (with 8 channels two 128-bit block shuffles of the pair's vector; otherwise two
/// 128-bit broadcast loads per 4 channels): a cross-lane vpermps per ci measured 3–4 % slower on the whole of
/// pose_landmark_lite (perf/RESULTS.md, stop 45). Every lane's chain is the reference's: +0, one FMA per ci in order,
/// then + bias (if any), then the clamp. 16 pixels run at a time (8 chains in flight); a run's last pixels (fewer than
/// 16) go through the packed GEMM, which computes the same chains.
/// </summary>
internal sealed unsafe class PointwisePairs8
{
    public const int Channels = 8;

    /// <summary>Pixels per call of the vector loop.</summary>
    public const int Pixels = 16;

    private readonly PinnedFloats _weights; // [ci][16]: w[oc][ci] in lanes oc and 8 + oc
    private readonly PinnedFloats? _bias;   // [16]: bias[oc] in lanes oc and 8 + oc
    private readonly int _depth;            // input channels: 8, or another multiple of 4

    private PointwisePairs8(PinnedFloats weights, PinnedFloats? bias, int depth)
    {
        _weights = weights;
        _bias = bias;
        _depth = depth;
    }

    /// <summary>Most input channels this kernel takes (its packed weights: 64 bytes per input channel).</summary>
    public const int MaxInputDepth = 64;

    /// <summary>
    /// The kernel for an OHWI [8, 1, 1, Cin] filter with Cin a multiple of 4 up to <see cref="MaxInputDepth"/>, or null
    /// where AVX-512 is not the widest path the kernels use.
    /// </summary>
    public static PointwisePairs8? Create(ConvLayout g, ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias)
    {
        if (!g.IsPointwise || g.InputDepth % 4 != 0 || g.InputDepth > MaxInputDepth || g.OutputDepth != Channels || !Avx512F.IsSupported
            || GemmWidths.Widest != GemmWidth.W512)
            return null;
        int depth = g.InputDepth;
        var weights = new PinnedFloats(depth * 16);
        for (int ci = 0; ci < depth; ci++)
            for (int lane = 0; lane < 16; lane++)
                weights.Span[ci * 16 + lane] = ohwi[(lane % Channels) * depth + ci];
        PinnedFloats? packedBias = null;
        if (!bias.IsEmpty)
        {
            packedBias = new PinnedFloats(16);
            for (int lane = 0; lane < 16; lane++) packedBias.Span[lane] = bias[lane % Channels];
        }
        return new PointwisePairs8(weights, packedBias, depth);
    }

    /// <summary>
    /// The first <c>count / 16 × 16</c> of <paramref name="count"/> pixels at <paramref name="x"/> into
    /// <paramref name="y"/> (8 floats a pixel each); returns how many it computed.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public int Run(float* x, int count, float* y, float min, float max, bool clamp)
    {
        var epilogue = new GemmEpilogue<Vector512<float>>(Vector512.Create(min), Vector512.Create(max), clamp);
        int groups = count / Pixels;
        float* w = _weights.Pointer;
        float* b = _bias is null ? null : _bias.Pointer;
        if (_depth != Channels)
        {
            for (int group = 0; group < groups; group++)
                Group(x + (nint)group * Pixels * _depth, _depth, w, b, epilogue, y + (nint)group * Pixels * Channels);
            return groups * Pixels;
        }
        for (int group = 0; group < groups; group++)
        {
            float* xg = x + (nint)group * Pixels * Channels;
            var x0 = Vector512.Load(xg);
            var x1 = Vector512.Load(xg + 16);
            var x2 = Vector512.Load(xg + 32);
            var x3 = Vector512.Load(xg + 48);
            var x4 = Vector512.Load(xg + 64);
            var x5 = Vector512.Load(xg + 80);
            var x6 = Vector512.Load(xg + 96);
            var x7 = Vector512.Load(xg + 112);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            {
                // Per pixel pair (lanes 0–7 pixel 0, 8–15 pixel 1): [p0[0..3], p0[0..3], p1[0..3], p1[0..3]] and the same of
                // channels 4–7; vpermilps then takes element ci mod 4 of every 128-bit block.
                var l0 = Avx512F.Shuffle4x128(x0, x0, 0b10_10_00_00); var h0 = Avx512F.Shuffle4x128(x0, x0, 0b11_11_01_01);
                var l1 = Avx512F.Shuffle4x128(x1, x1, 0b10_10_00_00); var h1 = Avx512F.Shuffle4x128(x1, x1, 0b11_11_01_01);
                var l2 = Avx512F.Shuffle4x128(x2, x2, 0b10_10_00_00); var h2 = Avx512F.Shuffle4x128(x2, x2, 0b11_11_01_01);
                var l3 = Avx512F.Shuffle4x128(x3, x3, 0b10_10_00_00); var h3 = Avx512F.Shuffle4x128(x3, x3, 0b11_11_01_01);
                var l4 = Avx512F.Shuffle4x128(x4, x4, 0b10_10_00_00); var h4 = Avx512F.Shuffle4x128(x4, x4, 0b11_11_01_01);
                var l5 = Avx512F.Shuffle4x128(x5, x5, 0b10_10_00_00); var h5 = Avx512F.Shuffle4x128(x5, x5, 0b11_11_01_01);
                var l6 = Avx512F.Shuffle4x128(x6, x6, 0b10_10_00_00); var h6 = Avx512F.Shuffle4x128(x6, x6, 0b11_11_01_01);
                var l7 = Avx512F.Shuffle4x128(x7, x7, 0b10_10_00_00); var h7 = Avx512F.Shuffle4x128(x7, x7, 0b11_11_01_01);
                Step(0x00, l0, l1, l2, l3, l4, l5, l6, l7, w + 0 * 16);
                Step(0x55, l0, l1, l2, l3, l4, l5, l6, l7, w + 1 * 16);
                Step(0xAA, l0, l1, l2, l3, l4, l5, l6, l7, w + 2 * 16);
                Step(0xFF, l0, l1, l2, l3, l4, l5, l6, l7, w + 3 * 16);
                Step(0x00, h0, h1, h2, h3, h4, h5, h6, h7, w + 4 * 16);
                Step(0x55, h0, h1, h2, h3, h4, h5, h6, h7, w + 5 * 16);
                Step(0xAA, h0, h1, h2, h3, h4, h5, h6, h7, w + 6 * 16);
                Step(0xFF, h0, h1, h2, h3, h4, h5, h6, h7, w + 7 * 16);

                // Input channel ci for all 8 pixel pairs (control: ci mod 4 in every 2-bit field), the accumulators in order.
                [MethodImpl(MethodImplOptions.AggressiveInlining)]
                void Step([ConstantExpected] byte control, Vector512<float> p0, Vector512<float> p1, Vector512<float> p2, Vector512<float> p3,
                    Vector512<float> p4, Vector512<float> p5, Vector512<float> p6, Vector512<float> p7, float* weights)
                {
                    var wv = Vector512.Load(weights);
                    a0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p0, control), wv, a0);
                    a1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p1, control), wv, a1);
                    a2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p2, control), wv, a2);
                    a3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p3, control), wv, a3);
                    a4 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p4, control), wv, a4);
                    a5 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p5, control), wv, a5);
                    a6 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p6, control), wv, a6);
                    a7 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(p7, control), wv, a7);
                }
            }
            float* yg = y + (nint)group * Pixels * Channels;
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg, a0, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 16, a1, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 32, a2, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 48, a3, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 64, a4, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 80, a5, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 96, a6, b, epilogue);
            GemmTiles<Gemm512, Vector512<float>>.Finish(yg + 112, a7, b, epilogue);
        }
        return groups * Pixels;
    }

    /// <summary>
    /// 16 pixels of <paramref name="depth"/> input channels (a multiple of 4, not 8): per 4 channels c, each pixel pair's
    /// [p0[c..c+3] ×2, p1[c..c+3] ×2] from two 128-bit broadcast loads, then one in-lane vpermilps per channel, as in
    /// <see cref="Run"/>; every lane's chain the same: +0, one FMA per input channel in order.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static void Group(float* x, int depth, float* w, float* b, in GemmEpilogue<Vector512<float>> epilogue, float* y)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        nint pair = 2 * depth;
        for (int c = 0; c < depth; c += 4, w += 4 * 16)
        {
            var q0 = Quad(x + c, depth);
            var q1 = Quad(x + pair + c, depth);
            var q2 = Quad(x + 2 * pair + c, depth);
            var q3 = Quad(x + 3 * pair + c, depth);
            var q4 = Quad(x + 4 * pair + c, depth);
            var q5 = Quad(x + 5 * pair + c, depth);
            var q6 = Quad(x + 6 * pair + c, depth);
            var q7 = Quad(x + 7 * pair + c, depth);
            Step(0x00, w);
            Step(0x55, w + 16);
            Step(0xAA, w + 32);
            Step(0xFF, w + 48);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            void Step([ConstantExpected] byte control, float* weights)
            {
                var wv = Vector512.Load(weights);
                a0 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q0, control), wv, a0);
                a1 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q1, control), wv, a1);
                a2 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q2, control), wv, a2);
                a3 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q3, control), wv, a3);
                a4 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q4, control), wv, a4);
                a5 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q5, control), wv, a5);
                a6 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q6, control), wv, a6);
                a7 = Vector512.FusedMultiplyAdd(Avx512F.Permute4x32(q7, control), wv, a7);
            }
        }
        GemmTiles<Gemm512, Vector512<float>>.Finish(y, a0, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 16, a1, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 32, a2, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 48, a3, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 64, a4, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 80, a5, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 96, a6, b, epilogue);
        GemmTiles<Gemm512, Vector512<float>>.Finish(y + 112, a7, b, epilogue);
    }

    /// <summary>[p[0..3], p[0..3], q[0..3], q[0..3]] of the pixel at <paramref name="p"/> and the next one, <paramref name="depth"/> floats on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quad(float* p, int depth) =>
        Vector512.Create(Vector256.Create(Vector128.Load(p)), Vector256.Create(Vector128.Load(p + depth)));
}
