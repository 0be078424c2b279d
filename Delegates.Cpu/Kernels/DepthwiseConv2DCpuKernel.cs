using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// DEPTHWISE_CONV_2D on the CPU delegate (float32, constant [1,KH,KW,Cout] filter, optional constant bias, any depth
/// multiplier, any clamp activation). Bit-exact with <see cref="DepthwiseConv2DKernel"/>: each output is the same FMA
/// chain over (ky, kx) skipping out-of-bounds taps, then + bias, then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DCpuKernel : CpuKernel<DepthwiseConv2DParams>, IFusesLeadingPad
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthwiseConv2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, DepthwiseConv2DParams p)
    {
        if (p.Hybrid is not null && node.Outputs[0].Dim(3) > Quantized.QuantizedConv.MaxDepthwiseChannels)
            return NodeSupport.Refuse($"the hybrid kernel keeps one pixel's {node.Outputs[0].Dim(3)} channel sums on the stack; at most {Quantized.QuantizedConv.MaxDepthwiseChannels}");
        var filter = node.Inputs[1]!;
        return (ConvLoops.Refusal(node, filter, "filter", node.Inputs.Count > 2 ? node.Inputs[2] : null, (long)filter.Dim(1) * filter.Dim(2))
                ?? (p.Quantized is not null && filter.Dim(3) > Quantized.QuantizedConv.MaxDepthwiseChannels
                    ? $"the integer kernel keeps one pixel's {filter.Dim(3)} channel sums on the stack; at most {Quantized.QuantizedConv.MaxDepthwiseChannels}"
                    : null)
                ?? (p.Int16 is not null ? Quantized.Int16DepthwiseCpuNode.Refusal(ConvLayout.Of(node.Inputs[0]!, filter, node.Outputs[0], p.Geometry)) : null)) is { } reason
            ? NodeSupport.Refuse(reason)
            : NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, DepthwiseConv2DParams p)
    {
        if (p.Hybrid is { } hybrid) return Hybrid.HybridDepthwiseConv2D.Compile(node, p, hybrid);
        if (p.Quantized is { } quantized) return Quantized.QuantizedConv.CompileDepthwise(node, p, quantized);
        var input = node.Inputs[0]!;
        if (p.Int16 is { } int16)
            return new Quantized.Int16DepthwiseCpuNode(input, node.Inputs[1]!, node.Inputs.Count > 2 ? node.Inputs[2] : null, node.Outputs[0],
                ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry), p.DepthMultiplier, int16);
        return CompileFloat(node, p, input, ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry));
    }

    /// <inheritdoc/>
    public ICpuCompiledNode? CompileWithLeadingPad(DelegateNode node, Tensor input, int padTop, int padLeft, PackedWeightMemory? memory)
    {
        var p = node.ParamsAs<DepthwiseConv2DParams>();
        if (p.Hybrid is not null || p.Quantized is not null || p.Int16 is not null) return null;
        var g = ConvLayout.Of(input, node.Inputs[1]!, node.Outputs[0], p.Geometry);
        return CompileFloat(node, p, input, g with { PadTop = g.PadTop + padTop, PadLeft = g.PadLeft + padLeft });
    }

    /// <summary>The float32 node reading <paramref name="input"/> with <paramref name="geometry"/> (the node's own, or a fused PAD's).</summary>
    private static ICpuCompiledNode CompileFloat(DelegateNode node, DepthwiseConv2DParams p, Tensor input, ConvLayout geometry)
    {
        var filter = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var output = node.Outputs[0];
        float min = p.Activation.Min, max = p.Activation.Max;
        bool clamp = !VectorClamp.IsIdentityRange(p.Activation);
        var width = GemmWidths.ForMatrixProduct(geometry.OutputDepth);

        // The filter is already tap-major with channels contiguous; keep a pinned copy so Run holds a raw pointer.
        var weights = new PinnedFloats(filter.Read<float>().Length);
        filter.Read<float>().CopyTo(weights.Span);
        PinnedFloats? packedBias = null;
        if (bias is not null)
        {
            packedBias = new PinnedFloats(geometry.OutputDepth);
            bias.Read<float>().CopyTo(packedBias.Span);
        }
        return width switch
        {
            GemmWidth.W512 => new DepthwiseConv2DCpuNode<Gemm512, Vector512<float>>(input, output, geometry, p.DepthMultiplier, weights, packedBias,
                new(Vector512.Create(min), Vector512.Create(max), clamp)),
            GemmWidth.W256 => new DepthwiseConv2DCpuNode<Gemm256, Vector256<float>>(input, output, geometry, p.DepthMultiplier, weights, packedBias,
                new(Vector256.Create(min), Vector256.Create(max), clamp)),
            GemmWidth.W128 => new DepthwiseConv2DCpuNode<Gemm128, Vector128<float>>(input, output, geometry, p.DepthMultiplier, weights, packedBias,
                new(Vector128.Create(min), Vector128.Create(max), clamp)),
            _ => new DepthwiseConv2DCpuNode<GemmScalar, float>(input, output, geometry, p.DepthMultiplier, weights, packedBias, new(min, max, clamp)),
        };
    }
}

/// <summary>
/// A compiled DEPTHWISE_CONV_2D, vectorized across output channels: vectors start at 0, V, 2V, … and, when V does
/// not divide Cout, one more at Cout − V, which overlaps the previous one. The overlapping lanes are computed twice by
/// identical chains and written twice with identical bits, so no load or store ever leaves the tensors and no lane is
/// padding. With a 3×3 or 5×5 filter of stride 1 or 2 (multiplier 1, no horizontal dilation), rows at least 8 pixels
/// wide run wholly through the 8-pixel row kernels (border groups skip the outside columns; with 24 channels, 3×3 and
/// stride 1 on Vector512 interior groups take pixel pairs as 3 full vectors, and with 8 channels on a machine with
/// Vector512 interior 16-pixel groups take pixel pairs as 8 full vectors, <see cref="DepthwisePairKernels"/>; other channel
/// counts, and 8 channels, with 3×3 and stride 1 on AVX-512 take two rows whose windows lie inside the input in one
/// pass, each input row loaded once for both, <see cref="RowPairInGroups"/>); other rows split into runs
/// of pixels with the same in-bounds taps, as in CONV_2D; 4 pixels × 2 vectors are register-blocked. With a depth multiplier above 1, lane oc reads input channel oc / multiplier through a small gather.
/// </summary>
internal sealed unsafe class DepthwiseConv2DCpuNode<TOps, TV> : ICpuCompiledNode
    where TOps : struct, IGemmVector<TV>
    where TV : unmanaged
{
    private const int TilePixels = 4;

    private static readonly CpuThreadPool.ChunkAction<DepthwiseConv2DCpuNode<TOps, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in DepthwiseConv2DCpuNode<TOps, TV> kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly PinnedFloats _weights; // owns the pinned buffers _w and _b point into
    private readonly PinnedFloats? _bias;
    private readonly float* _w, _b;
    private readonly GemmEpilogue<TV> _epilogue;
    private readonly int[] _vectorStarts; // pinned
    private readonly int* _starts;
    private readonly bool _rowKernel;
    private readonly int _blockVectors; // row kernels: channel vectors per block (a band's rows run block by block)
    private readonly int _blocks;        // row kernels: channel blocks
    private readonly bool _rowItems;     // the row kernels run: the pool splits (band, block, row) items (RunRows)
    private readonly int _multiplier;
    private readonly PinnedFloats? _gatherIndex; // lane oc → input channel, as floats' bit patterns (multiplier > 1 only)
    private readonly bool _rows2;                 // row kernels: pairs of full-window rows in one pass (RowPairInGroups)
    private readonly int _pairChannels;           // 24 or 8 where interior groups take pixel pairs (DepthwisePairKernels), else 0
    private readonly PinnedFloats? _pairWeights;  // 3×3, stride 1: [ky][kx][2 × channels] (DepthwisePairKernels)
    private readonly PinnedFloats? _pairBias;     // [2 × channels]
    private readonly GemmEpilogue<Vector512<float>> _pairEpilogue; // the node's clamp at 16 lanes

    private float* _x, _y;
    private int _bands; // row kernels: bands of rows, one per thread (set by Run)

    public DepthwiseConv2DCpuNode(Tensor input, Tensor output, ConvLayout geometry, int multiplier, PinnedFloats weights, PinnedFloats? bias,
        GemmEpilogue<TV> epilogue)
    {
        _input = input;
        _output = output;
        _g = geometry;
        _weights = weights;
        _bias = bias;
        _w = weights.Pointer;
        _b = bias is null ? null : bias.Pointer;
        _epilogue = epilogue;
        int v = TOps.Count, depth = geometry.OutputDepth;
        var starts = new List<int>();
        for (int c = 0; c + v <= depth; c += v) starts.Add(c);
        if (depth % v != 0) starts.Add(depth - v);
        _vectorStarts = GC.AllocateArray<int>(starts.Count, pinned: true);
        starts.CopyTo(_vectorStarts);
        _starts = (int*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_vectorStarts));
        _multiplier = multiplier;
        if (_multiplier > 1)
        {
            _gatherIndex = new PinnedFloats(depth);
            var index = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(_gatherIndex.Span);
            for (int oc = 0; oc < depth; oc++) index[oc] = oc / _multiplier;
        }
        _rowKernel = _multiplier == 1 && geometry.DilationW == 1
            && DepthwiseRowKernels<TOps, TV>.Supports(geometry.FilterWidth, geometry.StrideW);
        _blockVectors = BlockVectors(geometry, v, starts.Count);
        _blocks = (starts.Count + _blockVectors - 1) / _blockVectors;
        _rowItems = _rowKernel && geometry.OutputWidth >= DepthwiseRowKernels<TOps, TV>.Pixels;
        // 24 channels on Vector512; 8 channels (an 8-lane node) wherever Vector512 runs: a pair fills one vector.
        if (_rowKernel && geometry.FilterWidth == 3 && geometry.StrideW == 1
            && (typeof(TV) == typeof(Vector512<float>) && depth == DepthwisePairKernels.Channels
                || depth == DepthwisePairKernels.Channels8 && _rowItems && GemmWidths.Widest == GemmWidth.W512 && Vector512.IsHardwareAccelerated))
        {
            _pairChannels = depth;
            int pair = 2 * depth;
            _pairWeights = new PinnedFloats(geometry.FilterHeight * 3 * pair);
            for (int tap = 0; tap < geometry.FilterHeight * 3; tap++)
                for (int i = 0; i < pair; i++)
                    _pairWeights.Span[tap * pair + i] = weights.Span[tap * depth + DepthwisePairKernels.Channel(i, depth)];
            if (bias is not null)
            {
                _pairBias = new PinnedFloats(pair);
                for (int i = 0; i < pair; i++) _pairBias.Span[i] = bias.Span[DepthwisePairKernels.Channel(i, depth)];
            }
            TV min = epilogue.Min, max = epilogue.Max; // splats
            _pairEpilogue = new(Vector512.Create(Unsafe.As<TV, float>(ref min)), Vector512.Create(Unsafe.As<TV, float>(ref max)), epilogue.Clamp);
        }
        _rows2 = _rowItems && _pairChannels != DepthwisePairKernels.Channels && geometry.StrideW == 1 && geometry.StrideH == 1 && geometry.DilationH == 1
            && geometry.FilterHeight == geometry.FilterWidth && DepthwiseRowKernels<TOps, TV>.SupportsRows2(geometry.FilterWidth, 1);
    }

    /// <summary>Budget in bytes for one channel block's input rows (the filter's rows × the input width), half of L1.</summary>
    internal const int BlockBytes = 24 * 1024;

    /// <summary>Above this many bytes of input rows per output row (all channels), a row's loads no longer stay in L1.</summary>
    internal const int BandBytesInL1 = 48 * 1024;

    /// <summary>Blocks only for inputs up to this size (per image): larger ones ran slower blocked (measured, Zen 5).</summary>
    internal const int BlockedInputBytes = 1792 * 1024;

    /// <summary>
    /// Channel vectors per block for the row kernels. Where the filter's input rows over all channels overflow L1
    /// (<see cref="BandBytesInL1"/>) and the image is small enough (<see cref="BlockedInputBytes"/>), as many vectors
    /// as keep a block's input rows within <see cref="BlockBytes"/> (at least one; an even number where two vectors run
    /// per pass), so each input line is read from L2 once and reused from L1 by the next output rows instead of being
    /// evicted by the other channels; otherwise all vectors (one block). Only the order in which whole output vectors
    /// are computed changes, never a chain.
    /// </summary>
    internal static int BlockVectors(ConvLayout g, int lanes, int vectors)
    {
        long rows = (long)(g.FilterHeight - 1) * g.DilationH + 1;
        long bandAll = rows * g.InputWidth * g.InputDepth * sizeof(float);
        long image = (long)g.InputHeight * g.InputWidth * g.InputDepth * sizeof(float);
        if (bandAll <= BandBytesInL1 || image > BlockedInputBytes) return vectors;
        long band = rows * g.InputWidth * lanes * sizeof(float);
        int block = (int)Math.Clamp(BlockBytes / Math.Max(band, 1), 1, vectors);
        return block > 1 && block < vectors ? block & ~1 : block;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = ConvLoops.Pointer(_input.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        int rows = _g.Batches * _g.OutputHeight;
        _bands = BandsFor(pool.ThreadCount);
        pool.For(_rowItems ? _blocks * rows : rows, this, RunChunk);
    }

    /// <summary>
    /// The bands of rows the row kernels' items split into at <paramref name="threads"/> threads: one per thread, or
    /// one in all — then the threads split the channel blocks — where a band's input rows would be no more than twice the
    /// rows its window reaches past them (a 5×5 filter on 8 or 16 rows at 2 threads: each band reads 1.5 to 2 times its
    /// own rows, those past its edge written by the other thread's share of the convolution before) and there are at
    /// least two blocks per thread. In pose_landmark_heavy at 2 threads the 5×5 layers on 16×16×960 and 8×8×1632 took
    /// 10–17 % less time split by channels (whose 1×1 convolutions before them, filters larger than their inputs, split
    /// by channels too); the 3×3 ones on 16 rows and the 5×5 ones on 32 took longer, and keep their bands. Only which
    /// thread computes an output changes, never its chain.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    internal int BandsFor(int threads)
    {
        int rows = _g.Batches * _g.OutputHeight;
        int bands = Math.Min(rows, threads);
        if (bands <= 1 || !_rowItems) return bands;
        int reach = (_g.FilterHeight - 1) * _g.DilationH;
        return rows / bands * _g.StrideH <= 2 * reach && _blocks >= 2 * threads ? 1 : bands;
    }

    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        var g = _g;
        int* tapX = stackalloc int[g.FilterHeight * g.FilterWidth];
        int* tapW = stackalloc int[g.FilterHeight * g.FilterWidth];
        float* gathered = stackalloc float[TOps.Count];
        nint xStride = (nint)g.StrideW * g.InputDepth;
        var (interiorBegin, interiorEnd) = InteriorColumns();
        if (_rowItems)
        {
            // Items are (band, channel block, row): the rows split into one band per thread (its share of the pool's
            // split, so it reads the rows a row-split producer wrote on the same core), and within a band channel
            // block by channel block, so a block's input rows stay in L1 while the band's output rows reuse them. A
            // sub-chunk then covers blocks of a whole band: each input line is read once per block and band, not once
            // per few-row chunk (at 2 threads a 16-row 5×5 layer read 3 input rows per output row).
            int rows = g.Batches * g.OutputHeight, vectors = _vectorStarts.Length, bands = _bands;
            for (int item = start; item < end;)
            {
                // The band holding item: bands split the rows evenly; band b's items are [blocks × its first row, …).
                int band = 0;
                while (band + 1 < bands && item >= _blocks * (int)((long)rows * (band + 1) / bands)) band++;
                int bandBegin = (int)((long)rows * band / bands), bandRows = (int)((long)rows * (band + 1) / bands) - bandBegin;
                int local = item - _blocks * bandBegin;
                int block = local / bandRows, row = bandBegin + local % bandRows;
                int rowEnd = Math.Min(bandBegin + bandRows, row + (end - item));
                int first = block * _blockVectors, count = Math.Min(_blockVectors, vectors - first);
                for (; row < rowEnd; row++, item++)
                {
                    var w = Window(row);
                    // Two rows whose windows both lie inside the input vertically, in one pass (RowPairInGroups).
                    if (_rows2 && row + 1 < rowEnd && w.KyBegin == 0 && w.KyEnd == g.FilterHeight && (row + 1) % g.OutputHeight != 0
                        && Window(row + 1).KyEnd == g.FilterHeight)
                    {
                        RowPairInGroups(w.XBatch, w.IyOrigin, w.YRow, _starts + first, count, count == vectors);
                        row++;
                        item++;
                        continue;
                    }
                    RowInGroups(w.XBatch, w.IyOrigin, w.KyBegin, w.KyEnd, w.YRow, _starts + first, count, count == vectors);
                }
            }
            return;
        }
        if (_multiplier == 1 && g.OutputWidth < DepthwiseRowKernels<TOps, TV>.Pixels && g.OutputWidth * g.FilterHeight * g.FilterWidth <= MaxNarrowRowTaps)
        {
            RunNarrowRows(start, end);
            return;
        }
        for (int row = start; row < end; row++)
        {
            var window = Window(row);
            int iyOrigin = window.IyOrigin, kyBegin = window.KyBegin, kyEnd = window.KyEnd;
            float* xBatch = window.XBatch, yRow = window.YRow;
            int ox = 0;
            while (ox < g.OutputWidth)
            {
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                int taps = TapRun(ox, window, interiorBegin, interiorEnd, tapX, tapW, out int run, out bool wholeWidth);
                float* y = yRow + (nint)ox * g.OutputDepth;
                if (_rowKernel && wholeWidth && run >= DepthwiseRowKernels<TOps, TV>.Pixels)
                {
                    // Interior: column-reusing kernels on groups of 8 pixels, the rest through the tap-list tiles.
                    int grouped = run / DepthwiseRowKernels<TOps, TV>.Pixels * DepthwiseRowKernels<TOps, TV>.Pixels;
                    float* xOrigin = xBatch + ((nint)iyOrigin * g.InputWidth + ixOrigin) * g.InputDepth;
                    nint rowStride = (nint)g.DilationH * g.InputWidth * g.InputDepth;
                    for (int p = 0; p < grouped; p += DepthwiseRowKernels<TOps, TV>.Pixels)
                        DepthwiseRowKernels<TOps, TV>.Run(g.FilterWidth, g.StrideW, xOrigin + p * xStride, g.InputDepth, rowStride,
                            kyBegin, kyEnd, _w, g.OutputDepth, _b, _epilogue, y + (nint)p * g.OutputDepth, g.OutputDepth,
                            _starts, _vectorStarts.Length);
                    if (grouped < run)
                        Pixels(xBatch + grouped * xStride, xStride, tapX, tapW, taps, y + (nint)grouped * g.OutputDepth, run - grouped, 0, _vectorStarts.Length);
                }
                else if (_multiplier == 1) Pixels(xBatch, xStride, tapX, tapW, taps, y, run, 0, _vectorStarts.Length);
                else PixelsWithMultiplier(xBatch, xStride, tapX, tapW, taps, y, run, gathered);
                ox += run;
            }
        }
    }

    /// <summary>The output columns [begin, end) whose filter window lies inside the input horizontally.</summary>
    [MethodImpl(JitHints.Hot)]
    private (int Begin, int End) InteriorColumns()
    {
        var g = _g;
        int begin = Math.Min(g.OutputWidth, (g.PadLeft + g.StrideW - 1) / g.StrideW);
        int lastReach = g.InputWidth - 1 + g.PadLeft - (g.FilterWidth - 1) * g.DilationW;
        return (begin, lastReach < 0 ? 0 : Math.Min(g.OutputWidth, lastReach / g.StrideW + 1));
    }

    /// <summary>Output row <paramref name="row"/> (batch-major): its input origin, filter rows inside the input, batch input and output row.</summary>
    [MethodImpl(JitHints.Hot)]
    private RowWindow Window(int row)
    {
        var g = _g;
        int b = row / g.OutputHeight, oy = row % g.OutputHeight, iyOrigin = oy * g.StrideH - g.PadTop;
        return new RowWindow(iyOrigin, ConvLoops.FirstTap(iyOrigin, g.DilationH), ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight),
            _x + (nint)b * g.InputHeight * g.InputWidth * g.InputDepth, _y + (nint)row * g.OutputWidth * g.OutputDepth);
    }

    private readonly struct RowWindow(int iyOrigin, int kyBegin, int kyEnd, float* xBatch, float* yRow)
    {
        public readonly int IyOrigin = iyOrigin, KyBegin = kyBegin, KyEnd = kyEnd;
        public readonly float* XBatch = xBatch, YRow = yRow;
    }

    /// <summary>
    /// The pixels from <paramref name="ox"/> that share one tap list — the rest of the interior run, or one border pixel
    /// (<paramref name="run"/>) — and that list: each in-bounds tap's input offset from the batch's first pixel and its
    /// weights' offset, in (ky, kx) order; the count is returned. <paramref name="wholeWidth"/>: every filter column is in.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private int TapRun(int ox, in RowWindow window, int interiorBegin, int interiorEnd, int* tapX, int* tapW, out int run, out bool wholeWidth)
    {
        var g = _g;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        bool interior = ox >= interiorBegin && ox < interiorEnd;
        run = interior ? interiorEnd - ox : 1;
        int kxBegin = interior ? 0 : ConvLoops.FirstTap(ixOrigin, g.DilationW);
        int kxEnd = interior ? g.FilterWidth : ConvLoops.EndTap(ixOrigin, g.DilationW, g.InputWidth, g.FilterWidth);
        wholeWidth = kxBegin == 0 && kxEnd == g.FilterWidth;
        int taps = 0;
        for (int ky = window.KyBegin; ky < window.KyEnd; ky++)
        for (int kx = kxBegin; kx < kxEnd; kx++, taps++)
        {
            tapX[taps] = ((window.IyOrigin + ky * g.DilationH) * g.InputWidth + ixOrigin + kx * g.DilationW) * g.InputDepth;
            tapW[taps] = (ky * g.FilterWidth + kx) * g.OutputDepth;
        }
        return taps;
    }

    /// <summary>Most tap-list entries (output width × filter taps) <see cref="RunNarrowRows"/> keeps on the stack.</summary>
    private const int MaxNarrowRowTaps = 2048;

    /// <summary>
    /// Rows narrower than the row kernels' <see cref="DepthwiseRowKernels{TOps, TV}.Pixels"/> (7×7 maps of a landmark
    /// model's last stage), depth multiplier 1: each row's pixels are described once (a tap list per border pixel and
    /// one for the interior run), then computed <see cref="_blockVectors"/> channel vectors at a time (rounded down to a multiple of 4, at least 4), so that a block's
    /// input rows and weights stay in L1 across the row's pixels; pixel by pixel over all channels, every pixel streamed
    /// all its taps' channels from L2 (5×5 over 1152 channels: ~230 KB a pixel). Each output's chain is unchanged.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunNarrowRows(int start, int end)
    {
        var g = _g;
        int width = g.OutputWidth, filterTaps = g.FilterHeight * g.FilterWidth, vectors = _vectorStarts.Length;
        int block = Math.Max(4, _blockVectors & ~3); // whole Tile1x4 groups: a lone Tile1x1 chain waits on the FMA latency
        int* tapX = stackalloc int[width * filterTaps];
        int* tapW = stackalloc int[width * filterTaps];
        int* segmentPixel = stackalloc int[width];
        int* segmentRun = stackalloc int[width];
        int* segmentTaps = stackalloc int[width];
        nint xStride = (nint)g.StrideW * g.InputDepth;
        var (interiorBegin, interiorEnd) = InteriorColumns();
        for (int row = start; row < end; row++)
        {
            var window = Window(row);
            float* xBatch = window.XBatch, yRow = window.YRow;
            int segments = 0, used = 0;
            for (int ox = 0; ox < width; segments++)
            {
                int taps = TapRun(ox, window, interiorBegin, interiorEnd, tapX + used, tapW + used, out int run, out _);
                (segmentPixel[segments], segmentRun[segments], segmentTaps[segments]) = (ox, run, taps);
                used += taps;
                ox += run;
            }
            for (int first = 0; first < vectors; first += block)
            {
                int last = Math.Min(vectors, first + block);
                for (int s = 0, offset = 0; s < segments; offset += segmentTaps[s], s++)
                    Pixels(xBatch, xStride, tapX + offset, tapW + offset, segmentTaps[s], yRow + (nint)segmentPixel[s] * g.OutputDepth, segmentRun[s],
                        first, last);
            }
        }
    }

    /// <summary>
    /// One output row (at least 8 pixels wide) entirely through the 8-pixel row kernels: groups at 0, 8, 16, … and, when
    /// 8 does not divide the width, one more ending at the last pixel, which recomputes up to 7 pixels of the previous
    /// group by identical chains (same bits written twice; the output never overlaps the input). A group whose input
    /// columns leave the row at either border runs the edge kernel, which skips the outside columns' FMA steps. With 8
    /// channels on pixel pairs, 16-pixel groups wholly inside the row run first, the others as 8-pixel groups.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RowInGroups(float* xBatch, int iyOrigin, int kyBegin, int kyEnd, float* yRow, int* starts, int vectors, bool allVectors)
    {
        var g = _g;
        const int pixels = DepthwiseRowKernels<TOps, TV>.Pixels;
        nint rowStride = (nint)g.DilationH * g.InputWidth * g.InputDepth;
        int last = g.OutputWidth - pixels;
        int ox = 0;
        if (_pairChannels == DepthwisePairKernels.Channels8 && allVectors)
        {
            const int pairPixels = DepthwisePairKernels.Pixels8, channels = DepthwisePairKernels.Channels8;
            for (; ox + pairPixels <= g.OutputWidth; ox += pairPixels)
            {
                int ixOrigin = ox - g.PadLeft; // stride 1, no dilation: 16 outputs read 18 input columns
                if (ixOrigin >= 0 && ixOrigin + pairPixels + 2 <= g.InputWidth)
                    DepthwisePairKernels.K3S1Channels8(xBatch + ((nint)iyOrigin * g.InputWidth + ixOrigin) * channels, rowStride, kyBegin, kyEnd,
                        _pairWeights!.Pointer, _pairBias is null ? null : _pairBias.Pointer, _pairEpilogue, yRow + (nint)ox * channels);
                else
                {
                    Group(ox, xBatch, iyOrigin, kyBegin, kyEnd, yRow, rowStride, starts, vectors, allVectors);
                    Group(ox + pixels, xBatch, iyOrigin, kyBegin, kyEnd, yRow, rowStride, starts, vectors, allVectors);
                }
            }
            if (ox == g.OutputWidth) return;
        }
        for (; ; ox += pixels)
        {
            if (ox > last) ox = last;
            Group(ox, xBatch, iyOrigin, kyBegin, kyEnd, yRow, rowStride, starts, vectors, allVectors);
            if (ox == last) break;
        }
    }

    /// <summary>
    /// Output rows <paramref name="yRow"/> and the next, both with every filter row inside the input (stride 1, no
    /// dilation), in groups as <see cref="RowInGroups"/> (8 channels on Vector512: 16-pixel pair groups first), every
    /// group through the two-row kernels, which load each of the K + 1 input rows once for both output rows (at a border,
    /// only the columns inside the input).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RowPairInGroups(float* xBatch, int iyOrigin, float* yRow, int* starts, int vectors, bool allVectors)
    {
        var g = _g;
        const int pixels = DepthwiseRowKernels<TOps, TV>.Pixels;
        nint rowStride = (nint)g.InputWidth * g.InputDepth, yRowStride = (nint)g.OutputWidth * g.OutputDepth;
        int columns = DepthwiseRowKernels<TOps, TV>.Columns(g.FilterWidth, 1);
        int last = g.OutputWidth - pixels;
        int ox = 0;
        if (_pairChannels == DepthwisePairKernels.Channels8 && allVectors)
        {
            const int pairPixels = DepthwisePairKernels.Pixels8, channels = DepthwisePairKernels.Channels8;
            for (; ox + pairPixels <= g.OutputWidth; ox += pairPixels)
            {
                int ixOrigin = ox - g.PadLeft; // 16 outputs read 18 input columns
                if (ixOrigin >= 0 && ixOrigin + pairPixels + 2 <= g.InputWidth)
                    DepthwisePairKernels.K3S1Channels8Rows2(xBatch + ((nint)iyOrigin * g.InputWidth + ixOrigin) * channels, rowStride,
                        _pairWeights!.Pointer, _pairBias is null ? null : _pairBias.Pointer, _pairEpilogue, yRow + (nint)ox * channels, yRowStride);
                else
                {
                    GroupRows2(ox, xBatch, iyOrigin, yRow, rowStride, yRowStride, columns, starts, vectors);
                    GroupRows2(ox + pixels, xBatch, iyOrigin, yRow, rowStride, yRowStride, columns, starts, vectors);
                }
            }
            if (ox == g.OutputWidth) return;
        }
        for (; ; ox += pixels)
        {
            if (ox > last) ox = last;
            GroupRows2(ox, xBatch, iyOrigin, yRow, rowStride, yRowStride, columns, starts, vectors);
            if (ox == last) break;
        }
    }

    /// <summary>
    /// The 8 output pixels from <paramref name="ox"/> of two rows (<see cref="RowPairInGroups"/>): the two-row kernel, or
    /// at a border its edge form, which skips the outside columns' FMA steps as <see cref="Group"/>'s edge kernel does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void GroupRows2(int ox, float* xBatch, int iyOrigin, float* yRow, nint rowStride, nint yRowStride, int columns, int* starts, int vectors)
    {
        var g = _g;
        int ixOrigin = ox - g.PadLeft;
        float* x = xBatch + ((nint)iyOrigin * g.InputWidth + ixOrigin) * g.InputDepth;
        float* y = yRow + (nint)ox * g.OutputDepth;
        int jBegin = Math.Max(0, -ixOrigin), jEnd = Math.Min(columns, g.InputWidth - ixOrigin);
        if (jBegin == 0 && jEnd == columns)
            DepthwiseRowKernels<TOps, TV>.RunRows2(g.FilterWidth, x, g.InputDepth, rowStride, _w, g.OutputDepth, _b, _epilogue, y, g.OutputDepth,
                yRowStride, starts, vectors);
        else
        {
            int valid = jEnd <= jBegin ? 0 : ((1 << jEnd) - 1) & ~((1 << jBegin) - 1);
            DepthwiseRowKernels<TOps, TV>.RunEdgeRows2(g.FilterWidth, valid, x, g.InputDepth, rowStride, _w, g.OutputDepth, _b, _epilogue, y,
                g.OutputDepth, yRowStride, starts, vectors);
        }
    }

    /// <summary>The 8 output pixels from <paramref name="ox"/> of one row (<see cref="RowInGroups"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Group(int ox, float* xBatch, int iyOrigin, int kyBegin, int kyEnd, float* yRow, nint rowStride, int* starts, int vectors, bool allVectors)
    {
        var g = _g;
        int columns = DepthwiseRowKernels<TOps, TV>.Columns(g.FilterWidth, g.StrideW);
        nint col = g.InputDepth;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        float* x = xBatch + ((nint)iyOrigin * g.InputWidth + ixOrigin) * g.InputDepth;
        float* y = yRow + (nint)ox * g.OutputDepth;
        int jBegin = Math.Max(0, -ixOrigin), jEnd = Math.Min(columns, g.InputWidth - ixOrigin);
        if (jBegin == 0 && jEnd == columns && _pairChannels == DepthwisePairKernels.Channels && allVectors)
            DepthwisePairKernels.K3S1(x, rowStride, kyBegin, kyEnd, _pairWeights!.Pointer, _pairBias is null ? null : _pairBias.Pointer,
                _pairEpilogue, y);
        else if (jBegin == 0 && jEnd == columns)
            DepthwiseRowKernels<TOps, TV>.Run(g.FilterWidth, g.StrideW, x, col, rowStride, kyBegin, kyEnd, _w, g.OutputDepth, _b,
                _epilogue, y, g.OutputDepth, starts, vectors);
        else
        {
            int valid = jEnd <= jBegin ? 0 : ((1 << jEnd) - 1) & ~((1 << jBegin) - 1);
            DepthwiseRowKernels<TOps, TV>.RunEdge(g.FilterWidth, g.StrideW, valid, x, col, rowStride, kyBegin, kyEnd, _w, g.OutputDepth,
                _b, _epilogue, y, g.OutputDepth, starts, vectors);
        }
    }

    /// <summary>Multiplier 1: output channel c reads input channel c, so input vectors load straight from the pixel (channel vectors [firstVector, endVector)).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Pixels(float* x, nint xStride, int* tapX, int* tapW, int taps, float* y, int count, int firstVector, int endVector)
    {
        int depth = _g.OutputDepth;
        int* starts = _starts;
        for (int p = 0; p < count;)
        {
            int pixels = count - p >= TilePixels ? TilePixels : 1;
            float* xp = x + p * xStride;
            float* yp = y + (nint)p * depth;
            int i = firstVector;
            if (pixels == TilePixels)
            {
                for (; i + 1 < endVector; i += 2) Tile4x2(xp, xStride, tapX, tapW, taps, starts[i], starts[i + 1], yp, depth);
                if (i < endVector) Tile4x1(xp, xStride, tapX, tapW, taps, starts[i], yp, depth);
            }
            else
            {
                // One pixel: four channel vectors per tap step, so four independent FMA chains hide the FMA latency
                // that a lone chain per vector waits on (rows narrower than a tile, border pixels).
                for (; i + 3 < endVector; i += 4) Tile1x4(xp, tapX, tapW, taps, starts + i, yp);
                for (; i < endVector; i++) Tile1x1(xp, tapX, tapW, taps, starts[i], yp);
            }
            p += pixels;
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void Tile4x2(float* x, nint xStride, int* tapX, int* tapW, int taps, int c0, int c1, float* y, nint yStride)
    {
        TV a00 = TOps.Zero, a01 = TOps.Zero, a10 = TOps.Zero, a11 = TOps.Zero;
        TV a20 = TOps.Zero, a21 = TOps.Zero, a30 = TOps.Zero, a31 = TOps.Zero;
        float* w = _w;
        for (int t = 0; t < taps; t++)
        {
            float* wt = w + tapW[t];
            TV w0 = TOps.Load(wt + c0);
            TV w1 = TOps.Load(wt + c1);
            float* x0 = x + tapX[t];
            float* x1 = x0 + xStride;
            float* x2 = x1 + xStride;
            float* x3 = x2 + xStride;
            a00 = TOps.FusedMultiplyAdd(TOps.Load(x0 + c0), w0, a00);
            a01 = TOps.FusedMultiplyAdd(TOps.Load(x0 + c1), w1, a01);
            a10 = TOps.FusedMultiplyAdd(TOps.Load(x1 + c0), w0, a10);
            a11 = TOps.FusedMultiplyAdd(TOps.Load(x1 + c1), w1, a11);
            a20 = TOps.FusedMultiplyAdd(TOps.Load(x2 + c0), w0, a20);
            a21 = TOps.FusedMultiplyAdd(TOps.Load(x2 + c1), w1, a21);
            a30 = TOps.FusedMultiplyAdd(TOps.Load(x3 + c0), w0, a30);
            a31 = TOps.FusedMultiplyAdd(TOps.Load(x3 + c1), w1, a31);
        }
        Finish(y + c0, a00, c0);
        Finish(y + c1, a01, c1);
        Finish(y + yStride + c0, a10, c0);
        Finish(y + yStride + c1, a11, c1);
        Finish(y + 2 * yStride + c0, a20, c0);
        Finish(y + 2 * yStride + c1, a21, c1);
        Finish(y + 3 * yStride + c0, a30, c0);
        Finish(y + 3 * yStride + c1, a31, c1);
    }

    [MethodImpl(JitHints.Hot)]
    private void Tile4x1(float* x, nint xStride, int* tapX, int* tapW, int taps, int c0, float* y, nint yStride)
    {
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        float* w = _w;
        for (int t = 0; t < taps; t++)
        {
            TV w0 = TOps.Load(w + tapW[t] + c0);
            float* x0 = x + tapX[t] + c0;
            a0 = TOps.FusedMultiplyAdd(TOps.Load(x0), w0, a0);
            a1 = TOps.FusedMultiplyAdd(TOps.Load(x0 + xStride), w0, a1);
            a2 = TOps.FusedMultiplyAdd(TOps.Load(x0 + 2 * xStride), w0, a2);
            a3 = TOps.FusedMultiplyAdd(TOps.Load(x0 + 3 * xStride), w0, a3);
        }
        Finish(y + c0, a0, c0);
        Finish(y + yStride + c0, a1, c0);
        Finish(y + 2 * yStride + c0, a2, c0);
        Finish(y + 3 * yStride + c0, a3, c0);
    }

    /// <summary>One pixel, the four channel vectors at <paramref name="starts"/>[0..3]: each output's chain is <see cref="Tile1x1"/>'s (taps in order, then bias and clamp).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Tile1x4(float* x, int* tapX, int* tapW, int taps, int* starts, float* y)
    {
        int c0 = starts[0], c1 = starts[1], c2 = starts[2], c3 = starts[3];
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        float* w = _w;
        for (int t = 0; t < taps; t++)
        {
            float* xt = x + tapX[t];
            float* wt = w + tapW[t];
            a0 = TOps.FusedMultiplyAdd(TOps.Load(xt + c0), TOps.Load(wt + c0), a0);
            a1 = TOps.FusedMultiplyAdd(TOps.Load(xt + c1), TOps.Load(wt + c1), a1);
            a2 = TOps.FusedMultiplyAdd(TOps.Load(xt + c2), TOps.Load(wt + c2), a2);
            a3 = TOps.FusedMultiplyAdd(TOps.Load(xt + c3), TOps.Load(wt + c3), a3);
        }
        Finish(y + c0, a0, c0);
        Finish(y + c1, a1, c1);
        Finish(y + c2, a2, c2);
        Finish(y + c3, a3, c3);
    }

    [MethodImpl(JitHints.Hot)]
    private void Tile1x1(float* x, int* tapX, int* tapW, int taps, int c0, float* y)
    {
        TV a0 = TOps.Zero;
        float* w = _w;
        for (int t = 0; t < taps; t++)
            a0 = TOps.FusedMultiplyAdd(TOps.Load(x + tapX[t] + c0), TOps.Load(w + tapW[t] + c0), a0);
        Finish(y + c0, a0, c0);
    }

    /// <summary>
    /// Multiplier above 1: lane oc of a vector reads input channel oc / multiplier, gathered through a small buffer.
    /// One pixel at a time; the FMA chain per lane is the same as in the reference.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void PixelsWithMultiplier(float* x, nint xStride, int* tapX, int* tapW, int taps, float* y, int count, float* gathered)
    {
        int depth = _g.OutputDepth;
        int* index = (int*)_gatherIndex!.Pointer;
        float* w = _w;
        for (int p = 0; p < count; p++)
        {
            float* xp = x + p * xStride;
            float* yp = y + (nint)p * depth;
            foreach (int c0 in _vectorStarts)
            {
                TV acc = TOps.Zero;
                for (int t = 0; t < taps; t++)
                {
                    float* pixel = xp + tapX[t];
                    for (int lane = 0; lane < TOps.Count; lane++) gathered[lane] = pixel[index[c0 + lane]];
                    acc = TOps.FusedMultiplyAdd(TOps.Load(gathered), TOps.Load(w + tapW[t] + c0), acc);
                }
                Finish(yp + c0, acc, c0);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish(float* y, TV acc, int channel)
    {
        if (_b != null) acc = TOps.Add(acc, TOps.Load(_b + channel));
        if (_epilogue.Clamp) acc = TOps.Clamp(acc, _epilogue.Min, _epilogue.Max);
        TOps.Store(y, acc);
    }
}
