using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// Float32 CONV_2D with fewer output channels than a vector has lanes of the narrowest width (1–3: the packed GEMM
/// would run them one lane at a time), stride 1 along x: vectorized across output pixels instead of channels.
/// pose_landmark_heavy's segmentation head (256×256×8 → 1, 3×3) is one.
/// </summary>
internal static class Conv2DFewOutputChannels
{
    /// <summary>Most output channels this path takes (with 4 or more the packed GEMM vectorizes across channels).</summary>
    public const int MaxOutputDepth = 3;

    /// <summary>Most floats of the per-thread ring of planar input rows (on the stack).</summary>
    public const int MaxRingFloats = 16384;

    /// <summary>Most (ky, kx, ci) taps per output (the per-row tap lists live on the stack).</summary>
    public const int MaxTaps = 4096;

    /// <summary>Input rows one output row reads, first to last: the ring holds that many.</summary>
    public static int RingRows(ConvLayout g) => (g.FilterHeight - 1) * g.DilationH + 1;

    /// <summary>
    /// The floats per channel row of a ring with zero columns around each input row — PadLeft before it, and after it
    /// as many as the last output pixel's window reaches past it, rounded up to 16 — where it may be used, else null.
    /// Then every output pixel runs in the vector tiles, the taps on those columns as fma(+0, w, acc) where the reference
    /// skips them: with finite weights that changes acc only in the sign of a zero (a chain can hold −0, from a negative
    /// product that underflows, and +0 × w + −0 is +0), and adding a bias other than −0 makes both chains the same bits.
    /// So: every weight finite, a bias without −0, and the ring within <see cref="MaxRingFloats"/>.
    /// </summary>
    public static int? PaddedRowFloats(ConvLayout g, ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias)
    {
        int reach = (g.OutputWidth - 1) + (g.FilterWidth - 1) * g.DilationW + 1; // padded columns the row's windows span
        int rowFloats = (Math.Max(reach, g.PadLeft + g.InputWidth) + 15) & ~15;
        if ((long)RingRows(g) * rowFloats * g.InputDepth > MaxRingFloats || bias.IsEmpty) return null;
        foreach (float b in bias)
            if (BitConverter.SingleToInt32Bits(b) == int.MinValue) return null;
        foreach (float w in ohwi)
            if (!float.IsFinite(w)) return null;
        return rowFloats;
    }

    /// <summary>The width for this layout, or null where the path does not apply.</summary>
    public static GemmWidth? WidthFor(ConvLayout g)
    {
        if (g.OutputDepth > MaxOutputDepth || g.StrideW != 1) return null;
        if ((long)RingRows(g) * g.InputWidth * g.InputDepth > MaxRingFloats) return null;
        if ((long)g.FilterHeight * g.FilterWidth * g.InputDepth > MaxTaps) return null;
        var width = GemmWidths.Widest;
        if (width == GemmWidth.Scalar) return null;
        // At least one whole vector of interior pixels per row, or the row would be all border work.
        int interiorBegin = g.PadLeft;
        int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1) * g.DilationW;
        int interiorEnd = lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach + 1);
        return interiorEnd - interiorBegin >= (int)width ? width : null;
    }

    public static ICpuCompiledNode Compile(Tensor input, Tensor output, ConvLayout g, GemmWidth width, ReadOnlySpan<float> ohwi,
        ReadOnlySpan<float> bias, Conv2DCpuNode<GemmScalar, float> borders, float min, float max, bool clamp) => width switch
    {
        GemmWidth.W512 => new Conv2DFewOutputChannelsCpuNode<Gemm512, Vector512<float>>(input, output, g, ohwi, bias, borders,
            new(Vector512.Create(min), Vector512.Create(max), clamp)),
        GemmWidth.W256 => new Conv2DFewOutputChannelsCpuNode<Gemm256, Vector256<float>>(input, output, g, ohwi, bias, borders,
            new(Vector256.Create(min), Vector256.Create(max), clamp)),
        _ => new Conv2DFewOutputChannelsCpuNode<Gemm128, Vector128<float>>(input, output, g, ohwi, bias, borders,
            new(Vector128.Create(min), Vector128.Create(max), clamp)),
    };
}

/// <summary>
/// A compiled few-output-channel CONV_2D (<see cref="Conv2DFewOutputChannels"/>). Each thread copies the input rows
/// its output rows read, when first needed, into a ring of planar rows on its stack (one run of InputWidth floats per
/// input channel; AVX2 gathers 8 pixels of a channel at a time), so V consecutive output
/// pixels' values for one (ky, kx, ci) are one vector load. Each output's chain is the reference's: +0, one FMA per
/// in-bounds tap in (ky, kx, ci) order, then + bias, then the clamp; vectors of V pixels run 8 or 4 at a time, the last
/// vector of a row's interior overlapping the one before (recomputed with identical bits). Pixels where some kx falls
/// outside the input (the left and right borders) run in the same tiles over zero columns the ring keeps around each
/// row where that gives the same bits (<see cref="Conv2DFewOutputChannels.PaddedRowFloats"/>: finite weights, a bias
/// without −0); otherwise on the packed scalar GEMM node, which skips those taps exactly as the reference does.
/// Threads take whole output rows.
/// </summary>
internal sealed unsafe class Conv2DFewOutputChannelsCpuNode<TOps, TV> : ICpuCompiledNode, IConvWithClamp
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<Conv2DFewOutputChannelsCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in Conv2DFewOutputChannelsCpuNode<TOps, TV> kernel, int start, int end) =>
            kernel.RunRows(start, end);

    private readonly Tensor _input;
    private Tensor _output;                               // set again only by WithClamp, on a copy
    private readonly ConvLayout _g;
    private readonly PinnedFloats _weights;               // OHWI, as the filter
    private readonly PinnedFloats? _bias;
    private Conv2DCpuNode<GemmScalar, float> _borders;   // set again only by WithClamp, on a copy
    private GemmEpilogue<TV> _epilogue;                   // set again only by WithClamp, on a copy
    private readonly int _interiorBegin, _interiorEnd;
    // The ring's channel rows: _rowStride floats apart, input pixel ix at _rowOffset + ix. With zero columns around the
    // row (Conv2DFewOutputChannels.PaddedRowFloats), every output pixel runs in the vector tiles and _borders is not used.
    private readonly int _rowStride, _rowOffset;

    private float* _x, _y;

    public Conv2DFewOutputChannelsCpuNode(Tensor input, Tensor output, ConvLayout g, ReadOnlySpan<float> ohwi, ReadOnlySpan<float> bias,
        Conv2DCpuNode<GemmScalar, float> borders, GemmEpilogue<TV> epilogue)
    {
        _input = input;
        _output = output;
        _g = g;
        _borders = borders;
        _epilogue = epilogue;
        _weights = new PinnedFloats(ohwi.Length);
        ohwi.CopyTo(_weights.Span);
        if (!bias.IsEmpty)
        {
            _bias = new PinnedFloats(bias.Length);
            bias.CopyTo(_bias.Span);
        }
        if (Conv2DFewOutputChannels.PaddedRowFloats(g, ohwi, bias) is { } rowFloats)
        {
            (_interiorBegin, _interiorEnd, _rowStride, _rowOffset) = (0, g.OutputWidth, rowFloats, g.PadLeft);
        }
        else
        {
            _interiorBegin = Math.Min(g.OutputWidth, g.PadLeft);
            int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1) * g.DilationW;
            _interiorEnd = lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach + 1);
            (_rowStride, _rowOffset) = (g.InputWidth, 0);
        }
        if (_interiorEnd - _interiorBegin < TOps.Count)
            throw new ArgumentException($"{_interiorEnd - _interiorBegin} interior pixels per row, fewer than {TOps.Count} lanes");
    }

    public ICpuCompiledNode WithClamp(Tensor output, float min, float max)
    {
        var copy = (Conv2DFewOutputChannelsCpuNode<TOps, TV>)MemberwiseClone();
        copy._output = output;
        copy._epilogue = new(TOps.Splat(min), TOps.Splat(max), true);
        copy._borders = (Conv2DCpuNode<GemmScalar, float>)_borders.WithClamp(output, min, max);
        return copy;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        _borders.Bind();
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    /// <summary>
    /// Input row <paramref name="planarRow"/> (over batch × height) into <paramref name="destination"/>, planar (channel
    /// ci's run at ci · <see cref="_rowStride"/>): an exact copy.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void PlanarRow(int planarRow, float* destination)
    {
        PlanarTranspose.Row(_x + (nint)planarRow * _g.InputWidth * _g.InputDepth, _g.InputWidth, _g.InputDepth, destination, _rowStride);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        var g = _g;
        int taps = g.FilterHeight * g.FilterWidth;
        int* tapX = stackalloc int[taps];
        int* tapW = stackalloc int[taps];
        // A ring of planar input rows: input row iy (of batch b) in slot iy mod ringRows, copied when first needed; an
        // output row's rows span at most ringRows consecutive iy, so they never evict each other.
        int ringRows = Conv2DFewOutputChannels.RingRows(g);
        nint rowFloats = (nint)_rowStride * g.InputDepth;
        // 64-byte aligned, so a tile's loads at tap kx = 0 start on a cache line; cleared, so the columns a padded ring
        // keeps around each row are zeros (PlanarRow writes only the row itself).
        float* ringStorage = stackalloc float[(int)(ringRows * rowFloats) + 16];
        float* ring = (float*)(((nint)ringStorage + 63) & ~(nint)63);
        new Span<float>(ring, (int)(ringRows * rowFloats)).Clear();
        int* slotRow = stackalloc int[ringRows];
        int* tapOffsets = stackalloc int[g.FilterHeight * g.FilterWidth * g.InputDepth];
        int* tapWeights = stackalloc int[g.FilterHeight * g.FilterWidth * g.InputDepth];
        float* sums = stackalloc float[8 * TOps.Count];
        for (int i = 0; i < ringRows; i++) slotRow[i] = -1;
        for (int row = start; row < end; row++)
        {
            int b = row / g.OutputHeight, oy = row % g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int kyBegin = ConvLoops.FirstTap(iyOrigin, g.DilationH);
            int kyEnd = ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight);
            for (int ky = kyBegin; ky < kyEnd; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH, slot = iy % ringRows, planarRow = b * g.InputHeight + iy;
                if (slotRow[slot] == planarRow) continue;
                PlanarRow(planarRow, ring + slot * rowFloats + _rowOffset);
                slotRow[slot] = planarRow;
            }
            if (_interiorBegin > 0) _borders.Columns(row, 0, _interiorBegin, tapX, tapW);
            Interior(row, ring, ringRows, tapOffsets, tapWeights, sums);
            if (_interiorEnd < g.OutputWidth) _borders.Columns(row, _interiorEnd, g.OutputWidth, tapX, tapW);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void Interior(int row, float* ring, int ringRows, int* tapOffsets, int* tapWeights, float* sums)
    {
        int v = TOps.Count;
        int ox = _interiorBegin, end = _interiorEnd;
        // The row's in-bounds taps in (ky, kx, ci) order, once: each one's float offset in the ring from the first
        // pixel's column, and its weight's index for output channel 0 (one flat loop over them in the tiles).
        var g = _g;
        int iyOrigin = row % g.OutputHeight * g.StrideH - g.PadTop;
        int kyBegin = ConvLoops.FirstTap(iyOrigin, g.DilationH);
        int kyEnd = ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight);
        int taps = 0;
        for (int ky = kyBegin; ky < kyEnd; ky++)
        for (int kx = 0; kx < g.FilterWidth; kx++)
        for (int ci = 0; ci < g.InputDepth; ci++, taps++)
        {
            tapOffsets[taps] = ((iyOrigin + ky * g.DilationH) % ringRows * g.InputDepth + ci) * _rowStride + kx * g.DilationW;
            tapWeights[taps] = (ky * g.FilterWidth + kx) * g.InputDepth + ci;
        }
        var list = new TapList(tapOffsets, tapWeights, taps, sums);
        // 8 independent FMA chains fill the two FMA pipes (4-cycle latency) on 16-register-or-more machines; AVX2's 16
        // registers hold the 8 accumulators, the weight and a load.
        for (; ox + 8 * v <= end; ox += 8 * v) Tile8(row, ox, ring, list);
        if (ox == end) return;
        // The rest as one tile ending at the interior's end, overlapping pixels already done (recomputed with the
        // same bits): one 8-chain pass costs what one single-vector chain does (FMA latency, not throughput).
        if (end - _interiorBegin >= 8 * v)
        {
            Tile8(row, end - 8 * v, ring, list);
            return;
        }
        for (; ox + 4 * v <= end; ox += 4 * v) Tile4(row, ox, ring, list);
        if (ox == end) return;
        if (end - _interiorBegin >= 4 * v)
        {
            Tile4(row, end - 4 * v, ring, list);
            return;
        }
        for (; ox + v <= end; ox += v) Tile1(row, ox, ring, list);
        if (ox < end) Tile1(row, end - v, ring, list);
    }

    /// <summary>A row's in-bounds taps (<see cref="Interior"/>): ring offsets, weight indices for channel 0, count.</summary>
    private readonly struct TapList(int* offsets, int* weights, int count, float* sums)
    {
        public readonly int* Offsets = offsets, Weights = weights;
        public readonly int Count = count;
        public readonly float* Sums = sums; // 8 vectors: a tile's sums parked before their Finish
    }

    /// <summary>Output pixels ox .. ox + 8V − 1 of one row (all in the interior), every output channel.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Tile8(int row, int ox, float* ring, in TapList list)
    {
        var g = _g;
        int v = TOps.Count, taps = list.Count;
        int* offsets = list.Offsets;
        int* weights = list.Weights;
        float* origin = ring + (_rowOffset + ox - g.PadLeft);
        int filter = g.FilterHeight * g.FilterWidth * g.InputDepth;
        for (int co = 0; co < g.OutputDepth; co++)
        {
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero, a4 = TOps.Zero, a5 = TOps.Zero, a6 = TOps.Zero, a7 = TOps.Zero;
            float* w = _weights.Pointer + (nint)co * filter;
            for (int t = 0; t < taps; t++)
            {
                float* tap = origin + offsets[t];
                TV wv = TOps.Splat(w[weights[t]]);
                a0 = TOps.FusedMultiplyAdd(TOps.Load(tap), wv, a0);
                a1 = TOps.FusedMultiplyAdd(TOps.Load(tap + v), wv, a1);
                a2 = TOps.FusedMultiplyAdd(TOps.Load(tap + 2 * v), wv, a2);
                a3 = TOps.FusedMultiplyAdd(TOps.Load(tap + 3 * v), wv, a3);
                a4 = TOps.FusedMultiplyAdd(TOps.Load(tap + 4 * v), wv, a4);
                a5 = TOps.FusedMultiplyAdd(TOps.Load(tap + 5 * v), wv, a5);
                a6 = TOps.FusedMultiplyAdd(TOps.Load(tap + 6 * v), wv, a6);
                a7 = TOps.FusedMultiplyAdd(TOps.Load(tap + 7 * v), wv, a7);
            }
            // Parked first: Finish may call Scatter, and accumulators live across a call were spilled after every FMA.
            float* sums = list.Sums;
            TOps.Store(sums, a0);
            TOps.Store(sums + v, a1);
            TOps.Store(sums + 2 * v, a2);
            TOps.Store(sums + 3 * v, a3);
            TOps.Store(sums + 4 * v, a4);
            TOps.Store(sums + 5 * v, a5);
            TOps.Store(sums + 6 * v, a6);
            TOps.Store(sums + 7 * v, a7);
            float* y = _y + ((nint)row * g.OutputWidth + ox) * g.OutputDepth + co;
            for (int j = 0; j < 8; j++) Finish(y + j * v * g.OutputDepth, TOps.Load(sums + j * v), co);
        }
    }

    /// <summary>Output pixels ox .. ox + 4V − 1 of one row (all in the interior), every output channel.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Tile4(int row, int ox, float* ring, in TapList list)
    {
        var g = _g;
        int v = TOps.Count, taps = list.Count;
        int* offsets = list.Offsets;
        int* weights = list.Weights;
        float* origin = ring + (_rowOffset + ox - g.PadLeft);
        int filter = g.FilterHeight * g.FilterWidth * g.InputDepth;
        for (int co = 0; co < g.OutputDepth; co++)
        {
            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
            float* w = _weights.Pointer + (nint)co * filter;
            for (int t = 0; t < taps; t++)
            {
                float* tap = origin + offsets[t];
                TV wv = TOps.Splat(w[weights[t]]);
                a0 = TOps.FusedMultiplyAdd(TOps.Load(tap), wv, a0);
                a1 = TOps.FusedMultiplyAdd(TOps.Load(tap + v), wv, a1);
                a2 = TOps.FusedMultiplyAdd(TOps.Load(tap + 2 * v), wv, a2);
                a3 = TOps.FusedMultiplyAdd(TOps.Load(tap + 3 * v), wv, a3);
            }
            float* sums = list.Sums;
            TOps.Store(sums, a0);
            TOps.Store(sums + v, a1);
            TOps.Store(sums + 2 * v, a2);
            TOps.Store(sums + 3 * v, a3);
            float* y = _y + ((nint)row * g.OutputWidth + ox) * g.OutputDepth + co;
            for (int j = 0; j < 4; j++) Finish(y + j * v * g.OutputDepth, TOps.Load(sums + j * v), co);
        }
    }

    /// <summary>Output pixels ox .. ox + V − 1 of one row (all in the interior), every output channel.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Tile1(int row, int ox, float* ring, in TapList list)
    {
        var g = _g;
        int taps = list.Count;
        int* offsets = list.Offsets;
        int* weights = list.Weights;
        float* origin = ring + (_rowOffset + ox - g.PadLeft);
        int filter = g.FilterHeight * g.FilterWidth * g.InputDepth;
        for (int co = 0; co < g.OutputDepth; co++)
        {
            TV a0 = TOps.Zero;
            float* w = _weights.Pointer + (nint)co * filter;
            for (int t = 0; t < taps; t++) a0 = TOps.FusedMultiplyAdd(TOps.Load(origin + offsets[t]), TOps.Splat(w[weights[t]]), a0);
            Finish(_y + ((nint)row * g.OutputWidth + ox) * g.OutputDepth + co, a0, co);
        }
    }

    /// <summary>acc (+ bias) (clamped) for V consecutive pixels of channel <paramref name="co"/>, stored Cout floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish(float* y, TV acc, int co)
    {
        if (_bias is not null) acc = TOps.Add(acc, TOps.Splat(_bias.Pointer[co]));
        if (_epilogue.Clamp) acc = TOps.Clamp(acc, _epilogue.Min, _epilogue.Max);
        if (_g.OutputDepth == 1) TOps.Store(y, acc);
        else Scatter(y, acc, _g.OutputDepth);
    }

    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private static void Scatter(float* y, TV acc, int stride)
    {
        float* lanes = stackalloc float[TOps.Count];
        TOps.Store(lanes, acc);
        for (int i = 0; i < TOps.Count; i++) y[(nint)i * stride] = lanes[i];
    }
}
