using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int16x8 DEPTHWISE_CONV_2D on the CPU delegate (the reference's Int16x8Kernels.DepthwiseConv2D): channels in the
/// lanes, 16 at a time as two 8-lane halves (AVX2): per output pixel, the in-bounds taps' inputs sign-extended to int32
/// (<c>vpmovsxwd</c>) times the filter widened once to int32 (<c>vpmulld</c>), summed in int32 lanes — each product
/// within ±2^22, so up to 511 taps cannot wrap (<see cref="MaxTaps"/>) and the sum is the reference's exact integer —
/// then widened to int64 for <see cref="Int16Requantizer"/>. A channel count that 16 does not divide takes one more
/// group at C − 16, overlapping the one before (the same sums, stored twice). At least 8 output channels (8 to 15:
/// 8-lane groups at 0 and C − 8) on AVX2; a depth multiplier above 1 runs as 1 over a copy of the input with its
/// channels repeated (<see cref="RepeatedChannels"/>). With AVX-512 and the 16-lane requantization, a 16-channel
/// group is one 512-bit vector whose int32 sums go straight to it, and 8 channels put two neighbouring pixels whose
/// windows lie inside the input in one vector (lane l rescaled as channel l mod 8); a row's interior (the run of pixels
/// whose windows lie inside the input) is one pass with fixed tap steps and no offset tables, a 3×3 filter's weights
/// held in registers; without AVX-512 the interior runs the same walk on 8-channel int32 groups. Otherwise (and with
/// ACCEL_CPU_SIMD=scalar) plain int64 loops. Output rows split over the pool.
/// </summary>
internal sealed unsafe class Int16DepthwiseCpuNode : ICpuCompiledNode
{
    /// <summary>Taps whose int32 lane sum cannot wrap: 511 · 2^22 &lt; 2^31.</summary>
    public const int MaxTaps = 511;

    private static readonly CpuThreadPool.ChunkAction<Int16DepthwiseCpuNode> Work =
        [MethodImpl(JitHints.Hot)] static (in Int16DepthwiseCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly int _multiplier, _channels, _taps;
    private readonly bool _vector;
    private readonly bool _wide;      // AVX-512: 16-channel groups in one vector (≥ 16 channels) or two 8-channel pixels (8 channels)
    private readonly AlignedPinned<int> _weights; // [tap][channel], widened
    private readonly AlignedPinned<int>? _pairWeights; // 8 channels: [tap][16], each tap's 8 weights twice
    private readonly Int16Requantizer _requantizer;
    private readonly Int16Requantizer? _pairs;         // 8 channels: lane c rescales as channel c mod 8
    private readonly int _interiorFirst, _interiorEnd; // output columns whose window lies inside the input's width
    private readonly RepeatedChannels? _repeated; // a depth multiplier above 1 on the vector paths
    private short* _x, _y;

    public Int16DepthwiseCpuNode(Tensor input, Tensor filter, Tensor? bias, Tensor output, ConvLayout geometry, int multiplier, Int16ConvParams q)
    {
        bool lanes = geometry.OutputDepth >= 8 && Avx2.IsSupported && SimdPath.ForcedLanes != 1;
        if (multiplier > 1 && lanes)
        {
            // The input's channels repeated: multiplier 1 over a copy as deep as the output (RepeatedChannels).
            _repeated = new RepeatedChannels(input.ElementCount, multiplier, sizeof(short));
            (geometry, multiplier) = (geometry with { InputDepth = geometry.OutputDepth }, 1);
        }
        (_input, _output, _g, _multiplier) = (input, output, geometry, multiplier);
        _channels = geometry.OutputDepth;
        _taps = geometry.FilterHeight * geometry.FilterWidth;
        _vector = multiplier == 1 && lanes;
        _weights = new AlignedPinned<int>(_taps * _channels);
        ReadOnlySpan<sbyte> w = filter.Read<sbyte>();
        for (int i = 0; i < _weights.Length; i++) _weights.Span[i] = w[i];
        _requantizer = new Int16Requantizer(bias, q, _channels, maxLanes: 16);
        if (_vector && _channels == 8 && _requantizer.IsVector && Avx512BW.IsSupported)
        {
            _pairs = new Int16Requantizer(Int16Requantizer.BiasValues(bias, 8), q, 16, maxLanes: 16, period: 8);
            _pairWeights = new AlignedPinned<int>(_taps * 16);
            for (int t = 0; t < _taps; t++)
                for (int i = 0; i < 16; i++) _pairWeights.Span[t * 16 + i] = w[t * 8 + i % 8];
        }
        _wide = _vector && _requantizer.IsVector && Avx512BW.IsSupported && (_channels >= 16 || _pairs is { IsVector: true });
        _interiorFirst = Math.Min((geometry.PadLeft + geometry.StrideW - 1) / geometry.StrideW, geometry.OutputWidth);
        int lastStart = geometry.InputWidth - 1 - (geometry.FilterWidth - 1) * geometry.DilationW + geometry.PadLeft;
        _interiorEnd = lastStart < 0 ? _interiorFirst : Math.Clamp(lastStart / geometry.StrideW + 1, _interiorFirst, geometry.OutputWidth);
    }

    /// <summary>Why the node cannot run here (more taps than the int32 lanes hold), or null.</summary>
    public static string? Refusal(ConvLayout g) =>
        (long)g.FilterHeight * g.FilterWidth > MaxTaps
            ? $"the int16 depthwise kernel sums {g.FilterHeight}×{g.FilterWidth} taps in int32 lanes; at most {MaxTaps} taps"
            : null;

    /// <summary>Whether a depth multiplier above 1 runs as 1 over the input's channels repeated (for tests).</summary>
    internal bool RepeatsChannels => _repeated is not null;

    /// <summary>Whether the sums run in vector lanes (for tests).</summary>
    internal bool Vector => _vector;

    /// <summary>Whether the 512-bit forms run: 16-channel groups, or two 8-channel pixels a vector (for tests).</summary>
    internal bool Wide => _wide;

    /// <summary>Whether interior pixel pairs share a vector (8 channels; for tests).</summary>
    internal bool Paired => _wide && _pairs is not null;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(_input.Bytes);
        if (_repeated is not null) _x = (short*)_repeated.Fill((byte*)_x);
        _y = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_g.Batches * _g.OutputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        var g = _g;
        int* inputOffsets = stackalloc int[_taps];  // of the in-bounds taps, from the window's corner
        int* weightOffsets = stackalloc int[_taps];
        int* allInputs = stackalloc int[_taps];     // every tap (a window inside the input)
        int* allWeights = stackalloc int[_taps];
        for (int t = 0; t < _taps; t++)
        {
            int ky = t / g.FilterWidth, kx = t % g.FilterWidth;
            allInputs[t] = (ky * g.DilationH * g.InputWidth + kx * g.DilationW) * g.InputDepth;
            allWeights[t] = t * _channels;
        }
        long* sums = stackalloc long[16];
        for (int row = start; row < end; row++)
        {
            int oy = row % g.OutputHeight, b = row / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            bool rowInside = iyOrigin >= 0 && iyOrigin + (g.FilterHeight - 1) * g.DilationH < g.InputHeight;
            for (int ox = 0; ox < g.OutputWidth; ox++)
            {
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                // The window's corner; it may lie outside the input, but only in-bounds taps are read.
                short* corner = _x + (((long)b * g.InputHeight + iyOrigin) * g.InputWidth + ixOrigin) * g.InputDepth;
                if (_wide && rowInside && ox == _interiorFirst && _interiorEnd - ox >= (_pairs is null ? 1 : 2))
                {
                    // Every window of this row's interior lies inside the input: one pass over the run of pixels.
                    Interior(corner, _interiorEnd - ox, _y + ((long)row * g.OutputWidth + ox) * _channels);
                    ox = _interiorEnd - 1;
                    continue;
                }
                if (_vector && !_wide && rowInside && ox == _interiorFirst && _interiorEnd > ox)
                {
                    InteriorGroups8(corner, _interiorEnd - ox, _y + ((long)row * g.OutputWidth + ox) * _channels);
                    ox = _interiorEnd - 1;
                    continue;
                }
                int* xs = allInputs, ws = allWeights;
                int count = _taps;
                if (!rowInside || ixOrigin < 0 || ixOrigin + (g.FilterWidth - 1) * g.DilationW >= g.InputWidth)
                {
                    xs = inputOffsets;
                    ws = weightOffsets;
                    count = 0;
                    for (int t = 0; t < _taps; t++)
                    {
                        int iy = iyOrigin + t / g.FilterWidth * g.DilationH, ix = ixOrigin + t % g.FilterWidth * g.DilationW;
                        if (iy < 0 || iy >= g.InputHeight || ix < 0 || ix >= g.InputWidth) continue;
                        inputOffsets[count] = allInputs[t];
                        weightOffsets[count++] = allWeights[t];
                    }
                }
                short* y = _y + ((long)row * g.OutputWidth + ox) * _channels;
                if (_wide)
                {
                    if (_pairs is not null) PixelVector(corner, xs, ws, count, y);
                    else PixelWide(corner, xs, ws, count, y);
                }
                else if (_vector) PixelVector(corner, xs, ws, count, y);
                else PixelScalar(corner, xs, ws, count, sums, y);
            }
        }
    }

    /// <summary>
    /// A run of <paramref name="pixels"/> output pixels of one row whose windows all lie inside the input (AVX-512):
    /// the taps' addresses are the corner's plus fixed row and column steps, so the loops carry no offset tables; each
    /// 16-lane sum is the same exact int32 as <see cref="PixelWide"/>'s (integer adds in any order).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Interior(short* corner, int pixels, short* y)
    {
        if (_pairs is not null) InteriorPairs(corner, pixels, y);
        else if (_g.FilterHeight == 3 && _g.FilterWidth == 3) Interior3x3(corner, pixels, y);
        else InteriorAny(corner, pixels, y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Tap(short* x, Vector512<int> weights) =>
        Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(Vector256.Load(x)), weights);

    /// <summary>3×3 windows: per 16-channel group the nine weight vectors stay in registers across the row.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Interior3x3(short* corner, int pixels, short* y)
    {
        int channels = _channels;
        nint step = (nint)_g.StrideW * channels, dx = (nint)_g.DilationW * channels, dy = (nint)_g.DilationH * _g.InputWidth * channels;
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < channels; c0 += 16)
        {
            int c = Math.Min(c0, channels - 16);
            int* wc = w + c;
            Vector512<int> w0 = Vector512.Load(wc), w1 = Vector512.Load(wc + channels), w2 = Vector512.Load(wc + 2 * channels),
                w3 = Vector512.Load(wc + 3 * channels), w4 = Vector512.Load(wc + 4 * channels), w5 = Vector512.Load(wc + 5 * channels),
                w6 = Vector512.Load(wc + 6 * channels), w7 = Vector512.Load(wc + 7 * channels), w8 = Vector512.Load(wc + 8 * channels);
            short* x = corner + c, o = y + c;
            for (int p = 0; p < pixels; p++, x += step, o += channels)
            {
                short* x1 = x + dy, x2 = x1 + dy;
                var top = Tap(x, w0) + Tap(x + dx, w1) + Tap(x + 2 * dx, w2);
                var middle = Tap(x1, w3) + Tap(x1 + dx, w4) + Tap(x1 + 2 * dx, w5);
                var bottom = Tap(x2, w6) + Tap(x2 + dx, w7) + Tap(x2 + 2 * dx, w8);
                _requantizer.StoreLanes(top + middle + bottom, c, o);
            }
        }
    }

    /// <summary>Any other window: rows and columns walked by pointer steps, the weights read from L1.</summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorAny(short* corner, int pixels, short* y)
    {
        int channels = _channels, filterHeight = _g.FilterHeight, filterWidth = _g.FilterWidth;
        nint step = (nint)_g.StrideW * channels, dx = (nint)_g.DilationW * channels, dy = (nint)_g.DilationH * _g.InputWidth * channels;
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < channels; c0 += 16)
        {
            int c = Math.Min(c0, channels - 16);
            short* x = corner + c, o = y + c;
            for (int p = 0; p < pixels; p++, x += step, o += channels)
            {
                Vector512<int> even = default, odd = default;
                int* wt = w + c;
                short* rowStart = x;
                for (int ky = 0; ky < filterHeight; ky++, rowStart += dy)
                {
                    short* tap = rowStart;
                    int kx = 0;
                    for (; kx + 1 < filterWidth; kx += 2, tap += 2 * dx, wt += 2 * channels)
                    {
                        even += Tap(tap, Vector512.Load(wt));
                        odd += Tap(tap + dx, Vector512.Load(wt + channels));
                    }
                    if (kx < filterWidth)
                    {
                        even += Tap(tap, Vector512.Load(wt));
                        wt += channels;
                    }
                }
                _requantizer.StoreLanes(even + odd, c, o);
            }
        }
    }

    /// <summary>
    /// The AVX2 form of a row's interior: 8-channel groups of int32 lanes (the last overlapping), rows and columns walked by
    /// pointer steps, each pixel's int32 sums straight to the requantization.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorGroups8(short* corner, int pixels, short* y)
    {
        if (_g.FilterHeight == 3 && _g.FilterWidth == 3)
        {
            InteriorGroups8By3x3(corner, pixels, y);
            return;
        }
        int channels = _channels, filterHeight = _g.FilterHeight, filterWidth = _g.FilterWidth;
        nint step = (nint)_g.StrideW * channels, dx = (nint)_g.DilationW * channels, dy = (nint)_g.DilationH * _g.InputWidth * channels;
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < channels; c0 += 8)
        {
            int c = Math.Min(c0, channels - 8);
            short* x = corner + c, o = y + c;
            for (int p = 0; p < pixels; p++, x += step, o += channels)
            {
                Vector256<int> even = default, odd = default;
                int* wt = w + c;
                short* rowStart = x;
                for (int ky = 0; ky < filterHeight; ky++, rowStart += dy)
                {
                    short* tap = rowStart;
                    int kx = 0;
                    for (; kx + 1 < filterWidth; kx += 2, tap += 2 * dx, wt += 2 * channels)
                    {
                        even = Avx2.Add(even, Tap(tap, Vector256.Load(wt)));
                        odd = Avx2.Add(odd, Tap(tap + dx, Vector256.Load(wt + channels)));
                    }
                    if (kx < filterWidth)
                    {
                        even = Avx2.Add(even, Tap(tap, Vector256.Load(wt)));
                        wt += channels;
                    }
                }
                _requantizer.StoreLanes(Avx2.Add(even, odd), c, o);
            }
        }
    }

    /// <summary>A 3×3 filter on AVX2: each 8-channel group's nine weight vectors in registers, the taps in a straight line.</summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorGroups8By3x3(short* corner, int pixels, short* y)
    {
        int channels = _channels;
        nint step = (nint)_g.StrideW * channels, dx = (nint)_g.DilationW * channels, dy = (nint)_g.DilationH * _g.InputWidth * channels;
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < channels; c0 += 8)
        {
            int c = Math.Min(c0, channels - 8);
            int* wc = w + c;
            Vector256<int> w0 = Vector256.Load(wc), w1 = Vector256.Load(wc + channels), w2 = Vector256.Load(wc + 2 * channels),
                w3 = Vector256.Load(wc + 3 * channels), w4 = Vector256.Load(wc + 4 * channels), w5 = Vector256.Load(wc + 5 * channels),
                w6 = Vector256.Load(wc + 6 * channels), w7 = Vector256.Load(wc + 7 * channels), w8 = Vector256.Load(wc + 8 * channels);
            short* x = corner + c, o = y + c;
            for (int p = 0; p < pixels; p++, x += step, o += channels)
            {
                short* x1 = x + dy, x2 = x1 + dy;
                var top = Avx2.Add(Avx2.Add(Tap(x, w0), Tap(x + dx, w1)), Tap(x + 2 * dx, w2));
                var middle = Avx2.Add(Avx2.Add(Tap(x1, w3), Tap(x1 + dx, w4)), Tap(x1 + 2 * dx, w5));
                var bottom = Avx2.Add(Avx2.Add(Tap(x2, w6), Tap(x2 + dx, w7)), Tap(x2 + 2 * dx, w8));
                _requantizer.StoreLanes(Avx2.Add(Avx2.Add(top, middle), bottom), c, o);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Tap(short* x, Vector256<int> weights) => Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(x), weights);

    /// <summary>
    /// 8 channels: output pixels two at a time as one 16-lane vector (an odd run's last pair overlaps the one before:
    /// the same values stored twice). Stride 1 reads both pixels' taps with one load.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorPairs(short* corner, int pixels, short* y)
    {
        if (_g.FilterHeight == 3 && _g.FilterWidth == 3 && _g.StrideW == 1)
        {
            InteriorPairs3x3(corner, pixels, y);
            return;
        }
        int filterHeight = _g.FilterHeight, filterWidth = _g.FilterWidth;
        nint step = (nint)_g.StrideW * 8, dx = (nint)_g.DilationW * 8, dy = (nint)_g.DilationH * _g.InputWidth * 8;
        int* w = _pairWeights!.Pointer;
        var requantizer = _pairs!;
        for (int p = 0; ; p += 2)
        {
            if (p > pixels - 2) p = pixels - 2;
            short* x = corner + p * step, o = y + p * 8;
            Vector512<int> even = default, odd = default;
            int* wt = w;
            short* rowStart = x;
            for (int ky = 0; ky < filterHeight; ky++, rowStart += dy)
            {
                short* tap = rowStart;
                int kx = 0;
                if (step == 8)
                {
                    for (; kx + 1 < filterWidth; kx += 2, tap += 2 * dx, wt += 32)
                    {
                        even += Tap(tap, Vector512.Load(wt));
                        odd += Tap(tap + dx, Vector512.Load(wt + 16));
                    }
                    if (kx < filterWidth)
                    {
                        even += Tap(tap, Vector512.Load(wt));
                        wt += 16;
                    }
                }
                else
                {
                    for (; kx < filterWidth; kx++, tap += dx, wt += 16)
                        even += Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(Vector256.Create(Vector128.Load(tap), Vector128.Load(tap + step))), Vector512.Load(wt));
                }
            }
            requantizer.StoreLanes(even + odd, 0, o);
            if (p == pixels - 2) return;
        }
    }

    /// <summary>8 channels, 3×3, stride 1: each pair's nine taps are single 256-bit loads; the weights stay in registers.</summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorPairs3x3(short* corner, int pixels, short* y)
    {
        nint dx = (nint)_g.DilationW * 8, dy = (nint)_g.DilationH * _g.InputWidth * 8;
        int* w = _pairWeights!.Pointer;
        Vector512<int> w0 = Vector512.Load(w), w1 = Vector512.Load(w + 16), w2 = Vector512.Load(w + 32),
            w3 = Vector512.Load(w + 48), w4 = Vector512.Load(w + 64), w5 = Vector512.Load(w + 80),
            w6 = Vector512.Load(w + 96), w7 = Vector512.Load(w + 112), w8 = Vector512.Load(w + 128);
        var requantizer = _pairs!;
        for (int p = 0; ; p += 2)
        {
            if (p > pixels - 2) p = pixels - 2;
            short* x = corner + p * 8, x1 = x + dy, x2 = x1 + dy;
            var top = Tap(x, w0) + Tap(x + dx, w1) + Tap(x + 2 * dx, w2);
            var middle = Tap(x1, w3) + Tap(x1 + dx, w4) + Tap(x1 + 2 * dx, w5);
            var bottom = Tap(x2, w6) + Tap(x2 + dx, w7) + Tap(x2 + 2 * dx, w8);
            requantizer.StoreLanes(top + middle + bottom, 0, y + p * 8);
            if (p == pixels - 2) return;
        }
    }

    /// <summary>One pixel, 16-channel groups as single 512-bit vectors (the last overlapping), int32 sums straight to the rescale.</summary>
    [MethodImpl(JitHints.Hot)]
    private void PixelWide(short* corner, int* inputOffsets, int* weightOffsets, int count, short* y)
    {
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < _channels; c0 += 16)
        {
            int c = Math.Min(c0, _channels - 16);
            var sum = Vector512<int>.Zero;
            for (int t = 0; t < count; t++)
                sum += Avx512F.MultiplyLow(Avx512F.ConvertToVector512Int32(Vector256.Load(corner + inputOffsets[t] + c)), Vector512.Load(w + weightOffsets[t] + c));
            _requantizer.StoreLanes(sum, c, y + c);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void PixelVector(short* corner, int* inputOffsets, int* weightOffsets, int count, short* y)
    {
        int* w = _weights.Pointer;
        if (_channels < 16)
        {
            // 8 to 15 channels: one 8-lane group at 0 and one at C − 8 (the same group again when C is 8).
            for (int c = 0; ; c = _channels - 8)
            {
                Vector256<int> lanes = default;
                for (int t = 0; t < count; t++)
                    lanes = Avx2.Add(lanes, Tap(corner + inputOffsets[t] + c, Vector256.Load(w + weightOffsets[t] + c)));
                _requantizer.StoreLanes(lanes, c, y + c);
                if (c == _channels - 8) return;
            }
        }
        for (int c0 = 0; c0 < _channels; c0 += 16)
        {
            int c = Math.Min(c0, _channels - 16);
            Vector256<int> low = default, high = default;
            for (int t = 0; t < count; t++)
            {
                short* x = corner + inputOffsets[t] + c;
                int* wt = w + weightOffsets[t] + c;
                low = Avx2.Add(low, Tap(x, Vector256.Load(wt)));
                high = Avx2.Add(high, Tap(x + 8, Vector256.Load(wt + 8)));
            }
            _requantizer.StoreLanes(low, c, y + c);
            _requantizer.StoreLanes(high, c + 8, y + c + 8);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void PixelScalar(short* corner, int* inputOffsets, int* weightOffsets, int count, long* sums, short* y)
    {
        int* w = _weights.Pointer;
        for (int c0 = 0; c0 < _channels; c0 += 16)
        {
            int n = Math.Min(16, _channels - c0);
            for (int i = 0; i < n; i++)
            {
                int oc = c0 + i, ic = oc / _multiplier;
                long total = 0;
                for (int t = 0; t < count; t++) total += corner[inputOffsets[t] + ic] * w[weightOffsets[t] + oc];
                sums[i] = total;
            }
            _requantizer.Store(sums, c0, n, y + c0);
        }
    }
}
