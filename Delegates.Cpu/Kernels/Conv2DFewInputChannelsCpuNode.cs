using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// The float32 CONV_2D path for first layers: at most <see cref="MaxInputDepth"/> input channels (an RGB image). The
/// packed GEMM walks the output channels in blocks and re-reads the input taps for each block, which for a reduction
/// of only KH·KW·3 steps costs as much as the arithmetic; here every output channel of a pixel sits in registers at
/// once (2–<see cref="MaxVectors"/> vectors, the last overlapping the one before where Cout is not a multiple of the
/// width), so each input value is broadcast once per pixel and feeds every channel.
/// </summary>
internal static class Conv2DFewInputChannels
{
    public const int MaxInputDepth = 4;
    public const int MaxVectors = 4;

    /// <summary>
    /// The vector width for this layout, or null where the path does not apply (more than <see cref="MaxInputDepth"/>
    /// input channels, the scalar path, more channels than <see cref="MaxVectors"/> vectors of any allowed width, or
    /// channels that fit one vector of the widest width).
    /// The widest width whose vectors fit the channels is taken: the channels of one pixel then need the fewest FMAs.
    /// </summary>
    public static GemmWidth? WidthFor(ConvLayout g)
    {
        if (g.InputDepth > MaxInputDepth || g.InputDepth < 1) return null;
        for (var width = GemmWidths.Widest; width > GemmWidth.Scalar; width = width switch
             {
                 GemmWidth.W512 => GemmWidth.W256,
                 GemmWidth.W256 => GemmWidth.W128,
                 _ => GemmWidth.Scalar,
             })
        {
            int lanes = (int)width;
            int vectors = (g.OutputDepth + lanes - 1) / lanes;
            // One vector of channels: the packed GEMM already makes one pass with 8 pixels in flight and merges
            // (kx, ci) into one segment per ky; measured faster there (selfie_segmentation's 16-channel first layer).
            if (lanes <= g.OutputDepth && vectors <= MaxVectors) return vectors >= 2 ? width : null;
        }
        return null;
    }

    public static ICpuCompiledNode Compile(Tensor input, Tensor output, ConvLayout g, GemmWidth width,
        ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias, float min, float max, bool clamp) => width switch
    {
        GemmWidth.W512 => new Conv2DFewInputChannelsCpuNode<Gemm512, Vector512<float>>(input, output, g, ohwi, bias,
            new(Vector512.Create(min), Vector512.Create(max), clamp)),
        GemmWidth.W256 => new Conv2DFewInputChannelsCpuNode<Gemm256, Vector256<float>>(input, output, g, ohwi, bias,
            new(Vector256.Create(min), Vector256.Create(max), clamp)),
        _ => new Conv2DFewInputChannelsCpuNode<Gemm128, Vector128<float>>(input, output, g, ohwi, bias,
            new(Vector128.Create(min), Vector128.Create(max), clamp)),
    };
}

/// <summary>
/// A compiled few-input-channel CONV_2D (<see cref="Conv2DFewInputChannels"/>). Weights are repacked once as
/// [ky, kx, ci, vector, lane]: vector j holds output channels <c>start(j) .. start(j)+V−1</c>, with
/// <c>start(j) = min(j·V, Cout − V)</c>. Each output's chain is the reference's: +0, one FMA per in-bounds tap in
/// (ky, kx, ci) order (out-of-bounds taps skipped, never multiplied by a zero), then + bias, then the clamp. Rows
/// split into the interior (every kx in bounds, pixels in tiles) and single border pixels with their own kx range.
/// Threads take whole output rows.
/// </summary>
internal sealed unsafe class Conv2DFewInputChannelsCpuNode<TOps, TV> : ICpuCompiledNode, IConvWithClamp
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<Conv2DFewInputChannelsCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in Conv2DFewInputChannelsCpuNode<TOps, TV> kernel, int start, int end) =>
            kernel.RunRows(start, end);

    private readonly Tensor _input;
    private Tensor _output;                 // set again only by WithClamp, on a copy
    private readonly ConvLayout _g;
    private readonly PinnedFloats _weights; // [ky][kx][ci][vector][lane]
    private readonly PinnedFloats? _bias;   // [vector][lane]
    private GemmEpilogue<TV> _epilogue;     // set again only by WithClamp, on a copy
    private readonly int _vectors;
    private readonly int _lastStart;          // first channel of the last vector
    private readonly int _interiorBegin, _interiorEnd;
    private readonly PinnedFloats? _pairWeights; // 24 channels on Vector512: [ky][kx][ci][3][16] (FewInputChannelPairs)
    private readonly PinnedFloats? _pairBias;    // [3][16]
    private float _min, _max;                    // the epilogue's clamp as scalars, for the pair tiles

    private float* _x, _y;

    public Conv2DFewInputChannelsCpuNode(Tensor input, Tensor output, ConvLayout g, ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias,
        GemmEpilogue<TV> epilogue)
    {
        _input = input;
        _output = output;
        _g = g;
        _epilogue = epilogue;
        int v = TOps.Count, cout = g.OutputDepth;
        _vectors = (cout + v - 1) / v;
        _lastStart = cout - v;
        int steps = g.FilterHeight * g.FilterWidth * g.InputDepth;
        _weights = new PinnedFloats(steps * _vectors * v);
        var packed = _weights.Span;
        for (int step = 0; step < steps; step++)
            for (int j = 0; j < _vectors; j++)
                for (int lane = 0; lane < v; lane++)
                    packed[(step * _vectors + j) * v + lane] = ohwi[(Start(j) + lane) * steps + step];
        if (!bias.IsEmpty)
        {
            _bias = new PinnedFloats(_vectors * v);
            for (int j = 0; j < _vectors; j++)
                for (int lane = 0; lane < v; lane++)
                    _bias.Span[j * v + lane] = bias[Start(j) + lane];
        }
        _interiorBegin = Math.Min(g.OutputWidth, (g.PadLeft + g.StrideW - 1) / g.StrideW);
        int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1) * g.DilationW;
        _interiorEnd = lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach / g.StrideW + 1);
        if (_interiorEnd < _interiorBegin) _interiorEnd = _interiorBegin;
        TV minVector = epilogue.Min, maxVector = epilogue.Max; // splats: lane 0 is the value
        _min = Unsafe.As<TV, float>(ref minVector);
        _max = Unsafe.As<TV, float>(ref maxVector);
        if (typeof(TV) == typeof(Vector512<float>) && cout == FewInputChannelPairs.Channels)
        {
            _pairWeights = new PinnedFloats(steps * FewInputChannelPairs.Floats);
            for (int step = 0; step < steps; step++)
                for (int i = 0; i < FewInputChannelPairs.Floats; i++)
                    _pairWeights.Span[step * FewInputChannelPairs.Floats + i] = ohwi[FewInputChannelPairs.Channel(i) * steps + step];
            if (!bias.IsEmpty)
            {
                _pairBias = new PinnedFloats(FewInputChannelPairs.Floats);
                for (int i = 0; i < FewInputChannelPairs.Floats; i++) _pairBias.Span[i] = bias[FewInputChannelPairs.Channel(i)];
            }
        }
    }

    private int Start(int vector) => Math.Min(vector * TOps.Count, _lastStart);

    public ICpuCompiledNode WithClamp(Tensor output, float min, float max)
    {
        var copy = (Conv2DFewInputChannelsCpuNode<TOps, TV>)MemberwiseClone();
        copy._output = output;
        copy._epilogue = new(TOps.Splat(min), TOps.Splat(max), true);
        copy._min = min;
        copy._max = max;
        return copy;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        for (int row = start; row < end; row++) Row(row);
    }

    [MethodImpl(JitHints.Hot)]
    private void Row(int row)
    {
        var g = _g;
        int b = row / g.OutputHeight, oy = row % g.OutputHeight;
        int iyOrigin = oy * g.StrideH - g.PadTop;
        int kyBegin = ConvLoops.FirstTap(iyOrigin, g.DilationH);
        int kyEnd = ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight);
        float* xBatch = _x + (nint)b * g.InputHeight * g.InputWidth * g.InputDepth;
        float* yRow = _y + (nint)row * g.OutputWidth * g.OutputDepth;
        nint pixelStride = (nint)g.StrideW * g.InputDepth;
        int ox = 0;
        for (; ox < _interiorBegin; ox++) Border(xBatch, yRow, iyOrigin, kyBegin, kyEnd, ox);
        if (typeof(TV) == typeof(Vector512<float>) && _pairWeights is not null && _interiorEnd - ox >= FewInputChannelPairs.Pixels)
        {
            // Groups of 8 interior pixels; where 8 does not divide the interior, the last group ends at its end and
            // recomputes a few pixels of the group before with identical chains (a convolution never writes over its input).
            int last = _interiorEnd - FewInputChannelPairs.Pixels;
            for (int p = ox; ; p += FewInputChannelPairs.Pixels)
            {
                if (p > last) p = last;
                FewInputChannelPairs.Tile8(xBatch + ((nint)iyOrigin * g.InputWidth + p * g.StrideW - g.PadLeft) * g.InputDepth, pixelStride,
                    (nint)g.DilationH * g.InputWidth * g.InputDepth, (nint)g.DilationW * g.InputDepth, g.InputDepth, g.FilterWidth,
                    kyBegin, kyEnd, _pairWeights.Pointer, _pairBias is null ? null : _pairBias.Pointer, _min, _max, _epilogue.Clamp,
                    yRow + (nint)p * g.OutputDepth);
                if (p == last) break;
            }
            ox = _interiorEnd;
        }
        // Pixels per tile: at least 8 accumulators in flight (FMA latency × ports), within the 16 AVX2 registers.
        int tile = _vectors == 4 ? 2 : 4;
        for (; ox + tile <= _interiorEnd; ox += tile)
        {
            float* x = xBatch + (nint)(ox * g.StrideW - g.PadLeft) * g.InputDepth;
            float* y = yRow + (nint)ox * g.OutputDepth;
            switch (_vectors)
            {
                case 2: Tile4x2(x, pixelStride, y, iyOrigin, kyBegin, kyEnd, 0, g.FilterWidth); break;
                case 3: Tile4x3(x, pixelStride, y, iyOrigin, kyBegin, kyEnd, 0, g.FilterWidth); break;
                default: Tile1(x, y, iyOrigin, kyBegin, kyEnd, 0, g.FilterWidth); Tile1(x + pixelStride, y + g.OutputDepth, iyOrigin, kyBegin, kyEnd, 0, g.FilterWidth); break;
            }
        }
        for (; ox < _interiorEnd; ox++)
            Tile1(xBatch + (nint)(ox * g.StrideW - g.PadLeft) * g.InputDepth, yRow + (nint)ox * g.OutputDepth, iyOrigin, kyBegin, kyEnd, 0, g.FilterWidth);
        for (; ox < g.OutputWidth; ox++) Border(xBatch, yRow, iyOrigin, kyBegin, kyEnd, ox);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Border(float* xBatch, float* yRow, int iyOrigin, int kyBegin, int kyEnd, int ox)
    {
        var g = _g;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        int kxBegin = ConvLoops.FirstTap(ixOrigin, g.DilationW);
        int kxEnd = ConvLoops.EndTap(ixOrigin, g.DilationW, g.InputWidth, g.FilterWidth);
        Tile1(xBatch + (nint)ixOrigin * g.InputDepth, yRow + (nint)ox * g.OutputDepth, iyOrigin, kyBegin, kyEnd, kxBegin, kxEnd);
    }

    // x points at the pixel's (iy = 0, ix = ixOrigin, ci = 0): possibly outside the tensor; only in-bounds taps are read.

    [MethodImpl(JitHints.Hot)]
    private void Tile1(float* x, float* y, int iyOrigin, int kyBegin, int kyEnd, int kxBegin, int kxEnd)
    {
        var g = _g;
        int v = TOps.Count, cin = g.InputDepth, nv = _vectors;
        nint rowFloats = (nint)g.InputWidth * cin;
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        for (int ky = kyBegin; ky < kyEnd; ky++)
        {
            float* xr = x + (iyOrigin + ky * g.DilationH) * rowFloats;
            for (int kx = kxBegin; kx < kxEnd; kx++)
            {
                float* xp = xr + kx * g.DilationW * cin;
                float* w = _weights.Pointer + (nint)((ky * g.FilterWidth + kx) * cin) * nv * v;
                for (int ci = 0; ci < cin; ci++, w += nv * v)
                {
                    TV s = TOps.Splat(xp[ci]);
                    a0 = TOps.FusedMultiplyAdd(s, TOps.Load(w), a0);
                    if (nv > 1) a1 = TOps.FusedMultiplyAdd(s, TOps.Load(w + v), a1);
                    if (nv > 2) a2 = TOps.FusedMultiplyAdd(s, TOps.Load(w + 2 * v), a2);
                    if (nv > 3) a3 = TOps.FusedMultiplyAdd(s, TOps.Load(w + 3 * v), a3);
                }
            }
        }
        Finish(y, 0, a0);
        if (nv > 1) Finish(y, 1, a1);
        if (nv > 2) Finish(y, 2, a2);
        if (nv > 3) Finish(y, 3, a3);
    }

    [MethodImpl(JitHints.Hot)]
    private void Tile4x2(float* x, nint ps, float* y, int iyOrigin, int kyBegin, int kyEnd, int kxBegin, int kxEnd)
    {
        var g = _g;
        int v = TOps.Count, cin = g.InputDepth;
        nint rowFloats = (nint)g.InputWidth * cin;
        TV p00 = TOps.Zero, p01 = TOps.Zero, p10 = TOps.Zero, p11 = TOps.Zero;
        TV p20 = TOps.Zero, p21 = TOps.Zero, p30 = TOps.Zero, p31 = TOps.Zero;
        for (int ky = kyBegin; ky < kyEnd; ky++)
        {
            float* xr = x + (iyOrigin + ky * g.DilationH) * rowFloats;
            for (int kx = kxBegin; kx < kxEnd; kx++)
            {
                float* xp = xr + kx * g.DilationW * cin;
                float* w = _weights.Pointer + (nint)((ky * g.FilterWidth + kx) * cin) * 2 * v;
                for (int ci = 0; ci < cin; ci++, w += 2 * v)
                {
                    TV w0 = TOps.Load(w), w1 = TOps.Load(w + v);
                    TV s = TOps.Splat(xp[ci]);
                    p00 = TOps.FusedMultiplyAdd(s, w0, p00);
                    p01 = TOps.FusedMultiplyAdd(s, w1, p01);
                    s = TOps.Splat(xp[ps + ci]);
                    p10 = TOps.FusedMultiplyAdd(s, w0, p10);
                    p11 = TOps.FusedMultiplyAdd(s, w1, p11);
                    s = TOps.Splat(xp[2 * ps + ci]);
                    p20 = TOps.FusedMultiplyAdd(s, w0, p20);
                    p21 = TOps.FusedMultiplyAdd(s, w1, p21);
                    s = TOps.Splat(xp[3 * ps + ci]);
                    p30 = TOps.FusedMultiplyAdd(s, w0, p30);
                    p31 = TOps.FusedMultiplyAdd(s, w1, p31);
                }
            }
        }
        int yp = g.OutputDepth;
        Finish(y, 0, p00); Finish(y, 1, p01);
        Finish(y + yp, 0, p10); Finish(y + yp, 1, p11);
        Finish(y + 2 * yp, 0, p20); Finish(y + 2 * yp, 1, p21);
        Finish(y + 3 * yp, 0, p30); Finish(y + 3 * yp, 1, p31);
    }

    [MethodImpl(JitHints.Hot)]
    private void Tile4x3(float* x, nint ps, float* y, int iyOrigin, int kyBegin, int kyEnd, int kxBegin, int kxEnd)
    {
        var g = _g;
        int v = TOps.Count, cin = g.InputDepth;
        nint rowFloats = (nint)g.InputWidth * cin;
        TV p00 = TOps.Zero, p01 = TOps.Zero, p02 = TOps.Zero, p10 = TOps.Zero, p11 = TOps.Zero, p12 = TOps.Zero;
        TV p20 = TOps.Zero, p21 = TOps.Zero, p22 = TOps.Zero, p30 = TOps.Zero, p31 = TOps.Zero, p32 = TOps.Zero;
        for (int ky = kyBegin; ky < kyEnd; ky++)
        {
            float* xr = x + (iyOrigin + ky * g.DilationH) * rowFloats;
            for (int kx = kxBegin; kx < kxEnd; kx++)
            {
                float* xp = xr + kx * g.DilationW * cin;
                float* w = _weights.Pointer + (nint)((ky * g.FilterWidth + kx) * cin) * 3 * v;
                for (int ci = 0; ci < cin; ci++, w += 3 * v)
                {
                    TV w0 = TOps.Load(w), w1 = TOps.Load(w + v), w2 = TOps.Load(w + 2 * v);
                    TV s = TOps.Splat(xp[ci]);
                    p00 = TOps.FusedMultiplyAdd(s, w0, p00);
                    p01 = TOps.FusedMultiplyAdd(s, w1, p01);
                    p02 = TOps.FusedMultiplyAdd(s, w2, p02);
                    s = TOps.Splat(xp[ps + ci]);
                    p10 = TOps.FusedMultiplyAdd(s, w0, p10);
                    p11 = TOps.FusedMultiplyAdd(s, w1, p11);
                    p12 = TOps.FusedMultiplyAdd(s, w2, p12);
                    s = TOps.Splat(xp[2 * ps + ci]);
                    p20 = TOps.FusedMultiplyAdd(s, w0, p20);
                    p21 = TOps.FusedMultiplyAdd(s, w1, p21);
                    p22 = TOps.FusedMultiplyAdd(s, w2, p22);
                    s = TOps.Splat(xp[3 * ps + ci]);
                    p30 = TOps.FusedMultiplyAdd(s, w0, p30);
                    p31 = TOps.FusedMultiplyAdd(s, w1, p31);
                    p32 = TOps.FusedMultiplyAdd(s, w2, p32);
                }
            }
        }
        int yp = g.OutputDepth;
        Finish(y, 0, p00); Finish(y, 1, p01); Finish(y, 2, p02);
        Finish(y + yp, 0, p10); Finish(y + yp, 1, p11); Finish(y + yp, 2, p12);
        Finish(y + 2 * yp, 0, p20); Finish(y + 2 * yp, 1, p21); Finish(y + 2 * yp, 2, p22);
        Finish(y + 3 * yp, 0, p30); Finish(y + 3 * yp, 1, p31); Finish(y + 3 * yp, 2, p32);
    }

    /// <summary>+ bias (one rounding), the clamp, then the store of vector <paramref name="j"/>'s channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish(float* pixel, int j, TV acc)
    {
        int v = TOps.Count;
        if (_bias is not null) acc = TOps.Add(acc, TOps.Load(_bias.Pointer + j * v));
        if (_epilogue.Clamp) acc = TOps.Clamp(acc, _epilogue.Min, _epilogue.Max);
        TOps.Store(pixel + Math.Min(j * v, _lastStart), acc);
    }
}

/// <summary>
/// Few-input-channel CONV_2D with 24 output channels on Vector512 (face_detection_short_range's first layer): two
/// neighbouring pixels' 48 output channels are 3 full vectors, contiguous in NHWC — A = pixel 0's channels 0–15,
/// B = pixel 0's 16–23 then pixel 1's 0–7, C = pixel 1's 8–23 — so no lane is computed twice (channel-vector tiles
/// take 2 vectors per pixel, 8 of 32 lanes repeated). B's input is pixel 0's value in its low 8 lanes and pixel 1's in
/// its high 8 (a blend of the two broadcasts). Each lane's chain is still the reference's: +0, one FMA per tap in
/// (ky, kx, ci) order, + bias, the clamp.
/// </summary>
internal static unsafe class FewInputChannelPairs
{
    public const int Channels = 24;
    public const int Floats = 2 * Channels; // per step: 3 vectors of 16
    public const int Pixels = 8;

    /// <summary>The output channel of float <paramref name="i"/> (0–47) of a pixel pair.</summary>
    public static int Channel(int i) => i % Channels;

    /// <summary>
    /// 8 interior pixels (every kx in bounds): pixel p's input at <c>x + p·<paramref name="ps"/></c> (filter row 0),
    /// filter rows <paramref name="rowStep"/> apart, columns <paramref name="tapStep"/> apart.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void Tile8(float* x, nint ps, nint rowStep, nint tapStep, int cin, int filterWidth, int kyBegin, int kyEnd,
        float* w, float* bias, float min, float max, bool clamp, float* y)
    {
        var low = Vector512.Create(-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0).AsSingle();
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int ky = kyBegin; ky < kyEnd; ky++)
        {
            float* xr = x + ky * rowStep;
            float* wr = w + (nint)ky * filterWidth * cin * Floats;
            for (int kx = 0; kx < filterWidth; kx++)
            {
                float* xp = xr + kx * tapStep;
                for (int ci = 0; ci < cin; ci++, wr += Floats)
                {
                    var wa = Vector512.Load(wr);
                    var wb = Vector512.Load(wr + 16);
                    var wc = Vector512.Load(wr + 32);
                    var s0 = Vector512.Create(xp[ci]);
                    var s1 = Vector512.Create(xp[ps + ci]);
                    a0 = Vector512.FusedMultiplyAdd(s0, wa, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(low, s0, s1), wb, a1);
                    a2 = Vector512.FusedMultiplyAdd(s1, wc, a2);
                    s0 = Vector512.Create(xp[2 * ps + ci]);
                    s1 = Vector512.Create(xp[3 * ps + ci]);
                    a3 = Vector512.FusedMultiplyAdd(s0, wa, a3);
                    a4 = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(low, s0, s1), wb, a4);
                    a5 = Vector512.FusedMultiplyAdd(s1, wc, a5);
                    s0 = Vector512.Create(xp[4 * ps + ci]);
                    s1 = Vector512.Create(xp[5 * ps + ci]);
                    a6 = Vector512.FusedMultiplyAdd(s0, wa, a6);
                    a7 = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(low, s0, s1), wb, a7);
                    a8 = Vector512.FusedMultiplyAdd(s1, wc, a8);
                    s0 = Vector512.Create(xp[6 * ps + ci]);
                    s1 = Vector512.Create(xp[7 * ps + ci]);
                    a9 = Vector512.FusedMultiplyAdd(s0, wa, a9);
                    a10 = Vector512.FusedMultiplyAdd(Vector512.ConditionalSelect(low, s0, s1), wb, a10);
                    a11 = Vector512.FusedMultiplyAdd(s1, wc, a11);
                }
            }
        }
        var lo = Vector512.Create(min);
        var hi = Vector512.Create(max);
        Finish(y, a0, bias, lo, hi, clamp);
        Finish(y + 16, a1, bias == null ? null : bias + 16, lo, hi, clamp);
        Finish(y + 32, a2, bias == null ? null : bias + 32, lo, hi, clamp);
        Finish(y + 48, a3, bias, lo, hi, clamp);
        Finish(y + 64, a4, bias == null ? null : bias + 16, lo, hi, clamp);
        Finish(y + 80, a5, bias == null ? null : bias + 32, lo, hi, clamp);
        Finish(y + 96, a6, bias, lo, hi, clamp);
        Finish(y + 112, a7, bias == null ? null : bias + 16, lo, hi, clamp);
        Finish(y + 128, a8, bias == null ? null : bias + 32, lo, hi, clamp);
        Finish(y + 144, a9, bias, lo, hi, clamp);
        Finish(y + 160, a10, bias == null ? null : bias + 16, lo, hi, clamp);
        Finish(y + 176, a11, bias == null ? null : bias + 32, lo, hi, clamp);
    }

    /// <summary>+ bias (acc + b, as the other tiles), the clamp, the store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* y, Vector512<float> acc, float* bias, Vector512<float> min, Vector512<float> max, bool clamp)
    {
        if (bias != null) acc += Vector512.Load(bias);
        if (clamp) acc = Vector512.ConditionalSelect(Vector512.LessThan(acc, min), min, Vector512.ConditionalSelect(Vector512.GreaterThan(acc, max), max, acc));
        Vector512.Store(acc, y);
    }
}
