using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int16x8 CONV_2D and FULLY_CONNECTED on the CPU delegate (the reference's Int16x8Kernels.Conv2D and FullyConnected):
/// a GEMM with output channels in the lanes. The filter is packed once as [16-channel group][k pair][channel][2] int16,
/// zero past K and past the last channel, each filter row's KW·Cin taps padded to an even count (a zero weight) so no
/// pair straddles two rows; each output pixel's row of inputs (the input pixel itself for a pointwise convolution with
/// an even Cin; on the interleaved paths the window's rows in place where a tile's windows lie inside the input;
/// else gathered with zeros for the padding taps — a zero adds nothing, as the reference's skipped tap) is read two values at a time, broadcast, and multiplied into the packed pairs with
/// <c>vpmaddwd</c>: one int32 lane per channel gets x₀w₀ + x₁w₁. |x · w| ≤ 2^15 · 2^7, so a pair stays within ±2^23
/// and 255 pairs within int32; the lanes are widened into int64 sums every 255 pairs (<see cref="PairsPerFlush"/>),
/// so every sum is the exact integer the reference's int64 loop computes (an integer sum has no order). Then
/// <see cref="Int16Requantizer"/>. Where no sum can leave int32 (2^15 · the largest channel's Σ|w| ≤ 2^31 − 1), AVX-512
/// and AVX2 skip the flushes and requantize from the accumulators (<see cref="Int16Requantizer.Interleaved(Vector512{int}, int)"/>,
/// channels packed interleaved). AVX-512BW: 4 pixels × 32 channels a step (× 16 where no more are left); AVX2: 4 pixels × 16; scalar: plain int64
/// loops; 8 output channels on AVX-512 (K ≤ 510): two pixels a 16-lane vector, no flush (8 → 8 pointwise: a tile's
/// four pixels one load, each pixel's pair spread over its lanes by <c>vpermd</c>); at most
/// <see cref="MaxDotChannels"/> output channels: one exact <see cref="Int16Dot"/> product per pixel and channel. Pixels split over the pool in tiles of four.
/// </summary>
internal sealed unsafe class Int16ConvCpuNode : ICpuCompiledNode
{
    /// <summary>Pairs whose int32 lane sum cannot wrap: 255 · 2^23 &lt; 2^31.</summary>
    public const int PairsPerFlush = 255;

    /// <summary>Pixels a tile (the register block's rows).</summary>
    private const int TilePixels = 4;

    /// <summary>The longest gathered row (KH·KW·Cin, rounded up to even) a worker keeps on its stack, four of them.</summary>
    public const int MaxGatheredDepth = 8192;

    private static readonly CpuThreadPool.ChunkAction<Int16ConvCpuNode> Work =
        [MethodImpl(JitHints.Hot)] static (in Int16ConvCpuNode node, int start, int end) => node.Tiles(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly int _depth, _pairs, _groups, _channels, _pixels, _tiles;
    private readonly int _rowPairs, _filterRows; // pairs a filter row (KW·Cin rounded up to even) and rows: _pairs = both's product
    private readonly bool _windowsInPlace;        // interleaved GEMM, no horizontal dilation: interior tiles read the input in place
    private readonly bool _direct; // pointwise with an even Cin: rows are the input pixels themselves
    private readonly AlignedPinned<short>? _weights;     // the GEMM's packed pairs (null where a path below takes the node)
    private readonly AlignedPinned<short>? _dotWeights; // few output channels: [channel][K], one dot product each (Int16Dot)
    private readonly AlignedPinned<short>? _eightWeights; // 8 output channels on AVX-512: [k pair][16 lanes][2], lane l = channel l mod 8
    private readonly Int16Requantizer? _eightPairs;       // lane l rescales as channel l mod 8 (two pixels a vector)
    private readonly Int16Requantizer _requantizer;
    private readonly Int16DotIsa _isa;
    private readonly bool _interleaved; // vector GEMM whose sums fit int32: lanes interleaved, requantized from the accumulators
    private short* _x, _y;

    /// <param name="filter">int8 weights [Cout, KH, KW, Cin] (FULLY_CONNECTED: [units, depth], as a 1×1 filter).</param>
    public Int16ConvCpuNode(Tensor input, Tensor filter, Tensor? bias, Tensor output, ConvLayout geometry, Int16ConvParams q, Int16DotIsa isa)
    {
        (_input, _output, _g, _isa) = (input, output, geometry, isa);
        _depth = geometry.FilterHeight * geometry.FilterWidth * geometry.InputDepth;
        _direct = geometry.IsPointwise && geometry.InputDepth % 2 == 0;
        // Each filter row's KW·Cin values padded to even, so no pair straddles two rows: an interior pixel's rows can
        // then be read in place (the pad's weight is zero, so whatever value sits beside the row adds nothing).
        _filterRows = geometry.FilterHeight;
        _rowPairs = (geometry.FilterWidth * geometry.InputDepth + 1) / 2;
        _pairs = _filterRows * _rowPairs;
        _channels = geometry.OutputDepth;
        _groups = (_channels + 15) / 16;
        if (isa == Int16DotIsa.Avx512 && _groups % 2 == 1) _groups++; // the 512-bit tile takes two groups at once
        _pixels = geometry.Batches * geometry.OutputHeight * geometry.OutputWidth;
        _tiles = (_pixels + TilePixels - 1) / TilePixels;
        ReadOnlySpan<sbyte> w = filter.Read<sbyte>();
        _requantizer = new Int16Requantizer(bias, q, _channels, maxLanes: 16);
        var pairs = _channels == 8 && isa == Int16DotIsa.Avx512 && _pairs <= PairsPerFlush
            ? new Int16Requantizer(Int16Requantizer.BiasValues(bias, 8), q, 16, maxLanes: 16, period: 8)
            : null;
        if (pairs is { IsVector: true })
        {
            _eightPairs = pairs;
            _eightWeights = new AlignedPinned<short>(_pairs * 32);
            for (int k = 0; k < _depth; k++)
            {
                int kp = Padded(k);
                for (int lane = 0; lane < 16; lane++) _eightWeights.Span[(kp / 2 * 16 + lane) * 2 + kp % 2] = w[lane % 8 * _depth + k];
            }
        }
        else if (_channels <= MaxDotChannels && _depth >= 16 && isa != Int16DotIsa.Scalar)
        {
            _dotWeights = new AlignedPinned<short>(_channels * _pairs * 2);
            for (int c = 0; c < _channels; c++)
                for (int k = 0; k < _depth; k++) _dotWeights.Span[c * _pairs * 2 + Padded(k)] = w[c * _depth + k];
        }
        else
        {
            // The GEMM's packing, only for the nodes that run the GEMM. Where every sum fits int32 (|x| ≤ 2^15 times the
            // channel's Σ|w|), AVX-512 and AVX2 keep it in the accumulator lane and requantize from there, channels
            // interleaved as Int16Requantizer.Interleaved takes them: lane 2i channel i, lane 2i + 1 channel 8 + i of the
            // group (AVX2: of each 8-lane half, channel 4 + i).
            _interleaved = (isa == Int16DotIsa.Avx512 && _requantizer.Width == 16 || isa == Int16DotIsa.Avx2 && _requantizer.Width == 8)
                && _requantizer.TakesInt32Sums(LargestSum(w, _channels, _depth));
            _windowsInPlace = _interleaved && !_direct && geometry.DilationW == 1;
            _weights = new AlignedPinned<short>(_groups * _pairs * 32);
            var packed = _weights.Span;
            for (int c = 0; c < _channels; c++)
            {
                int lane = !_interleaved ? c % 16 : isa == Int16DotIsa.Avx512 ? Interleave(c % 16, 8) : c % 16 / 8 * 8 + Interleave(c % 8, 4);
                for (int k = 0; k < _depth; k++)
                {
                    int kp = Padded(k);
                    packed[((c / 16 * _pairs + kp / 2) * 16 + lane) * 2 + kp % 2] = w[c * _depth + k];
                }
            }
        }
    }

    /// <summary>The lane of channel i in a vector of 2 · <paramref name="half"/> interleaved lanes (i &lt; half: 2i; else 2(i − half) + 1).</summary>
    private static int Interleave(int i, int half) => i < half ? 2 * i : 2 * (i - half) + 1;

    /// <summary>Tap k's place in a row-padded row: filter row k / (KW·Cin) starts at a multiple of 2 · <see cref="_rowPairs"/>.</summary>
    private int Padded(int k)
    {
        int span = _g.FilterWidth * _g.InputDepth;
        return k / span * 2 * _rowPairs + k % span;
    }

    /// <summary>The largest |Σ_k x_k · w_ck| any int16 input can give: 2^15 times the largest Σ_k |w_ck|.</summary>
    private static long LargestSum(ReadOnlySpan<sbyte> w, int channels, int depth)
    {
        long largest = 0;
        for (int c = 0; c < channels; c++)
        {
            long magnitude = 0;
            foreach (sbyte v in w.Slice(c * depth, depth)) magnitude += Math.Abs((int)v);
            largest = Math.Max(largest, magnitude);
        }
        return largest << 15;
    }

    /// <summary>
    /// Output channels up to this (with K ≥ 16) take one <see cref="Int16Dot"/> product each per pixel instead of the
    /// 16- or 32-lane tile, most of whose lanes would be padding (a heat-map head: 8 → 1 channel).
    /// </summary>
    public const int MaxDotChannels = 4;

    /// <summary>Why the node cannot run here (a gathered row longer than <see cref="MaxGatheredDepth"/>), or null.</summary>
    public static string? Refusal(ConvLayout g)
    {
        long depth = (long)g.FilterHeight * g.FilterWidth * g.InputDepth;
        long padded = g.FilterHeight * (((long)g.FilterWidth * g.InputDepth + 1) / 2 * 2);
        bool direct = g.IsPointwise && g.InputDepth % 2 == 0;
        return !direct && padded > MaxGatheredDepth
            ? $"the int16 kernel gathers each output pixel's {depth} inputs (KH·KW·Cin, each filter row padded to even: {padded}) on the stack; at most {MaxGatheredDepth}"
            : null;
    }

    /// <summary>Whether the epilogue runs 16 lanes at a time (for tests).</summary>
    internal bool VectorEpilogue => _requantizer.IsVector;

    /// <summary>Whether the vector GEMM (AVX-512 or AVX2) requantizes straight from its 32-bit accumulators (for tests).</summary>
    internal bool InterleavedEpilogue => _interleaved;

    /// <summary>Whether two 8-channel pixels share a vector (for tests).</summary>
    internal bool EightChannelPairs => _eightWeights is not null;

    /// <summary>Whether each pixel takes one dot product per output channel (few channels; for tests).</summary>
    internal bool DotProducts => _dotWeights is not null;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(_input.Bytes);
        _y = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_tiles, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Tiles(int start, int end)
    {
        int stride = _pairs * 2;
        short* gathered = stackalloc short[_direct ? 1 : TilePixels * stride];
        long* sums = stackalloc long[TilePixels * 32];
        short** rows = stackalloc short*[TilePixels];
        if (_eightWeights is not null && _direct && _g.InputDepth == 8)
        {
            // 8 → 8 pointwise: every whole tile is one 64-byte load (the last, short tile goes the general way below).
            int whole = Math.Min(end, _pixels / TilePixels);
            EightByEight(start, whole);
            start = Math.Max(start, whole);
        }
        for (int tile = start; tile < end; tile++)
        {
            int first = tile * TilePixels;
            int count = Math.Min(TilePixels, _pixels - first);
            if (_windowsInPlace && WindowsInPlace(first, count, rows))
            {
                // Every window inside the input: filter row ky of pixel p starts at rows[p] + ky · DH · W · Cin.
                nint windowStride = (nint)_g.DilationH * _g.InputWidth * _g.InputDepth;
                InterleavedGroups(rows, windowStride, _y + (long)first * _channels, count);
                continue;
            }
            for (int p = 0; p < TilePixels; p++)
            {
                int pixel = first + Math.Min(p, count - 1); // a short tile repeats its last pixel (computed, not stored)
                if (_direct) rows[p] = _x + (long)pixel * _g.InputDepth;
                else
                {
                    rows[p] = gathered + p * stride;
                    if (p < count) Gather(pixel, rows[p]);
                    else rows[p] = rows[count - 1];
                }
            }
            if (_eightWeights is not null)
            {
                EightChannels(rows, _y + (long)first * 8, count);
                continue;
            }
            if (_dotWeights is not null)
            {
                for (int p = 0; p < count; p++)
                {
                    for (int c = 0; c < _channels; c++) sums[c] = Int16Dot.Dot(rows[p], _dotWeights.Pointer + (long)c * stride, stride, _isa);
                    _requantizer.Store(sums, 0, _channels, _y + (long)(first + p) * _channels);
                }
                continue;
            }
            if (_interleaved)
            {
                InterleavedGroups(rows, 2 * _rowPairs, _y + (long)first * _channels, count);
                continue;
            }
            for (int group = 0; group < _groups; group += _isa == Int16DotIsa.Avx512 ? 2 : 1)
            {
                switch (_isa)
                {
                    case Int16DotIsa.Avx512: Sums512(rows, group, sums); break;
                    case Int16DotIsa.Avx2: Sums256(rows, group, sums); break;
                    default: SumsScalar(rows, group, sums); break;
                }
                int span = _isa == Int16DotIsa.Avx512 ? 32 : 16;
                for (int p = 0; p < count; p++)
                {
                    short* y = _y + (long)(first + p) * _channels;
                    for (int c0 = group * 16; c0 < group * 16 + span && c0 < _channels; c0 += 16)
                        _requantizer.Store(sums + p * 32 + (c0 - group * 16), c0, Math.Min(16, _channels - c0), y + c0);
                }
            }
        }
    }

    /// <summary>
    /// 8 output channels (AVX-512, K ≤ 510): pixels 0–1 and 2–3 of the tile as two 16-lane vectors, each pixel's pair
    /// broadcast into its 8 lanes against the pair's weights (twice); the int32 sums are exact without a flush
    /// (at most 255 pairs) and go straight to the period-8 requantization.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void EightChannels(short** rows, short* y, int count)
    {
        int* r0 = (int*)rows[0], r1 = (int*)rows[1], r2 = (int*)rows[2], r3 = (int*)rows[3];
        short* w = _eightWeights!.Pointer;
        Vector512<int> a01 = default, a23 = default;
        for (int j = 0; j < _pairs; j++)
        {
            var wt = Vector512.Load(w + j * 32);
            a01 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(Vector256.Create(r0[j]), Vector256.Create(r1[j])).AsInt16(), wt);
            a23 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(Vector256.Create(r2[j]), Vector256.Create(r3[j])).AsInt16(), wt);
        }
        if (count == TilePixels)
        {
            _eightPairs!.StoreLanes(a01, 0, y);
            _eightPairs.StoreLanes(a23, 0, y + 16);
            return;
        }
        short* tail = stackalloc short[32];
        _eightPairs!.StoreLanes(a01, 0, tail);
        _eightPairs.StoreLanes(a23, 0, tail + 16);
        new ReadOnlySpan<short>(tail, count * 8).CopyTo(new Span<short>(y, count * 8));
    }

    /// <summary>
    /// 8 → 8 pointwise tiles [start, end), all whole (AVX-512): the tile's four pixels' inputs are one 512-bit load, and
    /// each pixel's pair j reaches its 8 lanes by <c>vpermd</c> instead of a broadcast from memory and an insert; the
    /// same int32 sums as <see cref="EightChannels"/>.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void EightByEight(int start, int end)
    {
        short* w = _eightWeights!.Pointer;
        Vector512<short> w0 = Vector512.Load(w), w1 = Vector512.Load(w + 32), w2 = Vector512.Load(w + 64), w3 = Vector512.Load(w + 96);
        // Pixel p's pair j is int32 element 4p + j of the load: pixels 0–1 in the low and high 8 lanes, then 2–3.
        var p01j0 = Vector512.Create(Vector256.Create(0), Vector256.Create(4));
        var p23j0 = Vector512.Create(Vector256.Create(8), Vector256.Create(12));
        var one = Vector512.Create(1);
        var requantizer = _eightPairs!;
        for (int tile = start; tile < end; tile++)
        {
            long first = (long)tile * TilePixels;
            var x = Vector512.Load(_x + first * 8).AsInt32();
            var a01 = Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p01j0).AsInt16(), w0);
            var a23 = Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p23j0).AsInt16(), w0);
            a01 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p01j0 + one).AsInt16(), w1);
            a23 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p23j0 + one).AsInt16(), w1);
            a01 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p01j0 + one + one).AsInt16(), w2);
            a23 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p23j0 + one + one).AsInt16(), w2);
            a01 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p01j0 + one + one + one).AsInt16(), w3);
            a23 += Avx512BW.MultiplyAddAdjacent(Avx512F.PermuteVar16x32(x, p23j0 + one + one + one).AsInt16(), w3);
            requantizer.StoreLanes(a01, 0, _y + first * 8);
            requantizer.StoreLanes(a23, 0, _y + first * 8 + 16);
        }
    }

    /// <summary>The K inputs of output pixel <paramref name="pixel"/> in (ky, kx, ci) order, zeros for padding taps (and one past an odd K).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Gather(int pixel, short* row)
    {
        var g = _g;
        int ox = pixel % g.OutputWidth, rest = pixel / g.OutputWidth;
        int oy = rest % g.OutputHeight, b = rest / g.OutputHeight;
        int cin = g.InputDepth;
        short* at = row;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        int span = g.FilterWidth * cin;
        // Every kx in bounds with taps side by side (no horizontal dilation): one copy a filter row.
        bool wholeRows = g.DilationW == 1 && ixOrigin >= 0 && ixOrigin + g.FilterWidth <= g.InputWidth;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int iy = oy * g.StrideH - g.PadTop + ky * g.DilationH;
            short* line = _x + ((long)b * g.InputHeight + iy) * g.InputWidth * cin;
            if (iy < 0 || iy >= g.InputHeight) Fill(at, span);
            else if (wholeRows) Copy(line + (long)ixOrigin * cin, at, span);
            else
            {
                for (int kx = 0; kx < g.FilterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= g.InputWidth) Fill(at + kx * cin, cin);
                    else Copy(line + (long)ix * cin, at + kx * cin, cin);
                }
            }
            if (span % 2 == 1) at[span] = 0; // the row's pad
            at += 2 * _rowPairs;
        }
    }

    /// <summary>
    /// Whether the tile's pixels all have their windows inside the input (and a pad value read beside the last row
    /// inside the tensor); if so, rows[p] = each one's window corner (a short tile repeats its last pixel).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private bool WindowsInPlace(int first, int count, short** rows)
    {
        var g = _g;
        int cin = g.InputDepth;
        int ox = first % g.OutputWidth, rest = first / g.OutputWidth;
        int oy = rest % g.OutputHeight, b = rest / g.OutputHeight;
        int last = ox + count - 1; // the tile's pixels lie on one output row, or it gathers
        int ix = ox * g.StrideW - g.PadLeft, iy = oy * g.StrideH - g.PadTop;
        int lastRow = iy + (g.FilterHeight - 1) * g.DilationH;
        if (last >= g.OutputWidth || ix < 0 || last * g.StrideW - g.PadLeft + g.FilterWidth > g.InputWidth || iy < 0 || lastRow >= g.InputHeight)
            return false;
        long corner = (((long)b * g.InputHeight + iy) * g.InputWidth + ix) * cin, step = (long)g.StrideW * cin;
        long total = (long)g.Batches * g.InputHeight * g.InputWidth * cin;
        if (corner + (count - 1) * step + (long)(lastRow - iy) * g.InputWidth * cin + 2 * _rowPairs > total) return false;
        for (int p = 0; p < TilePixels; p++) rows[p] = _x + corner + Math.Min(p, count - 1) * step;
        return true;
    }

    /// <summary>count values from source to destination: 8 at a time, then one by one (rows of a few channels are common).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(short* source, short* destination, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector128.Store(Vector128.Load(source + i), destination + i);
        for (; i < count; i++) destination[i] = source[i];
    }

    /// <summary>count zeros at destination (a padding tap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fill(short* destination, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector128<short>.Zero.Store(destination + i);
        for (; i < count; i++) destination[i] = 0;
    }

    /// <summary>sums[p · 32 + i] = Σ_k row_p[k] · w[group · 16 + i][k] for 4 pixels × 32 channels (groups g, g + 1).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Sums512(short** rows, int group, long* sums)
    {
        int* r0 = (int*)rows[0], r1 = (int*)rows[1], r2 = (int*)rows[2], r3 = (int*)rows[3];
        short* w0 = _weights!.Pointer + (long)group * _pairs * 32, w1 = w0 + (long)_pairs * 32;
        if ((group + 1) * 16 >= _channels)
        {
            // The second group would be padding only (16 or fewer channels left): one group, four accumulators.
            for (int j0 = 0; j0 < _pairs; j0 += PairsPerFlush)
            {
                int j1 = Math.Min(_pairs, j0 + PairsPerFlush);
                Vector512<int> b0 = default, b1 = default, b2 = default, b3 = default;
                Dot(r0, r1, r2, r3, w0, j0, j1, ref b0, ref b1, ref b2, ref b3);
                bool start = j0 == 0;
                Flush(sums, b0, start);
                Flush(sums + 32, b1, start);
                Flush(sums + 64, b2, start);
                Flush(sums + 96, b3, start);
            }
            return;
        }
        for (int j0 = 0; j0 < _pairs; j0 += PairsPerFlush)
        {
            int j1 = Math.Min(_pairs, j0 + PairsPerFlush);
            Vector512<int> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            Dot(r0, r1, r2, r3, w0, w1, j0, j1, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
            bool first = j0 == 0;
            Flush(sums, a00, first);
            Flush(sums + 16, a01, first);
            Flush(sums + 32, a10, first);
            Flush(sums + 48, a11, first);
            Flush(sums + 64, a20, first);
            Flush(sums + 80, a21, first);
            Flush(sums + 96, a30, first);
            Flush(sums + 112, a31, first);
        }
    }

    /// <summary>Every channel group of the tile on the interleaved path (AVX-512: two groups a call; AVX2: one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void InterleavedGroups(short** rows, nint rowStride, short* y, int count)
    {
        if (_isa == Int16DotIsa.Avx512)
            for (int group = 0; group < _groups; group += 2) Interleaved512(rows, rowStride, group, y, count);
        else
            for (int group = 0; group < _groups; group++) Interleaved256(rows, rowStride, group, y, count);
    }

    /// <summary>
    /// One 16-channel group for the tile's 4 pixels on AVX2, as <see cref="Interleaved512"/>: two 8-lane halves, each
    /// interleaved (lane 2i channel i, lane 2i + 1 channel 4 + i of the half).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Interleaved256(short** rows, nint rowStride, int group, short* y, int count)
    {
        short* s0 = rows[0], s1 = rows[1], s2 = rows[2], s3 = rows[3];
        short* w = _weights!.Pointer + (long)group * _pairs * 32;
        int pairs = _rowPairs, filterRows = _filterRows, channels = _channels, c0 = group * 16;
        if (channels - c0 <= 8)
        {
            // The second half would be padding only: four accumulators.
            Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int ky = 0; ky < filterRows; ky++, w += pairs * 32)
            {
                int* r0 = (int*)(s0 + ky * rowStride), r1 = (int*)(s1 + ky * rowStride), r2 = (int*)(s2 + ky * rowStride), r3 = (int*)(s3 + ky * rowStride);
                for (int j = 0; j < pairs; j++)
                {
                    var wa = Vector256.Load(w + j * 32);
                    b0 = Avx2.Add(b0, Avx2.MultiplyAddAdjacent(Vector256.Create(r0[j]).AsInt16(), wa));
                    b1 = Avx2.Add(b1, Avx2.MultiplyAddAdjacent(Vector256.Create(r1[j]).AsInt16(), wa));
                    b2 = Avx2.Add(b2, Avx2.MultiplyAddAdjacent(Vector256.Create(r2[j]).AsInt16(), wa));
                    b3 = Avx2.Add(b3, Avx2.MultiplyAddAdjacent(Vector256.Create(r3[j]).AsInt16(), wa));
                }
            }
            Put(b0, default, c0, y);
            if (count > 1) Put(b1, default, c0, y + channels);
            if (count > 2) Put(b2, default, c0, y + 2 * channels);
            if (count > 3) Put(b3, default, c0, y + 3 * channels);
            return;
        }
        Vector256<int> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int ky = 0; ky < filterRows; ky++, w += pairs * 32)
        {
            Dot((int*)(s0 + ky * rowStride), (int*)(s1 + ky * rowStride), (int*)(s2 + ky * rowStride), (int*)(s3 + ky * rowStride),
                w, 0, pairs, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
        }
        Put(a00, a01, c0, y);
        if (count > 1) Put(a10, a11, c0, y + channels);
        if (count > 2) Put(a20, a21, c0, y + 2 * channels);
        if (count > 3) Put(a30, a31, c0, y + 3 * channels);
    }

    /// <summary>One pixel's channels <paramref name="channel"/> … + 15 (fewer at the last group) from AVX2's two interleaved halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(Vector256<int> low, Vector256<int> high, int channel, short* pixel)
    {
        int count = _channels - channel;
        var first = _requantizer.Interleaved(low, channel);
        if (count >= 8) first.Store(pixel + channel);
        else
            for (int i = 0; i < count; i++) pixel[channel + i] = first.GetElement(i);
        if (count <= 8) return;
        var second = _requantizer.Interleaved(high, channel + 8);
        if (count >= 16) second.Store(pixel + channel + 8);
        else
            for (int i = 8; i < count; i++) pixel[channel + i] = second.GetElement(i - 8);
    }

    /// <summary>
    /// Groups g and g + 1 for the tile's 4 pixels, like <see cref="Sums512"/> but without flushes (every sum fits int32,
    /// so the accumulators hold it exactly whatever K) and requantized from the registers into the pixels' outputs at
    /// <paramref name="y"/>; pixels from <paramref name="count"/> on are computed, not stored.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Interleaved512(short** rows, nint rowStride, int group, short* y, int count)
    {
        short* s0 = rows[0], s1 = rows[1], s2 = rows[2], s3 = rows[3];
        short* w0 = _weights!.Pointer + (long)group * _pairs * 32, w1 = w0 + (long)_pairs * 32;
        int pairs = _rowPairs, filterRows = _filterRows, channels = _channels, c0 = group * 16, c1 = c0 + 16;
        if (c1 >= channels)
        {
            // The second group would be padding only: one group, four accumulators.
            Vector512<int> b0 = default, b1 = default, b2 = default, b3 = default;
            for (int ky = 0; ky < filterRows; ky++, w0 += pairs * 32)
            {
                Dot((int*)(s0 + ky * rowStride), (int*)(s1 + ky * rowStride), (int*)(s2 + ky * rowStride), (int*)(s3 + ky * rowStride),
                    w0, 0, pairs, ref b0, ref b1, ref b2, ref b3);
            }
            Put(b0, c0, y);
            if (count > 1) Put(b1, c0, y + channels);
            if (count > 2) Put(b2, c0, y + 2 * channels);
            if (count > 3) Put(b3, c0, y + 3 * channels);
            return;
        }
        Vector512<int> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int ky = 0; ky < filterRows; ky++, w0 += pairs * 32, w1 += pairs * 32)
        {
            Dot((int*)(s0 + ky * rowStride), (int*)(s1 + ky * rowStride), (int*)(s2 + ky * rowStride), (int*)(s3 + ky * rowStride),
                w0, w1, 0, pairs, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
        }
        Put(a00, c0, y);
        Put(a01, c1, y);
        if (count > 1)
        {
            Put(a10, c0, y + channels);
            Put(a11, c1, y + channels);
        }
        if (count > 2)
        {
            Put(a20, c0, y + 2 * channels);
            Put(a21, c1, y + 2 * channels);
        }
        if (count > 3)
        {
            Put(a30, c0, y + 3 * channels);
            Put(a31, c1, y + 3 * channels);
        }
    }

    /// <summary>One pixel's channels <paramref name="channel"/> … + 15 (fewer at the last group) from interleaved sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(Vector512<int> sums, int channel, short* pixel)
    {
        var values = _requantizer.Interleaved(sums, channel);
        int count = _channels - channel;
        if (count >= 16) values.Store(pixel + channel);
        else
        {
            int i = 0;
            if (count >= 8)
            {
                values.GetLower().Store(pixel + channel);
                i = 8;
            }
            for (; i < count; i++) pixel[channel + i] = values.GetElement(i);
        }
    }

    /// <summary>sums[p · 32 + i] for 4 pixels × the 16 channels of <paramref name="group"/> (two 8-lane halves).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Sums256(short** rows, int group, long* sums)
    {
        int* r0 = (int*)rows[0], r1 = (int*)rows[1], r2 = (int*)rows[2], r3 = (int*)rows[3];
        short* w = _weights!.Pointer + (long)group * _pairs * 32;
        for (int j0 = 0; j0 < _pairs; j0 += PairsPerFlush)
        {
            int j1 = Math.Min(_pairs, j0 + PairsPerFlush);
            Vector256<int> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            Dot(r0, r1, r2, r3, w, j0, j1, ref a00, ref a01, ref a10, ref a11, ref a20, ref a21, ref a30, ref a31);
            bool first = j0 == 0;
            Flush(sums, a00, first);
            Flush(sums + 8, a01, first);
            Flush(sums + 32, a10, first);
            Flush(sums + 40, a11, first);
            Flush(sums + 64, a20, first);
            Flush(sums + 72, a21, first);
            Flush(sums + 96, a30, first);
            Flush(sums + 104, a31, first);
        }
    }

    /// <summary>
    /// Pairs <paramref name="from"/> … <paramref name="to"/> − 1 of four pixels' rows (each int32 two int16 inputs,
    /// broadcast) against one group's packed weight pairs <paramref name="w"/>, into each pixel's accumulator.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot(int* r0, int* r1, int* r2, int* r3, short* w, int from, int to,
        ref Vector512<int> a0, ref Vector512<int> a1, ref Vector512<int> a2, ref Vector512<int> a3)
    {
        for (int j = from; j < to; j++)
        {
            var wa = Vector512.Load(w + j * 32);
            a0 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(r0[j]).AsInt16(), wa);
            a1 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(r1[j]).AsInt16(), wa);
            a2 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(r2[j]).AsInt16(), wa);
            a3 += Avx512BW.MultiplyAddAdjacent(Vector512.Create(r3[j]).AsInt16(), wa);
        }
    }

    /// <summary>As the one-group <c>Dot</c>, for two groups' weights <paramref name="wa"/>, <paramref name="wb"/>: eight accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot(int* r0, int* r1, int* r2, int* r3, short* wa, short* wb, int from, int to,
        ref Vector512<int> a00, ref Vector512<int> a01, ref Vector512<int> a10, ref Vector512<int> a11,
        ref Vector512<int> a20, ref Vector512<int> a21, ref Vector512<int> a30, ref Vector512<int> a31)
    {
        for (int j = from; j < to; j++)
        {
            var va = Vector512.Load(wa + j * 32);
            var vb = Vector512.Load(wb + j * 32);
            var x = Vector512.Create(r0[j]).AsInt16();
            a00 += Avx512BW.MultiplyAddAdjacent(x, va);
            a01 += Avx512BW.MultiplyAddAdjacent(x, vb);
            x = Vector512.Create(r1[j]).AsInt16();
            a10 += Avx512BW.MultiplyAddAdjacent(x, va);
            a11 += Avx512BW.MultiplyAddAdjacent(x, vb);
            x = Vector512.Create(r2[j]).AsInt16();
            a20 += Avx512BW.MultiplyAddAdjacent(x, va);
            a21 += Avx512BW.MultiplyAddAdjacent(x, vb);
            x = Vector512.Create(r3[j]).AsInt16();
            a30 += Avx512BW.MultiplyAddAdjacent(x, va);
            a31 += Avx512BW.MultiplyAddAdjacent(x, vb);
        }
    }

    /// <summary>
    /// AVX2's form of the two-group <c>Dot</c>: one 16-channel group <paramref name="w"/> as two 8-lane halves (each
    /// pair's 32 weights, the second half's at + 16), eight accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot(int* r0, int* r1, int* r2, int* r3, short* w, int from, int to,
        ref Vector256<int> a00, ref Vector256<int> a01, ref Vector256<int> a10, ref Vector256<int> a11,
        ref Vector256<int> a20, ref Vector256<int> a21, ref Vector256<int> a30, ref Vector256<int> a31)
    {
        for (int j = from; j < to; j++)
        {
            var wa = Vector256.Load(w + j * 32);
            var wb = Vector256.Load(w + j * 32 + 16);
            var x = Vector256.Create(r0[j]).AsInt16();
            a00 = Avx2.Add(a00, Avx2.MultiplyAddAdjacent(x, wa));
            a01 = Avx2.Add(a01, Avx2.MultiplyAddAdjacent(x, wb));
            x = Vector256.Create(r1[j]).AsInt16();
            a10 = Avx2.Add(a10, Avx2.MultiplyAddAdjacent(x, wa));
            a11 = Avx2.Add(a11, Avx2.MultiplyAddAdjacent(x, wb));
            x = Vector256.Create(r2[j]).AsInt16();
            a20 = Avx2.Add(a20, Avx2.MultiplyAddAdjacent(x, wa));
            a21 = Avx2.Add(a21, Avx2.MultiplyAddAdjacent(x, wb));
            x = Vector256.Create(r3[j]).AsInt16();
            a30 = Avx2.Add(a30, Avx2.MultiplyAddAdjacent(x, wa));
            a31 = Avx2.Add(a31, Avx2.MultiplyAddAdjacent(x, wb));
        }
    }

    /// <summary>The scalar path: every sum in int64, straight from the packed pairs.</summary>
    [MethodImpl(JitHints.Hot)]
    private void SumsScalar(short** rows, int group, long* sums)
    {
        short* w = _weights!.Pointer + (long)group * _pairs * 32;
        for (int p = 0; p < TilePixels; p++)
            for (int i = 0; i < 16; i++)
            {
                long total = 0;
                for (int j = 0; j < _pairs; j++)
                    total += rows[p][2 * j] * w[j * 32 + i * 2] + rows[p][2 * j + 1] * w[j * 32 + i * 2 + 1];
                sums[p * 32 + i] = total;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush(long* at, Vector512<int> lanes, bool first)
    {
        var low = Vector512.WidenLower(lanes);
        var high = Vector512.WidenUpper(lanes);
        if (!first)
        {
            low += Vector512.Load(at);
            high += Vector512.Load(at + 8);
        }
        low.Store(at);
        high.Store(at + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush(long* at, Vector256<int> lanes, bool first)
    {
        var low = Vector256.WidenLower(lanes);
        var high = Vector256.WidenUpper(lanes);
        if (!first)
        {
            low += Vector256.Load(at);
            high += Vector256.Load(at + 4);
        }
        low.Store(at);
        high.Store(at + 4);
    }
}
