using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int16x8 CONV_2D from 8 input channels to one output channel with horizontal stride 1 and no horizontal dilation
/// (a heat-map or mask head, such as pose_landmark_lite's 3×3 8 → 1 at 256×256), pixels in the lanes. A 512-bit load
/// at one tap holds four neighbouring pixels' 8 inputs, one pixel per 128-bit lane; <c>vpmaddwd</c> against the tap's
/// 8 weights (four times) leaves each pixel's sum in its lane's four int32 elements, which two in-lane shuffles add up
/// after the last tap. Sixteen pixels a step (four vectors), every tap in bounds across the step (taps whose input row
/// is outside are skipped for the whole row, as the reference skips them); the last step of a row's interior overlaps
/// the one before (the same sums, stored twice); border pixels sum their in-bounds taps one product at a time. Every
/// product is within ±2^22 and a pixel has at most 63 taps (<see cref="Fits"/>: K = taps · 8 ≤ 504), so the int32
/// sums are the reference's exact integers. Then <see cref="Int16Requantizer"/> with all 16 lanes as the one channel.
/// AVX2: the same with 256-bit loads (two pixels each), eight pixels a step.
/// </summary>
internal sealed unsafe class Int16PixelLaneConvCpuNode : ICpuCompiledNode
{
    private const int Channels = 8;
    private const int Step = 16; // pixels a step on AVX-512; AVX2 takes half

    private static readonly CpuThreadPool.ChunkAction<Int16PixelLaneConvCpuNode> Work =
        [MethodImpl(JitHints.Hot)] static (in Int16PixelLaneConvCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly short[] _filter;                  // [tap][8]
    private readonly AlignedPinned<short> _tapWeights; // [tap][32]: each tap's 8 weights four times
    private readonly Int16Requantizer _requantizer;    // 16 lanes, all the one channel
    private readonly int _interiorBegin, _interiorEnd; // output columns whose every kx is inside the input
    private readonly int _step;                        // 16 (AVX-512), 8 (AVX2) or 0 (every pixel one product at a time)
    private short* _x, _y;

    /// <summary>Whether this kernel takes the node: AVX-512BW/DQ or AVX2, 8 → 1 channels, horizontal stride and dilation 1, at most 63 taps.</summary>
    public static bool Fits(ConvLayout g, Int16DotIsa isa) =>
        (isa == Int16DotIsa.Avx512 && Avx512DQ.IsSupported || isa == Int16DotIsa.Avx2) && g.InputDepth == Channels && g.OutputDepth == 1 && g.StrideW == 1
        && g.DilationW == 1 && g.FilterHeight * g.FilterWidth <= 63 && g.OutputWidth >= Step;

    public Int16PixelLaneConvCpuNode(Tensor input, Tensor filter, Tensor? bias, Tensor output, ConvLayout g, Int16ConvParams q)
    {
        (_input, _output, _g) = (input, output, g);
        int taps = g.FilterHeight * g.FilterWidth;
        _filter = new short[taps * Channels];
        ReadOnlySpan<sbyte> w = filter.Read<sbyte>();
        for (int i = 0; i < _filter.Length; i++) _filter[i] = w[i];
        _tapWeights = new AlignedPinned<short>(taps * 32);
        for (int t = 0; t < taps; t++)
            for (int i = 0; i < 32; i++) _tapWeights.Span[t * 32 + i] = _filter[t * Channels + i % Channels];
        _requantizer = new Int16Requantizer(Int16Requantizer.BiasValues(bias, 1), q, Step, maxLanes: 16, period: 1);
        _interiorBegin = Math.Min(g.OutputWidth, g.PadLeft);
        int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1);
        _interiorEnd = lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach + 1);
        _step = _requantizer.IsVector ? Step : _requantizer.Width == 8 ? Step / 2 : 0;
        if (_interiorEnd - _interiorBegin < _step) _step = 0;
    }

    /// <summary>Pixels a vector step: 16 (AVX-512), 8 (AVX2), 0 where the requantization has no vector form (for tests).</summary>
    internal int LaneStep => _step;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(_input.Bytes);
        _y = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_g.Batches * _g.OutputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        var g = _g;
        int step = _step;
        bool lanes = step != 0;
        long* sum = stackalloc long[Step];
        for (int row = start; row < end; row++)
        {
            int oy = row % g.OutputHeight, b = row / g.OutputHeight;
            short* y = _y + (long)row * g.OutputWidth;
            if (lanes)
            {
                for (int ox = _interiorBegin; ox < _interiorEnd; ox += step)
                {
                    if (step == Step) Pixels16(b, oy, Math.Min(ox, _interiorEnd - Step), y);
                    else Pixels8(b, oy, Math.Min(ox, _interiorEnd - step), y);
                }
            }
            for (int ox = 0; ox < g.OutputWidth; ox++)
            {
                if (lanes && ox == _interiorBegin) ox = _interiorEnd;
                if (ox >= g.OutputWidth) break;
                sum[0] = Pixel(b, oy, ox);
                _requantizer.Store(sum, 0, 1, y + ox);
            }
        }
    }

    /// <summary>
    /// Where filter row <paramref name="ky"/> of output pixel (b, oy, ox0)'s window starts in the input (its kx = 0 tap,
    /// inside the input for the interior pixels), or null where that row lies in the top or bottom padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private short* WindowRow(int b, int oy, int ky, int ox0)
    {
        var g = _g;
        int iy = oy * g.StrideH - g.PadTop + ky * g.DilationH;
        return iy < 0 || iy >= g.InputHeight ? null : _x + (((long)b * g.InputHeight + iy) * g.InputWidth + ox0 - g.PadLeft) * Channels;
    }

    /// <summary>Output pixels ox0 … ox0 + 15 of row (b, oy), every kx inside the input.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Pixels16(int b, int oy, int ox0, short* y)
    {
        var g = _g;
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
        short* w = _tapWeights.Pointer;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            short* line = WindowRow(b, oy, ky, ox0);
            if (line == null) continue;
            for (int kx = 0; kx < g.FilterWidth; kx++)
            {
                var wt = Vector512.Load(w + (ky * g.FilterWidth + kx) * 32);
                short* x = line + kx * Channels;
                a0 += Avx512BW.MultiplyAddAdjacent(Vector512.Load(x), wt);
                a1 += Avx512BW.MultiplyAddAdjacent(Vector512.Load(x + 32), wt);
                a2 += Avx512BW.MultiplyAddAdjacent(Vector512.Load(x + 64), wt);
                a3 += Avx512BW.MultiplyAddAdjacent(Vector512.Load(x + 96), wt);
            }
        }
        // Each 128-bit lane's four int32 add up to its pixel's sum, left in the lane's first element.
        var low = Avx512F.PermuteVar16x32x2(Reduce(a0), PixelIndices, Reduce(a1));
        var high = Avx512F.PermuteVar16x32x2(Reduce(a2), PixelIndices, Reduce(a3));
        _requantizer.StoreLanes(Vector512.Create(low.GetLower(), high.GetLower()), 0, y + ox0);
    }

    /// <summary>Output pixels ox0 … ox0 + 7 of row (b, oy) on AVX2: a 256-bit load holds two pixels' 8 inputs.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Pixels8(int b, int oy, int ox0, short* y)
    {
        var g = _g;
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default;
        short* w = _tapWeights.Pointer;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            short* line = WindowRow(b, oy, ky, ox0);
            if (line == null) continue;
            for (int kx = 0; kx < g.FilterWidth; kx++)
            {
                var wt = Vector256.Load(w + (ky * g.FilterWidth + kx) * 32);
                short* x = line + kx * Channels;
                a0 = Avx2.Add(a0, Avx2.MultiplyAddAdjacent(Vector256.Load(x), wt));
                a1 = Avx2.Add(a1, Avx2.MultiplyAddAdjacent(Vector256.Load(x + 16), wt));
                a2 = Avx2.Add(a2, Avx2.MultiplyAddAdjacent(Vector256.Load(x + 32), wt));
                a3 = Avx2.Add(a3, Avx2.MultiplyAddAdjacent(Vector256.Load(x + 48), wt));
            }
        }
        // Each 128-bit lane's four int32 summed into all four; pixels 0 … 7 then sit in lanes (0, 4) of a0 … a3.
        var p0213 = Avx2.Blend(Reduce(a0), Reduce(a1), 0b0010_0010);  // [p0 p2 · · | p1 p3 · ·]
        var p4657 = Avx2.Blend(Reduce(a2), Reduce(a3), 0b0010_0010);  // [p4 p6 · · | p5 p7 · ·]
        var mixed = Avx2.UnpackLow(p0213.AsInt64(), p4657.AsInt64()).AsInt32(); // [p0 p2 p4 p6 | p1 p3 p5 p7]
        _requantizer.StoreLanes(Avx2.PermuteVar8x32(mixed, Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)), 0, y + ox0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Reduce(Vector256<int> v)
    {
        v = Avx2.Add(v, Avx2.Shuffle(v, 0b10_11_00_01));
        return Avx2.Add(v, Avx2.Shuffle(v, 0b01_00_11_10));
    }

    /// <summary>Lanes 0, 4, 8, 12 of the first vector, then of the second (16 + …).</summary>
    private static Vector512<int> PixelIndices => Vector512.Create(0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Reduce(Vector512<int> v)
    {
        v += Avx512F.Shuffle(v, 0b10_11_00_01);    // (1, 0, 3, 2) within each 128-bit lane
        return v + Avx512F.Shuffle(v, 0b01_00_11_10); // (2, 3, 0, 1)
    }

    /// <summary>A border pixel: Σ over its in-bounds taps of w · x, one product at a time.</summary>
    [MethodImpl(JitHints.Hot)]
    private long Pixel(int b, int oy, int ox)
    {
        var g = _g;
        long total = 0;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int iy = oy * g.StrideH - g.PadTop + ky * g.DilationH;
            if (iy < 0 || iy >= g.InputHeight) continue;
            for (int kx = 0; kx < g.FilterWidth; kx++)
            {
                int ix = ox - g.PadLeft + kx;
                if (ix < 0 || ix >= g.InputWidth) continue;
                short* x = _x + (((long)b * g.InputHeight + iy) * g.InputWidth + ix) * Channels;
                int tap = (ky * g.FilterWidth + kx) * Channels;
                for (int c = 0; c < Channels; c++) total += x[c] * _filter[tap + c];
            }
        }
        return total;
    }
}
