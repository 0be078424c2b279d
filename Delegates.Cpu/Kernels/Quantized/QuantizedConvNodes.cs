using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Emitted;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// What the integer convolution-family kernels share: the refusal (beyond <see cref="ConvLoops.Refusal"/>) and the
/// compile of CONV_2D / FULLY_CONNECTED (a GEMM over packed rows) and DEPTHWISE_CONV_2D.
/// </summary>
internal static class QuantizedConv
{
    /// <summary>Longest packed row (K = KH·KW·Cin, or FULLY_CONNECTED's depth): a tile of four lives on the stack.</summary>
    public const int MaxDepth = 16384;

    /// <summary>Most channels of an integer DEPTHWISE_CONV_2D: one pixel's int32 accumulators live on the stack.</summary>
    public const int MaxDepthwiseChannels = 16384;

    public static unsafe byte* Pointer(ReadOnlySpan<byte> data) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(data));

    public static string? GemmRefusal(long depth) =>
        depth > MaxDepth ? $"the integer kernel's rows have {depth} elements (KH·KW·Cin), more than the CPU kernels' {MaxDepth}" : null;

    public static ICpuCompiledNode CompileConv2D(DelegateNode node, Conv2DParams p, QuantizedConvParams q, QuantizedIsa? isa = null)
    {
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var output = node.Outputs[0];
        var g = ConvLayout.Of(input, filter, output, p.Geometry);
        bool signed = input.Type == TensorType.Int8;
        var path = isa ?? QuantizedIsas.Best(signed && q.FilterOffset == 0);
        // Where .NET has no AVX-VNNI but AVX-512BW (Zen 4), the single-channel and small pointwise kernels run int8
        // symmetric layers with VnniDot's AVX-512BW form of vpdpbusd: their own loops beat the vpmaddwd GEMM's gathered
        // rows on these narrow shapes (Zen 4, int8 pose_landmark_heavy at 1 thread: 21.2 → 17.7 ms, the 256×256×8 → 1
        // head 3.1 → 0.2 ms). The VNNI first-layer kernel emulated that way measured 5 % slower than the GEMM; an
        // image's first layer has its own form there (QuantizedFirstLayerPairsCpuNode: tap pairs on vpmaddwd).
        var special = isa is null && path == QuantizedIsa.Avx2 && signed && q.FilterOffset == 0 && VnniDot.Emulated ? QuantizedIsa.AvxVnni : path;
        if (QuantizedSingleChannelConvCpuNode.Fits(g, special))
            return new QuantizedSingleChannelConvCpuNode(input, output, g, filter.Bytes, bias is null ? default : bias.Read<int>(),
                new QuantizedEpilogue(q), q.InputOffset);
        if (QuantizedFirstLayerCpuNode.Fits(g, path, q, signed))
            return new QuantizedFirstLayerCpuNode(input, output, g, filter.Bytes, bias is null ? default : bias.Read<int>(), new QuantizedEpilogue(q), q.InputOffset);
        if (QuantizedFirstLayerPairsCpuNode.Fits(g, path, q, signed))
            return new QuantizedFirstLayerPairsCpuNode(input, output, g, filter.Bytes, bias is null ? default : bias.Read<int>(), new QuantizedEpilogue(q), q.InputOffset);
        int depth = g.FilterHeight * g.FilterWidth * g.InputDepth;
        var epilogue = new QuantizedEpilogue(q);
        // Reads the 8-channel blocks. Emulated, only below the emitted GEMM's 16 channels: at 16 and 24 the GEMM measured
        // faster (Zen 4, int8 selfie_segmentation at 1 thread 2.60 → 2.07 ms with its 128×128 16 → 16 layers there).
        bool small = QuantizedSmallPointwiseCpuNode.Fits(g, g.OutputDepth < Vnni512Gemm.MinChannelsOverVpmaddwd ? special : path);
        var weights = PackGemmWeights(filter.Bytes, signed, q, bias is null ? default : bias.Read<int>(), g.OutputDepth, depth, small ? special : path, epilogue,
            emitted: !small);
        if (small)
            return new QuantizedSmallPointwiseCpuNode(input, output, g, weights, epilogue);
        return new QuantizedConv2DCpuNode(input, output, g, weights, epilogue, q.InputOffset, signed);
    }

    /// <summary>
    /// A CONV_2D's GEMM weights, for the emitted 512-bit kernels where <paramref name="emitted"/> and
    /// <see cref="QuantizedIsas.Emitted512"/> allow them. A layer taken for the fused kernels alone whose short form then
    /// fails its bound is repacked for the managed kernels: on that shape the unfused emitted ones are slower.
    /// </summary>
    internal static PackedQuantizedWeights PackGemmWeights(ReadOnlySpan<byte> filter, bool signed, QuantizedConvParams q, ReadOnlySpan<int> bias,
        int channels, int depth, QuantizedIsa path, QuantizedEpilogue epilogue, bool emitted)
    {
        // Without AVX-VNNI the emitted kernels are the only VNNI path: VNNI packing only for the shapes they take.
        var packing = emitted ? QuantizedIsas.GemmPacking(path, signed && q.FilterOffset == 0, depth, channels, fused: true) : path;
        var weights = new PackedQuantizedWeights(filter, signed, q.FilterOffset, q.InputOffset, bias, channels, depth, packing, epilogue,
            emitted ? QuantizedIsas.Emitted512(packing, depth, channels, fused: true) : null);
        if (weights.Emitted is null || weights.Short is not null || QuantizedIsas.Emitted512(weights.Isa, depth, channels) is not null) return weights;
        // Repacked for the managed kernels of the node's own path (AvxVnni, or Avx2 where the emitted kernels were the only VNNI).
        return new PackedQuantizedWeights(filter, signed, q.FilterOffset, q.InputOffset, bias, channels, depth, path, epilogue);
    }

    public static ICpuCompiledNode CompileFullyConnected(DelegateNode node, FullyConnectedParams p, QuantizedConvParams q, QuantizedIsa? isa = null)
    {
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        bool signed = input.Type == TensorType.Int8;
        var path = isa ?? QuantizedIsas.Best(signed && q.FilterOffset == 0);
        var epilogue = new QuantizedEpilogue(q);
        var packing = QuantizedIsas.GemmPacking(path, signed && q.FilterOffset == 0, p.Depth, p.Units);
        var packed = new PackedQuantizedWeights(weights.Bytes, signed, q.FilterOffset, q.InputOffset, bias is null ? default : bias.Read<int>(),
            p.Units, p.Depth, packing, epilogue, QuantizedIsas.Emitted512(packing, p.Depth, p.Units));
        return new QuantizedFullyConnectedCpuNode(input, node.Outputs[0], p.Batch, packed, epilogue, q.InputOffset, signed);
    }

    public static ICpuCompiledNode CompileDepthwise(DelegateNode node, DepthwiseConv2DParams p, QuantizedConvParams q, QuantizedIsa? isa = null)
    {
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var output = node.Outputs[0];
        var g = ConvLayout.Of(input, filter, output, p.Geometry);
        bool signed = input.Type == TensorType.Int8;
        // The depthwise kernel's int16 tap pairs suit vpdpwssd (AVX-VNNI) for int8 and uint8 alike; vpmaddwd without it.
        var path = isa ?? (QuantizedIsas.Best(false) == QuantizedIsa.Scalar ? QuantizedIsa.Scalar
            : AvxVnni.IsSupported ? QuantizedIsa.AvxVnni : QuantizedIsa.Avx2);
        return new QuantizedDepthwiseCpuNode(input, output, g, p.DepthMultiplier, filter.Bytes, bias is null ? default : bias.Read<int>(),
            new QuantizedEpilogue(q), q.InputOffset, q.FilterOffset, signed, path);
    }
}

/// <summary>
/// An integer FULLY_CONNECTED: tiles of four batch rows (converted to packed rows on the stack) × channel groups, so
/// a single-row product still spreads its 8-channel blocks over the threads. Every output is computed by one thread.
/// </summary>
internal sealed unsafe class QuantizedFullyConnectedCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedFullyConnectedCpuNode> RunChunk =
        static (in QuantizedFullyConnectedCpuNode kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly int _batch, _inputOffset;
    private readonly bool _signed;
    private readonly PackedQuantizedWeights _weights;
    private readonly QuantizedEpilogue _epilogue;

    private byte* _x, _y;
    private int _groups;

    public QuantizedFullyConnectedCpuNode(Tensor input, Tensor output, int batch, PackedQuantizedWeights weights, QuantizedEpilogue epilogue,
        int inputOffset, bool signed)
    {
        (_input, _output, _batch, _weights, _epilogue, _inputOffset, _signed) = (input, output, batch, weights, epilogue, inputOffset, signed);
    }

    private int Tiles => (_batch + QuantizedGemm.TileRows - 1) / QuantizedGemm.TileRows;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        _groups = ConvLoops.ChannelGroups(Tiles, _weights.Blocks, pool.ThreadCount);
        pool.For(Tiles * _groups, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        var w = _weights;
        int depth = w.Depth, units = w.OutputChannels, stride = w.RowBytes;
        byte* rows = stackalloc byte[QuantizedGemm.TileRows * stride];
        for (int item = start; item < end; item++)
        {
            int tile = item / _groups, group = item % _groups;
            int first = tile * QuantizedGemm.TileRows;
            int count = Math.Min(QuantizedGemm.TileRows, _batch - first);
            for (int r = 0; r < count; r++)
            {
                QuantizedGemm.ConvertRow(_x + (nint)(first + r) * depth, depth, rows + r * stride, _inputOffset, _signed, w.Isa);
                QuantizedGemm.ClearTail(rows + r * stride, depth, w);
            }
            int blockBegin = (int)((long)w.Blocks * group / _groups), blockEnd = (int)((long)w.Blocks * (group + 1) / _groups);
            QuantizedGemm.Run(w, _epilogue, rows, count, _y + (nint)first * units, units, blockBegin, blockEnd);
        }
    }
}

/// <summary>
/// An integer CONV_2D: tiles of four output pixels, each gathered into a packed row (im2col on the stack: the
/// (ky, kx) taps in order, taps outside the input as the input's zero point, which the reference skips and which add
/// nothing here), then the GEMM over the packed weights. A pointwise convolution's rows are its input pixels.
/// </summary>
internal sealed unsafe class QuantizedConv2DCpuNode : IResidualAddProducer
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedConv2DCpuNode> RunChunk =
        static (in QuantizedConv2DCpuNode kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly PackedQuantizedWeights _weights;
    private readonly QuantizedEpilogue _epilogue;
    private readonly int _inputOffset, _pixels;
    private readonly bool _signed;
    private readonly bool _pointwise; // 1×1, stride 1, no padding: output pixel p reads input pixel p, no gather arithmetic
    private readonly bool _tail;      // the packed row is longer than K (its tail is cleared per row)
    private readonly ResidualAddOperands? _residual; // the ADD this node's output feeds, computed in the same pass (null: none)

    private byte* _x, _y, _r;
    private int _groups;

    public QuantizedConv2DCpuNode(Tensor input, Tensor output, ConvLayout g, PackedQuantizedWeights weights, QuantizedEpilogue epilogue,
        int inputOffset, bool signed)
    {
        (_input, _output, _g, _weights, _epilogue, _inputOffset, _signed) = (input, output, g, weights, epilogue, inputOffset, signed);
        _pixels = g.Batches * g.OutputHeight * g.OutputWidth;
        _pointwise = g.IsPointwise;
        _tail = weights.RowLength != weights.Depth;
    }

    private QuantizedConv2DCpuNode(QuantizedConv2DCpuNode conv, ResidualAddOperands residual)
        : this(conv._input, residual.Output, conv._g, conv._weights, conv._epilogue, conv._inputOffset, conv._signed)
    {
        _residual = residual;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Each chunk of tiles is requantized into a stack buffer exactly as into the convolution's output, then goes through
    /// the ADD node's own element loop (<see cref="QuantizedBinaryCpuNode.Apply"/>) with the residual's elements; the
    /// packed weights are shared. Null when the output rows are wider than <see cref="ResidualAddOperands.BufferBytes"/>.
    /// </remarks>
    public ICpuCompiledNode? WithResidualAdd(ResidualAddOperands residual) =>
        _g.OutputDepth * QuantizedGemm.TileRows > ResidualAddOperands.BufferBytes ? null : new QuantizedConv2DCpuNode(this, residual);

    /// <inheritdoc/>
    public Tensor Input => _input;

    private int Tiles => (_pixels + QuantizedGemm.TileRows - 1) / QuantizedGemm.TileRows;

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        _groups = ConvLoops.ChannelGroups(Tiles, _weights.Blocks, pool.ThreadCount);
        if (_residual is not null)
        {
            if (_groups != 1) throw new InvalidOperationException("the fused residual pass runs whole tiles (one channel group)");
            _r = QuantizedConv.Pointer(_residual.Residual.Bytes);
        }
        pool.For(Tiles * _groups, this, RunChunk);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Few tiles, many channels, more than one thread: short per-group ADD spans would cost more than the fusion saves.
    /// </remarks>
    [MethodImpl(JitHints.Hot)]
    public bool SplitsChannels(CpuThreadPool pool) => ConvLoops.ChannelGroups(Tiles, _weights.Blocks, pool.ThreadCount) > 1;

    /// <inheritdoc/>
    /// <remarks>
    /// A pointwise convolution with as many output channels as input channels; each work item (whole tiles) packs its
    /// pixels into its stack rows before it writes their bytes.
    /// </remarks>
    public bool CanRunOverInput
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _pointwise && _g.InputDepth == _g.OutputDepth;
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        var w = _weights;
        if (w.Emitted is not null && _groups == 1)
        {
            RunPanels(start, end);
            return;
        }
        if (_residual is not null)
        {
            RunItemsWithResidual(start, end);
            return;
        }
        int stride = w.RowBytes;
        // 32 bytes of slack: a gathered row segment may be written as a whole vector past its end (see Gather).
        byte* rows = stackalloc byte[QuantizedGemm.TileRows * stride + 32];
        for (int item = start; item < end; item++)
        {
            int tile = item / _groups, group = item % _groups;
            int first = tile * QuantizedGemm.TileRows;
            int count = Math.Min(QuantizedGemm.TileRows, _pixels - first);
            PackTile(first, count, rows);
            int blockBegin = (int)((long)w.Blocks * group / _groups), blockEnd = (int)((long)w.Blocks * (group + 1) / _groups);
            QuantizedGemm.Run(w, _epilogue, rows, count, _y + (nint)first * _g.OutputDepth, _g.OutputDepth, blockBegin, blockEnd);
        }
    }

    /// <summary>Packed-row bytes of one panel (<see cref="RunPanels"/>): with a 16-channel group chunk's weights, within L1.</summary>
    private const int PanelBytes = 16 * 1024;

    /// <summary>
    /// Tiles [start, end) (whole tiles: one channel group) on the emitted kernels, in panels of up to
    /// <see cref="PanelBytes"/> of packed rows (at most 16 tiles): each panel packed once, then
    /// <see cref="QuantizedGemm.RunEmittedPanel"/> runs every weight group over all its tiles. With a fused residual
    /// ADD a panel's bytes go to a stack buffer (panels then of at most <see cref="ResidualAddOperands.BufferBytes"/>),
    /// and the ADD node's element loop combines them with the residual into the output (as
    /// <see cref="RunItemsWithResidual"/> does; before, the fused pass left the emitted kernels for the per-tile GEMM:
    /// Zen 4, int8 face_landmark's 96×96 16 → 16 layers with their ADD 0.13 ms, the two apart 0.05).
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(JitHints.Hot)]
    private void RunPanels(int start, int end)
    {
        int tileBytes = QuantizedGemm.TileRows * _weights.RowBytes, channels = _g.OutputDepth;
        int panelTiles = Math.Clamp(PanelBytes / tileBytes, 1, 16);
        var residual = _residual;
        // WithResidualAdd admits only layers whose tile of output bytes fits the buffer.
        if (residual is not null) panelTiles = Math.Min(panelTiles, ResidualAddOperands.BufferBytes / (QuantizedGemm.TileRows * channels));
        byte* rows = stackalloc byte[panelTiles * tileBytes + 32];
        byte* buffer = stackalloc byte[residual is null ? 0 : ResidualAddOperands.BufferBytes];
        for (int tile = start; tile < end; tile += panelTiles)
        {
            int tiles = Math.Min(panelTiles, end - tile);
            int first = tile * QuantizedGemm.TileRows;
            int pixels = Math.Min(tiles * QuantizedGemm.TileRows, _pixels - first);
            if (_pointwise && !_tail && _weights.Isa == QuantizedIsa.AvxVnni)
                // The packed rows of a pointwise layer are its input pixels, flipped, one after another: one pass.
                QuantizedGemm.ConvertRow(_x + (nint)first * _g.InputDepth, pixels * _g.InputDepth, rows, _inputOffset, _signed, QuantizedIsa.AvxVnni);
            else
            for (int t = 0; t < tiles; t++)
            {
                int tileFirst = first + t * QuantizedGemm.TileRows;
                PackTile(tileFirst, Math.Min(QuantizedGemm.TileRows, _pixels - tileFirst), rows + t * tileBytes);
            }
            if (residual is null)
                QuantizedGemm.RunEmittedPanel(_weights, _epilogue, rows, pixels, _y + (nint)first * channels, channels);
            else
            {
                QuantizedGemm.RunEmittedPanel(_weights, _epilogue, rows, pixels, buffer, channels);
                residual.Apply(buffer, _r, _y, (nint)first * channels, pixels * channels);
            }
        }
    }

    /// <summary>
    /// The fused residual ADD's items (whole tiles: the fused pass runs only where <see cref="SplitsChannels"/> is
    /// false): the GEMM writes consecutive tiles' bytes into a stack buffer (rows C bytes apart, up to
    /// <see cref="ResidualAddOperands.BufferBytes"/>), then the ADD node's element loop combines them with the residual into the
    /// output as one contiguous span. Every buffer byte is written before it is read.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(JitHints.Hot)]
    private void RunItemsWithResidual(int start, int end)
    {
        var w = _weights;
        var residual = _residual!;
        int stride = w.RowBytes, channels = _g.OutputDepth;
        byte* rows = stackalloc byte[QuantizedGemm.TileRows * stride + 32];
        byte* buffer = stackalloc byte[ResidualAddOperands.BufferBytes];
        int chunkRows = Math.Max(1, ResidualAddOperands.BufferBytes / (QuantizedGemm.TileRows * channels)) * QuantizedGemm.TileRows;
        int pending = 0, pendingFirst = 0; // rows in the buffer, and the first one's pixel
        for (int tile = start; tile < end; tile++)
        {
            int first = tile * QuantizedGemm.TileRows;
            int count = Math.Min(QuantizedGemm.TileRows, _pixels - first);
            PackTile(first, count, rows);
            if (pending == 0) pendingFirst = first;
            QuantizedGemm.Run(w, _epilogue, rows, count, buffer + (nint)pending * channels, channels, 0, w.Blocks);
            pending += count;
            if (pending == chunkRows || tile + 1 == end)
            {
                residual.Apply(buffer, _r, _y, (nint)pendingFirst * channels, pending * channels);
                pending = 0;
            }
        }
    }

    /// <summary>The packed rows of output pixels [first, first + count).</summary>
    [MethodImpl(JitHints.Hot)]
    private void PackTile(int first, int count, byte* rows)
    {
        var w = _weights;
        int stride = w.RowBytes;
        if (_pointwise)
            for (int r = 0; r < count; r++)
            {
                QuantizedGemm.ConvertRow(_x + (nint)(first + r) * _g.InputDepth, _g.InputDepth, rows + r * stride, _inputOffset, _signed, w.Isa);
                if (_tail) QuantizedGemm.ClearTail(rows + r * stride, w.Depth, w);
            }
        else
        {
            // One division per tile; the pixels after the first step along the row.
            int ox = first % _g.OutputWidth, rest = first / _g.OutputWidth;
            int oy = rest % _g.OutputHeight, b = rest / _g.OutputHeight;
            for (int r = 0; r < count; r++)
            {
                Gather(b, oy, ox, rows + r * stride);
                if (++ox == _g.OutputWidth)
                {
                    ox = 0;
                    if (++oy == _g.OutputHeight) (oy, b) = (0, b + 1);
                }
            }
        }
    }

    /// <summary>The packed row of output pixel (<paramref name="b"/>, <paramref name="oy"/>, <paramref name="ox"/>).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Gather(int b, int oy, int ox, byte* row)
    {
        var g = _g;
        var isa = _weights.Isa;
        int elementSize = isa == QuantizedIsa.AvxVnni ? 1 : 2;
        int iyOrigin = oy * g.StrideH - g.PadTop, ixOrigin = ox * g.StrideW - g.PadLeft;
        int cin = g.InputDepth;
        byte* at = row;
        int segment = g.FilterWidth * cin;
        if (isa == QuantizedIsa.AvxVnni && g.DilationW == 1 && segment <= 32 && ixOrigin >= 0 && ixOrigin + g.FilterWidth <= g.InputWidth)
        {
            // Small Cin (a first layer's 3 channels): a filter row's taps are one contiguous run of KW·Cin input bytes,
            // flipped (x + 128) with one 16- or 32-byte vector where the input has that many bytes left; the bytes
            // written past the run are overwritten by the next run or cleared with the tail (the buffer has slack).
            byte* end = _x + _input.Bytes.Length;
            var flip = Vector256.Create((byte)0x80);
            for (int ky = 0; ky < g.FilterHeight; ky++, at += segment)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if ((uint)iy >= (uint)g.InputHeight)
                {
                    QuantizedGemm.FillPadding(at, segment, _inputOffset, isa);
                    continue;
                }
                byte* source = _x + ((nint)(b * g.InputHeight + iy) * g.InputWidth + ixOrigin) * cin;
                if (segment <= 16 && source + 16 <= end) Sse2.Store(at, Sse2.Xor(Sse2.LoadVector128(source), flip.GetLower()));
                else if (source + 32 <= end) Avx.Store(at, Avx2.Xor(Avx.LoadVector256(source), flip));
                else QuantizedGemm.ConvertRow(source, segment, at, _inputOffset, _signed, isa);
            }
            if (_tail) QuantizedGemm.ClearTail(row, _weights.Depth, _weights);
            return;
        }
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int iy = iyOrigin + ky * g.DilationH;
            bool rowInside = iy >= 0 && iy < g.InputHeight;
            for (int kx = 0; kx < g.FilterWidth; kx++)
            {
                int ix = ixOrigin + kx * g.DilationW;
                if (rowInside && ix >= 0 && ix < g.InputWidth)
                    QuantizedGemm.ConvertRow(_x + ((nint)(b * g.InputHeight + iy) * g.InputWidth + ix) * cin, cin, at, _inputOffset, _signed, isa);
                else
                    QuantizedGemm.FillPadding(at, cin, _inputOffset, isa);
                at += cin * elementSize;
            }
        }
        if (_tail) QuantizedGemm.ClearTail(row, _weights.Depth, _weights);
    }
}
