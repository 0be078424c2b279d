using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An integer DEPTHWISE_CONV_2D. The fast path (depth multiplier 1, at least 16 channels, AVX2): per output pixel and
/// block of 16 channels, the taps go in pairs through one 16-bit multiply-add each (<c>vpmaddwd</c>, or
/// <c>vpdpwssd</c> with AVX-VNNI): the two taps' raw inputs, widened to int16 and interleaved per channel, against
/// the packed weight pairs (w + w_off). The input offset is folded into the bias once (x_off·Σ_t (w_t + w_off)), and a
/// tap outside the input reads a row of the input's zero point, whose (zp + x_off) = 0 contributes nothing — as the
/// reference, which skips it. Then the vector requantization of 16 outputs and one 16-byte store. A channel count that
/// is not a multiple of 16 ends with an overlapping block (it rewrites a few outputs with the same bytes). Every sum is
/// exact modulo 2^32 (docs/numerics.md §CPU delegate int8). Otherwise (fewer than 16 channels, the scalar path): int32
/// accumulators per channel from the bias, (x + x_off)·(w + w_off) per in-bounds tap, 8 int32 lanes with AVX2. A depth
/// multiplier above 1 runs as 1 over a copy of the input with its channels repeated (<see cref="RepeatedChannels"/>),
/// except on the scalar path.
/// </summary>
internal sealed unsafe class QuantizedDepthwiseCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedDepthwiseCpuNode> RunChunk =
        static (in QuantizedDepthwiseCpuNode kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly int _multiplier, _inputOffset;
    private readonly bool _signed;
    private readonly QuantizedIsa _isa;
    private readonly int[] _weights; // [tap][Cout] as int32 w + w_off, pinned
    private readonly int[] _bias;    // [Cout], pinned
    private readonly QuantizedEpilogue _epilogue;

    /// <summary>Whether a depth multiplier above 1 runs as 1 over the input's channels repeated (for tests).</summary>
    internal bool RepeatsChannels => _repeated is not null;

    /// <summary>Most filter taps of the paired path (its per-pixel tap pointers live on the stack).</summary>
    public const int MaxPairedTaps = 1024;

    /// <summary>Channels per block of the paired path: 16 bytes of each tap, two 8-lane int32 accumulators.</summary>
    public const int PairedBlockChannels = 16;

    private readonly bool _paired;
    private readonly bool _wideEpilogue = Avx512F.IsSupported && Vector512.IsHardwareAccelerated; // 16-lane requantization
    private readonly int _pairs;
    private readonly int[] _blockStarts = [];       // first channel of each 16-channel block (the last one overlaps)
    private readonly AlignedPinned<short> _pairedWeights = new(0);   // [pair][block][lo 8 channel pairs, hi 8 channel pairs], pinned
    private readonly AlignedPinned<int> _pairedBias = new(0);        // [Cout]: bias + x_off·Σ_t (w_t + w_off), pinned
    private readonly byte[] _zeroPointRow = [];     // [Cin] of the input's zero point, pinned
    private readonly nint[] _tapOffsets = [];       // [2 · pairs]: each tap's byte offset from an interior pixel's first tap (0 for the padding tap), pinned
    private readonly nint[] _stripOffsets = [];     // _replicated, rows of ≥ 1 tile: [2 · pairs] each tap's byte offset in a zero-point strip (ReplicatedRow), pinned
    private readonly int _stripStride;            // bytes per filter row of that strip: (tile + (KW − 1)·dilation) pixels

    /// <summary>Channels per block of the 512-bit paired path (AVX-512BW): 32 bytes of each tap, two 16-lane int32 accumulators.</summary>
    public const int WideBlockChannels = 32;

    private readonly int _wideBlocks;             // 32-channel blocks from channel 0, the last one ending at the last channel (0 without AVX-512BW)
    private readonly int _firstNarrowBlock;       // the first 16-channel block after the 32-channel ones (none past 32 channels: the last wide block overlaps)
    private readonly int _lastWideStart;          // the last 32-channel block's first channel (channels − 32; no limit on the replicated path)
    private readonly AlignedPinned<short> _wideWeights = new(0);   // [pair][wide block][lo 16 channel pairs, hi 16 channel pairs], pinned
    private readonly AlignedPinned<int> _wideLanes = new(0);       // [wide block][WideSlices][lo 16, hi 16] in the accumulators' lane order, pinned
    private readonly bool _replicated;            // 8, 16 or 24 channels, horizontal stride 1: 32-lane blocks span adjacent pixels
    private readonly int _unitPixels;             // _replicated: adjacent pixels per unit of whole 32-lane blocks (4, 2, 4)
    private readonly bool _shortRounding;         // every channel's sums bounded so that the rounding shift needs no remainder test (ShortRequantization's proof)
    private readonly bool _plainRounding;         // and every channel with L = 0 and r ≥ 1: the short form's plain steps
    private TileFinish _finish;                   // the tiles' end, from the clamp and the two above (Other in the hybrid mode)
    private readonly bool _sharedRows;            // 3×3, horizontal stride 1, dilation 1, 32-channel blocks: a tile's taps in a filter row widened once (WideInteriorTile3x3)
    private readonly bool _rows5x5;               // 5×5, horizontal stride 1, dilation 1, 32-channel blocks: the tile pairs taps within filter rows (WideRowTile5x5),
                                                  // and rows whose filter window leaves the input run their 32-channel blocks as tiles too
    private readonly AlignedPinned<short> _rowWeights = new(0);    // _rows5x5: [slot][wide block][lo 16 channel pairs, hi 16 channel pairs], pinned (RowSlotTaps)
    private readonly AlignedPinned<int> _rowInputSums = new(0);    // _rows5x5: [filter row][wide block][32 lanes] x_off · Σ_kx (w + w_off), pinned

    // The per-lane constants of a 32-channel block: the folded bias, then the short form's slices (ShortRequantization.Slice
    // order; the multiplier and the left and right shifts serve the general steps too).
    private const int BiasSlice = 0, ShortSlices = 1, WideSlices = ShortSlices + ShortRequantization.Slices;
    private const int MultiplierSlice = ShortSlices + (int)ShortRequantization.Slice.Multiplier, RightSlice = ShortSlices + (int)ShortRequantization.Slice.Right,
        LeftSlice = ShortSlices + (int)ShortRequantization.Slice.Left;

    private readonly RepeatedChannels? _repeated; // a depth multiplier above 1 on the vector paths
    private byte* _x, _y;

    // The hybrid (dynamic-range) mode (TryHybrid): the sums of one quantized image whose zero point is set per invoke,
    // ended by the float epilogue into _floatOutput, _y then counting output elements from 0.
    private bool _hybrid;
    private AlignedPinned<float> _hybridLanes = new(0);   // laid out as _wideLanes: per block s_c (32 lanes) then the bias (32), lane order
    private int[] _weightSums = [];                      // [wide block][32]: Σ_t w of each lane's channel
    private int[] _rowWeightSums = [];                   // _rows5x5: [filter row][wide block][32]: Σ_kx w
    private int _hybridZero = int.MinValue;              // the zero point the folded sums and the zero-point row hold
    private float _hybridFactor, _hybridMin, _hybridMax;
    private float* _floatOutput;

    public QuantizedDepthwiseCpuNode(Tensor input, Tensor output, ConvLayout g, int depthMultiplier, ReadOnlySpan<byte> filter, ReadOnlySpan<int> bias,
        QuantizedEpilogue epilogue, int inputOffset, int filterOffset, bool signed, QuantizedIsa isa)
    {
        if (depthMultiplier > 1 && isa != QuantizedIsa.Scalar)
        {
            // The input's channels repeated: multiplier 1 over a copy as deep as the output (RepeatedChannels).
            _repeated = new RepeatedChannels(input.ElementCount, depthMultiplier, sizeof(byte));
            (g, depthMultiplier) = (g with { InputDepth = g.OutputDepth }, 1);
        }
        (_input, _output, _g, _multiplier, _epilogue, _inputOffset, _signed, _isa) = (input, output, g, depthMultiplier, epilogue, inputOffset, signed, isa);
        int taps = g.FilterHeight * g.FilterWidth, channels = g.OutputDepth;
        _weights = GC.AllocateArray<int>(taps * channels, pinned: true);
        for (int i = 0; i < _weights.Length; i++) _weights[i] = (signed ? (sbyte)filter[i] : filter[i]) + filterOffset;
        _bias = GC.AllocateArray<int>(channels, pinned: true);
        if (!bias.IsEmpty) bias.CopyTo(_bias);

        int zeroPoint = -inputOffset;
        bool zeroPointFits = signed ? zeroPoint is >= sbyte.MinValue and <= sbyte.MaxValue : zeroPoint is >= 0 and <= byte.MaxValue;
        _paired = isa != QuantizedIsa.Scalar && depthMultiplier == 1 && channels >= PairedBlockChannels && taps <= MaxPairedTaps && zeroPointFits;
        bool wide512 = Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;
        _replicated = isa != QuantizedIsa.Scalar && wide512 && depthMultiplier == 1 && channels is 8 or 16 or 24 && g.StrideW == 1 && taps <= MaxPairedTaps
            && zeroPointFits;
        if (!_paired && !_replicated) return;
        _pairs = (taps + 1) / 2;
        int blocks = _paired ? (channels + PairedBlockChannels - 1) / PairedBlockChannels : 0;
        _blockStarts = new int[blocks];
        for (int block = 0; block < blocks; block++) _blockStarts[block] = Math.Min(block * PairedBlockChannels, channels - PairedBlockChannels);
        // vpunpcklwd / vpunpckhwd interleave within 128-bit lanes: the low vector holds the pairs of channels 0–3 and
        // 8–11 of the block, the high one 4–7 and 12–15; the weights are packed in that order.
        _pairedWeights = new AlignedPinned<short>(_pairs * blocks * 2 * PairedBlockChannels);
        int at = 0;
        for (int pair = 0; pair < _pairs; pair++)
        for (int block = 0; block < blocks; block++)
        for (int half = 0; half < 2; half++)
        for (int lane = 0; lane < 8; lane++)
        {
            int channel = _blockStarts[block] + (lane < 4 ? lane : lane + 4) + half * 4;
            for (int member = 0; member < 2; member++)
            {
                int tap = 2 * pair + member;
                _pairedWeights.Span[at++] = (short)(tap < taps ? _weights[tap * channels + channel] : 0);
            }
        }
        _pairedBias = new AlignedPinned<int>(channels);
        for (int c = 0; c < channels; c++)
        {
            int sum = 0;
            for (int tap = 0; tap < taps; tap++) sum += _weights[tap * channels + c];
            _pairedBias.Span[c] = unchecked(_bias[c] + inputOffset * sum);
        }
        _zeroPointRow = GC.AllocateArray<byte>(channels, pinned: true);
        _zeroPointRow.AsSpan().Fill((byte)zeroPoint);
        _tapOffsets = GC.AllocateArray<nint>(2 * _pairs, pinned: true);
        for (int tap = 0; tap < taps; tap++)
            _tapOffsets[tap] = ((nint)(tap / g.FilterWidth) * g.DilationH * g.InputWidth + (nint)(tap % g.FilterWidth) * g.DilationW) * channels;

        if (!wide512 || (channels < WideBlockChannels && !_replicated)) return;
        // The 512-bit form: vpunpcklwd / vpunpckhwd interleave within each 128-bit lane L (channels 8L..8L+7 of the
        // block), so the low accumulator's lane 4L+j holds channel 8L+j and the high one's channel 8L+4+j. The weights,
        // the folded bias and the requantization constants are packed in that lane order, so the sums never move
        // until they are bytes.
        // With 8, 16 or 24 channels (_replicated) a unit of 4, 2 or 4 adjacent pixels fills 1, 1 or 3 whole 32-lane
        // blocks: the channel of lane i of the unit is i mod Cin.
        _unitPixels = _replicated ? (channels == 16 ? 2 : 4) : 0;
        if (_replicated && g.OutputWidth >= InteriorPixels * _unitPixels)
        {
            _stripStride = (InteriorPixels * _unitPixels + (g.FilterWidth - 1) * g.DilationW) * channels;
            _stripOffsets = GC.AllocateArray<nint>(2 * _pairs, pinned: true);
            for (int tap = 0; tap < taps; tap++)
                _stripOffsets[tap] = tap / g.FilterWidth * (nint)_stripStride + (nint)(tap % g.FilterWidth) * g.DilationW * channels;
        }
        // Past the whole 32-channel blocks one more block ends at the last channel, overlapping the one before it (its
        // outputs there are recomputed to the same bytes), so every channel runs on 32 lanes.
        _wideBlocks = _replicated ? _unitPixels * channels / WideBlockChannels : (channels + WideBlockChannels - 1) / WideBlockChannels;
        _lastWideStart = _replicated ? int.MaxValue : channels - WideBlockChannels;
        _sharedRows = !_replicated && g.FilterHeight == 3 && g.FilterWidth == 3 && g.StrideW == 1 && g.DilationW == 1 && g.DilationH == 1;
        _rows5x5 = !_replicated && _wideBlocks > 0 && g.FilterHeight == 5 && g.FilterWidth == 5 && g.StrideW == 1 && g.DilationW == 1 && g.DilationH == 1;
        _firstNarrowBlock = _replicated ? 0 : blocks;
        _wideWeights = new AlignedPinned<short>(_pairs * _wideBlocks * 2 * WideBlockChannels);
        _wideLanes = new AlignedPinned<int>(_wideBlocks * WideSlices * WideBlockChannels);
        at = 0;
        for (int pair = 0; pair < _pairs; pair++)
        for (int block = 0; block < _wideBlocks; block++)
        for (int half = 0; half < 2; half++)
        for (int lane = 0; lane < 16; lane++)
        for (int member = 0; member < 2; member++)
        {
            int tap = 2 * pair + member;
            _wideWeights.Span[at++] = (short)(tap < taps ? _weights[tap * channels + WideChannel(block, half, lane) % channels] : 0);
        }
        if (_rows5x5)
        {
            _rowWeights = new AlignedPinned<short>(RowSlots * _wideBlocks * 2 * WideBlockChannels);
            at = 0;
            for (int slot = 0; slot < RowSlots; slot++)
            for (int block = 0; block < _wideBlocks; block++)
            for (int half = 0; half < 2; half++)
            for (int lane = 0; lane < 16; lane++)
            {
                var (first, second) = RowSlotTaps(slot);
                int channel = WideChannel(block, half, lane);
                _rowWeights.Span[at++] = (short)_weights[first * channels + channel];
                _rowWeights.Span[at++] = (short)(second < 0 ? 0 : _weights[second * channels + channel]);
            }
            _rowInputSums = new AlignedPinned<int>(5 * _wideBlocks * WideBlockChannels);
            at = 0;
            for (int row = 0; row < 5; row++)
            for (int block = 0; block < _wideBlocks; block++)
            for (int half = 0; half < 2; half++)
            for (int lane = 0; lane < 16; lane++)
            {
                int channel = WideChannel(block, half, lane), sum = 0;
                for (int column = 0; column < 5; column++) sum += _weights[(row * 5 + column) * channels + channel];
                _rowInputSums.Span[at++] = unchecked(inputOffset * sum);
            }
        }
        (_shortRounding, _plainRounding) = (true, true);
        long largestInput = signed ? Math.Max(Math.Abs(sbyte.MinValue + inputOffset), Math.Abs(sbyte.MaxValue + inputOffset))
            : Math.Max(Math.Abs(inputOffset), Math.Abs(byte.MaxValue + inputOffset));
        int* wideLanes = _wideLanes.Pointer;
        for (int block = 0; block < _wideBlocks; block++)
        for (int half = 0; half < 2; half++)
        for (int lane = 0; lane < 16; lane++)
        {
            int channel = WideChannel(block, half, lane) % channels, blockStart = block * WideSlices * WideBlockChannels, slot = blockStart + half * 16 + lane;
            int shift = epilogue.Shifts[channel];
            _wideLanes.Span[slot + BiasSlice * WideBlockChannels] = _pairedBias.Span[channel];
            // |the true sum| ≤ |bias| + Σ_t |w_t + w_off| · max |x + x_off|: the bound the short form's proof needs.
            long sum = Math.Abs((long)_bias[channel]);
            for (int tap = 0; tap < taps; tap++) sum += Math.Abs((long)_weights[tap * channels + channel]) * largestInput;
            if (!ShortRequantization.TryConstants(sum, epilogue.Multipliers[channel], shift, epilogue.OutputOffset, out var constants))
            {
                _shortRounding = false;
                // The general steps read the multiplier and the left and right shift slices.
                constants = new ShortRequantization.ChannelConstants(epilogue.Multipliers[channel], 0, Math.Max(-shift, 0), 31, Math.Max(shift, 0));
            }
            _plainRounding &= constants.Plain;
            ShortRequantization.Write(half * 16 + lane, constants, wideLanes + blockStart + ShortSlices * WideBlockChannels, WideBlockChannels);
        }
        _finish = !_shortRounding || !epilogue.Saturates ? TileFinish.Other : _plainRounding ? TileFinish.SaturatedPlain : TileFinish.SaturatedShifted;
    }

    /// <summary>
    /// The weight pairs of <see cref="WideRowTile5x5{TBytes, TColumns, TFinish}"/>: slots 0–9 pair columns 0–1 and 2–3 of filter row
    /// slot / 2; slots 10–13 column 4 of rows slot − 10 and slot − 9; slots 14–18 column 4 of row slot − 14 alone
    /// (second tap −1: a zero weight).
    /// </summary>
    private const int RowSlots = 19, VerticalSlots = 10, SingleSlots = 14;

    private static (int First, int Second) RowSlotTaps(int slot) => slot switch
    {
        < VerticalSlots => (slot / 2 * 5 + slot % 2 * 2, slot / 2 * 5 + slot % 2 * 2 + 1),
        < SingleSlots => ((slot - VerticalSlots) * 5 + 4, (slot - VerticalSlots + 1) * 5 + 4),
        _ => ((slot - SingleSlots) * 5 + 4, -1),
    };

    /// <summary>The channel in lane <paramref name="lane"/> of the low (half 0) or high (half 1) accumulator of a 32-channel block.</summary>
    private int WideChannel(int block, int half, int lane) => WideStart(block) + lane / 4 * 8 + half * 4 + lane % 4;

    /// <summary>The first channel (or unit byte) of 32-channel block <paramref name="block"/>: the last block ends at the last channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int WideStart(int block) => Math.Min(block * WideBlockChannels, _lastWideStart);

    /// <summary>
    /// This kernel for a hybrid (dynamic-range) DEPTHWISE_CONV_2D — depth multiplier 1, an int8 filter, the input a
    /// quantized image q with a zero point z set per invoke — where every output pixel ends in a 32-lane block: at least
    /// 32 channels, or 8, 16 or 24 with rows of at least one tile. Its sums are the reference's Σ over the inside taps of
    /// w·(q − z) (the folded bias −z·Σ w, the outside taps reading z), exact in wrapping int32, and each block ends
    /// with the reference's float steps ((float)acc · f) · s_c + bias, max(·, min), min(·, max) on its lanes, then in
    /// channel order to the float output. Null where the shape takes another path.
    /// </summary>
    public static QuantizedDepthwiseCpuNode? TryHybrid(Tensor input, Tensor filter, Tensor output, ConvGeometry geometry, ReadOnlySpan<float> scales,
        ReadOnlySpan<float> bias, float min, float max)
    {
        var g = ConvLayout.Of(input, filter, output, geometry);
        var path = QuantizedIsas.Best(false) == QuantizedIsa.Scalar ? QuantizedIsa.Scalar : AvxVnni.IsSupported ? QuantizedIsa.AvxVnni : QuantizedIsa.Avx2;
        int channels = g.OutputDepth;
        // The int8 steps are never run in this mode: an identity epilogue only completes the constructor.
        var multipliers = new QuantizedMultiplier[channels];
        Array.Fill(multipliers, new QuantizedMultiplier(1 << 30, 1));
        var identity = new QuantizedEpilogue(new QuantizedConvParams(0, 0, 0, ImmutableArray.Create(multipliers), sbyte.MinValue, sbyte.MaxValue));
        var node = new QuantizedDepthwiseCpuNode(input, output, g, 1, filter.Bytes, default, identity, 0, 0, signed: true, path);
        bool wholeBlocks = node._replicated ? node._stripOffsets.Length > 0 : node._paired && node._firstNarrowBlock >= node._blockStarts.Length;
        if (node._wideBlocks == 0 || !wholeBlocks || g.InputDepth != channels) return null;
        node.EnableHybrid(scales, bias, min, max);
        return node;
    }

    private void EnableHybrid(ReadOnlySpan<float> scales, ReadOnlySpan<float> bias, float min, float max)
    {
        int channels = _g.OutputDepth, taps = _g.FilterHeight * _g.FilterWidth, blocks = _wideBlocks;
        (_hybrid, _finish, _hybridMin, _hybridMax) = (true, TileFinish.Other, min, max);
        _hybridLanes = new AlignedPinned<float>(blocks * WideSlices * WideBlockChannels);
        _weightSums = new int[blocks * WideBlockChannels];
        if (_rows5x5) _rowWeightSums = new int[5 * blocks * WideBlockChannels];
        for (int block = 0; block < blocks; block++)
        for (int half = 0; half < 2; half++)
        for (int lane = 0; lane < 16; lane++)
        {
            int channel = WideChannel(block, half, lane) % channels, slot = half * 16 + lane, sum = 0;
            for (int t = 0; t < taps; t++) sum += _weights[t * channels + channel];
            _weightSums[block * WideBlockChannels + slot] = sum;
            float* k = _hybridLanes.Pointer + block * WideSlices * WideBlockChannels;
            k[slot] = scales[channel];
            k[WideBlockChannels + slot] = bias.IsEmpty ? -0f : bias[channel]; // −0: adding it changes no value
            if (!_rows5x5) continue;
            for (int row = 0; row < 5; row++)
            {
                int rowSum = 0;
                for (int column = 0; column < 5; column++) rowSum += _weights[(row * 5 + column) * channels + channel];
                _rowWeightSums[(row * blocks + block) * WideBlockChannels + slot] = rowSum;
            }
        }
    }

    /// <summary>
    /// One image in the hybrid mode: <paramref name="image"/> its quantized values (q, int8) with zero point
    /// <paramref name="zero"/> and factor <paramref name="factor"/>, the float results to <paramref name="output"/>.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public void RunHybrid(sbyte* image, int zero, float factor, float* output, CpuThreadPool pool)
    {
        if (zero != _hybridZero)
        {
            // x_off = −z folded into the blocks' starting sums and the 5×5 rows' shares; the outside taps read z.
            int blocks = _wideBlocks;
            for (int block = 0; block < blocks; block++)
            {
                int* lanes = _wideLanes.Pointer + block * WideSlices * WideBlockChannels + BiasSlice * WideBlockChannels;
                for (int slot = 0; slot < WideBlockChannels; slot++) lanes[slot] = unchecked(-zero * _weightSums[block * WideBlockChannels + slot]);
            }
            for (int i = 0; i < _rowWeightSums.Length; i++) _rowInputSums.Span[i] = unchecked(-zero * _rowWeightSums[i]);
            fixed (byte* row = _zeroPointRow) Vectorized.Fills.Bytes(row, _zeroPointRow.Length, (byte)(sbyte)zero);
            _hybridZero = zero;
        }
        _x = (byte*)image;
        _y = null;
        _floatOutput = output;
        _hybridFactor = factor;
        pool.For(_g.OutputHeight, this, RunChunk);
    }

    /// <summary>
    /// A block's float epilogue in the hybrid mode: ((float)acc · f) · s_c + bias, max(·, min), min(·, max) in lane order
    /// (no fused multiply-add: the reference's operations), then the two accumulators' 4-lane groups interleaved back into
    /// channel order and stored at output element <paramref name="y"/> (a count from 0 in this mode).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinishFloat(Vector512<int> low, Vector512<int> high, int* blockLanes, byte* y)
    {
        float* k = _hybridLanes.Pointer + (blockLanes - _wideLanes.Pointer);
        var (factor, min, max) = (Vector512.Create(_hybridFactor), Vector512.Create(_hybridMin), Vector512.Create(_hybridMax));
        var lowValue = Vector512.ConvertToSingle(low) * factor * Vector512.Load(k) + Vector512.Load(k + WideBlockChannels);
        var highValue = Vector512.ConvertToSingle(high) * factor * Vector512.Load(k + 16) + Vector512.Load(k + WideBlockChannels + 16);
        (lowValue, highValue) = (Hybrid.HybridLanes.Clamp(lowValue, min, max), Hybrid.HybridLanes.Clamp(highValue, min, max));
        float* o = _floatOutput + (nint)y;
        // Low lanes hold channels [0–3, 8–11, 16–19, 24–27], high ones [4–7, 12–15, 20–23, 28–31].
        Avx512F.PermuteVar16x32x2(lowValue, Vector512.Create(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), highValue).Store(o);
        Avx512F.PermuteVar16x32x2(lowValue, Vector512.Create(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), highValue).Store(o + 16);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        if (_repeated is not null) _x = _repeated.Fill(_x);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        var g = _g;
        int channels = g.OutputDepth, cin = g.InputDepth;
        if (_replicated)
        {
            byte** tapPointers = stackalloc byte*[g.FilterHeight * g.FilterWidth + 1];
            byte* strip = stackalloc byte[g.FilterHeight * _stripStride];
            for (int item = start; item < end; item++) ReplicatedRow(item / g.OutputHeight, item % g.OutputHeight, tapPointers, strip);
            return;
        }
        if (_paired)
        {
            byte** taps = stackalloc byte*[g.FilterHeight * g.FilterWidth + 1];
            for (int item = start; item < end; item++) PairedRow(item / g.OutputHeight, item % g.OutputHeight, taps);
            return;
        }
        int* acc = stackalloc int[(channels + 7) / 8 * 8];
        int* weights = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_weights));
        int* bias = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bias));
        bool vector = _isa != QuantizedIsa.Scalar && _multiplier == 1;
        // Without AVX2 (arm64's NEON, x86 with AVX off): 4 channels a step on Vector128 where the depth multiplier is 1,
        // the same int32 products and sums as the plain loop below; ACCEL_CPU_SIMD=scalar keeps the plain loop.
        bool lanes4 = !vector && _multiplier == 1 && Vector128.IsHardwareAccelerated && SimdPath.ForcedLanes != 1;
        var offset4 = Vector128.Create(_inputOffset);
        for (int item = start; item < end; item++)
        {
            int oy = item % g.OutputHeight, b = item / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            if (vector)
            {
                VectorRow(b, oy, 0, g.OutputWidth);
                continue;
            }
            for (int ox = 0; ox < g.OutputWidth; ox++)
            {
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                new ReadOnlySpan<int>(bias, channels).CopyTo(new Span<int>(acc, channels));
                for (int ky = 0; ky < g.FilterHeight; ky++)
                {
                    int iy = iyOrigin + ky * g.DilationH;
                    if (iy < 0 || iy >= g.InputHeight) continue;
                    for (int kx = 0; kx < g.FilterWidth; kx++)
                    {
                        int ix = ixOrigin + kx * g.DilationW;
                        if (ix < 0 || ix >= g.InputWidth) continue;
                        byte* x = _x + ((nint)(b * g.InputHeight + iy) * g.InputWidth + ix) * cin;
                        int* w = weights + (ky * g.FilterWidth + kx) * channels;
                        int c = 0;
                        if (vector)
                        {
                            var offset = Vector256.Create(_inputOffset);
                            for (; c + 8 <= channels; c += 8)
                            {
                                var xv = ByteWidening.Widen8(x + c, _signed);
                                var product = Avx2.MultiplyLow(Avx2.Add(xv, offset), Avx.LoadVector256(w + c));
                                Avx.Store(acc + c, Avx2.Add(Avx.LoadVector256(acc + c), product));
                            }
                        }
                        if (lanes4)
                        {
                            for (; c + 4 <= channels; c += 4)
                                Vector128.Store(Vector128.Load(acc + c) + (Widen4(x + c, _signed) + offset4) * Vector128.Load(w + c), acc + c);
                        }
                        for (; c < channels; c++)
                        {
                            int ic = c / _multiplier;
                            acc[c] = unchecked(acc[c] + ((_signed ? (sbyte)x[ic] : x[ic]) + _inputOffset) * w[c]);
                        }
                    }
                }
                byte* y = _y + ((nint)(b * g.OutputHeight + oy) * g.OutputWidth + ox) * channels;
                bool vectorEpilogue = _isa != QuantizedIsa.Scalar;
                for (int c = 0; c < channels; c += 8) _epilogue.Apply8(acc + c, c, Math.Min(8, channels - c), y + c, vectorEpilogue);
            }
        }
    }

    /// <summary>Four 8-bit values at <paramref name="x"/> as int32 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Widen4(byte* x, bool signed) => signed
        ? Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(int*)x).AsSByte()))
        : Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(*(int*)x).AsByte())).AsInt32();

    /// <summary>
    /// One output row with depth multiplier 1 on AVX2: per pixel and 8-channel group the int32 sums stay in a register
    /// from the bias through the in-bounds taps to the requantization; the last channels (fewer than 8) one by one.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void VectorRow(int b, int oy, int from, int to)
    {
        var g = _g;
        int* weights = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_weights));
        int* bias = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_bias));
        int channels = g.OutputDepth;
        int iyOrigin = oy * g.StrideH - g.PadTop;
        int kyStart = ConvLoops.FirstTap(iyOrigin, g.DilationH), kyEnd = ConvLoops.EndTap(iyOrigin, g.DilationH, g.InputHeight, g.FilterHeight);
        var offset = Vector256.Create(_inputOffset);
        for (int ox = from; ox < to; ox++)
        {
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int kxStart = ConvLoops.FirstTap(ixOrigin, g.DilationW), kxEnd = ConvLoops.EndTap(ixOrigin, g.DilationW, g.InputWidth, g.FilterWidth);
            byte* y = _y + ((nint)(b * g.OutputHeight + oy) * g.OutputWidth + ox) * channels;
            int c = 0;
            for (; c + 8 <= channels; c += 8)
            {
                var acc = Avx.LoadVector256(bias + c);
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    byte* row = _x + ((nint)(b * g.InputHeight + iyOrigin + ky * g.DilationH) * g.InputWidth) * channels + c;
                    int* w = weights + ky * g.FilterWidth * channels + c;
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        byte* x = row + (nint)(ixOrigin + kx * g.DilationW) * channels;
                        var xv = ByteWidening.Widen8(x, _signed);
                        acc = Avx2.Add(acc, Avx2.MultiplyLow(Avx2.Add(xv, offset), Avx.LoadVector256(w + kx * channels)));
                    }
                }
                QuantizedEpilogue.Store8(_epilogue.Requantize(acc, c), y + c, 8);
            }
            for (; c < channels; c++)
            {
                int acc = bias[c];
                for (int ky = kyStart; ky < kyEnd; ky++)
                for (int kx = kxStart; kx < kxEnd; kx++)
                {
                    byte* x = _x + ((nint)(b * g.InputHeight + iyOrigin + ky * g.DilationH) * g.InputWidth + ixOrigin + kx * g.DilationW) * channels + c;
                    acc = unchecked(acc + ((_signed ? (sbyte)*x : *x) + _inputOffset) * weights[(ky * g.FilterWidth + kx) * channels + c]);
                }
                y[c] = _epilogue.Apply(acc, c);
            }
        }
    }

    /// <summary>
    /// One output row on the paired path. Pixels whose taps are all inside the input read them at fixed offsets from
    /// the pixel's origin, <see cref="InteriorPixels"/> of them at a time (each weight pair loaded once for all);
    /// the others (<see cref="BorderPixel"/>) gather a pointer per tap first, the zero-point row for taps outside.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void PairedRow(int b, int oy, byte** taps)
    {
        var g = _g;
        int channels = g.OutputDepth;
        int iyOrigin = oy * g.StrideH - g.PadTop;
        byte* outputRow = _y + (nint)(b * g.OutputHeight + oy) * g.OutputWidth * channels;
        int interiorBegin = g.OutputWidth, interiorEnd = g.OutputWidth;
        // A 3×3 or 5×5 row with a filter row inside the input runs wholly in tiles (EdgeTiledRow), over the filter rows
        // inside it [rowBegin, rowEnd) (dilation 1 there).
        int rowBegin = 0, rowEnd = g.FilterHeight;
        bool rowsInside = iyOrigin >= 0 && iyOrigin + (g.FilterHeight - 1) * g.DilationH < g.InputHeight;
        if (!rowsInside && (_rows5x5 || _sharedRows)) (rowBegin, rowEnd) = (Math.Max(-iyOrigin, 0), Math.Min(g.InputHeight - iyOrigin, g.FilterHeight));
        if ((_rows5x5 || _sharedRows) && rowBegin < rowEnd && g.OutputWidth >= InteriorPixels)
        {
            EdgeTiledRow(b, iyOrigin, rowBegin, rowEnd, outputRow);
            return;
        }
        if (rowsInside)
        {
            interiorBegin = Math.Min((g.PadLeft + g.StrideW - 1) / g.StrideW, g.OutputWidth);
            int room = g.InputWidth - 1 - (g.FilterWidth - 1) * g.DilationW + g.PadLeft;
            interiorEnd = room < 0 ? interiorBegin : Math.Clamp(room / g.StrideW + 1, interiorBegin, g.OutputWidth);
        }
        int ox = 0;
        for (; ox < interiorBegin; ox++) BorderPixel(b, iyOrigin, ox, taps, outputRow + (nint)ox * channels);
        byte* inputRow = _x + (nint)(b * g.InputHeight + iyOrigin) * g.InputWidth * channels;
        for (; ox < interiorEnd; ox += InteriorPixels)
        {
            int count = Math.Min(InteriorPixels, interiorEnd - ox);
            if (count < InteriorPixels)
            {
                // Fewer than a tile left: step back over pixels already written (same bytes again) when the row allows it.
                if (interiorEnd - interiorBegin >= InteriorPixels) ox = interiorEnd - InteriorPixels;
                else
                {
                    for (; ox < interiorEnd; ox++) BorderPixel(b, iyOrigin, ox, taps, outputRow + (nint)ox * channels);
                    break;
                }
            }
            InteriorTile(inputRow + (nint)(ox * g.StrideW - g.PadLeft) * channels, (nint)g.StrideW * channels, outputRow + (nint)ox * channels, 0, g.FilterHeight);
        }
        for (ox = Math.Max(ox, interiorEnd); ox < g.OutputWidth; ox++) BorderPixel(b, iyOrigin, ox, taps, outputRow + (nint)ox * channels);
    }

    /// <summary>
    /// One output row of a 3×3 or 5×5 filter (<see cref="_sharedRows"/>, <see cref="_rows5x5"/>: horizontal stride 1,
    /// no dilation) whose filter rows [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>) lie inside the input,
    /// all in tiles of <see cref="InteriorPixels"/> pixels (the last one stepped back over pixels already written). A
    /// tile whose window leaves the input (the left and right edges, the top and bottom rows) reads the zero-point
    /// row for its columns and 3×3 rows outside, whose (zp + x_off) · w is 0 — the reference skips those taps — and
    /// skips a 5×5 row outside (its x_off · Σ w out of the folded bias). Every channel is in a 32-channel block here
    /// (the last one overlapping), so there is no 16-channel block left for the per-pixel path.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void EdgeTiledRow(int b, int iyOrigin, int rowBegin, int rowEnd, byte* outputRow)
    {
        var g = _g;
        int channels = g.OutputDepth, span = InteriorPixels + g.FilterWidth - 1; // input columns a tile reads
        bool rowsInside = rowBegin == 0 && rowEnd == g.FilterHeight;
        byte* inputRow = _x + (nint)(b * g.InputHeight + iyOrigin) * g.InputWidth * channels;
        for (int ox = 0; ox < g.OutputWidth; ox += InteriorPixels)
        {
            ox = Math.Min(ox, g.OutputWidth - InteriorPixels);
            int ix = ox - g.PadLeft, columnBegin = Math.Max(-ix, 0), columnEnd = Math.Min(g.InputWidth - ix, span);
            byte* origin = inputRow + (nint)ix * channels, y = outputRow + (nint)ox * channels;
            if (columnBegin == 0 && columnEnd == span && (rowsInside || _rows5x5)) InteriorTile(origin, channels, y, rowBegin, rowEnd);
            else if (_signed) ClippedTile<SignedBytes>(origin, y, rowBegin, rowEnd, columnBegin, columnEnd);
            else ClippedTile<UnsignedBytes>(origin, y, rowBegin, rowEnd, columnBegin, columnEnd);
        }
    }

    /// <summary>The 32-channel blocks of an edge tile: the 3×3 or 5×5 tile reading the zero-point row outside the window.</summary>
    [MethodImpl(JitHints.Hot)]
    private void ClippedTile<TBytes>(byte* origin, byte* y, int rowBegin, int rowEnd, int columnBegin, int columnEnd) where TBytes : struct, IWidenBytes
    {
        var window = new TileWindow(columnBegin, columnEnd, (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_zeroPointRow)));
        if (_sharedRows) RunWideInteriorTile3x3<TBytes, ClippedColumns>(origin, y, rowBegin, rowEnd, window);
        else RunWideRowTile5x5<TBytes, ClippedColumns>(origin, y, rowBegin, rowEnd, window);
    }

    /// <summary>
    /// The input columns [<see cref="Begin"/>, <see cref="End"/>) of a tile's window that lie inside the input (0 is the
    /// tile's first column), and the zero-point row its other columns read.
    /// </summary>
    private readonly struct TileWindow(int begin, int end, byte* zeroPoint)
    {
        public readonly int Begin = begin, End = end;
        public readonly byte* ZeroPoint = zeroPoint;
    }

    /// <summary>Whether a tile's window may leave the input (a type, so the interior tiles carry no test).</summary>
    private interface IColumns
    {
        static abstract bool Clipped { get; }
    }

    private readonly struct AllColumns : IColumns
    {
        public static bool Clipped => false;
    }

    private readonly struct ClippedColumns : IColumns
    {
        public static bool Clipped => true;
    }

    /// <summary>Columns 0–5 of a 3×3 tile's filter row at <paramref name="row"/> (block <paramref name="c"/>), widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenSix<TBytes, TColumns>(byte* row, nint channels, in TileWindow window, nint c,
        out Vector512<short> v0, out Vector512<short> v1, out Vector512<short> v2, out Vector512<short> v3, out Vector512<short> v4, out Vector512<short> v5)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns
    {
        v0 = TBytes.Widen(Column<TColumns>(row, channels, 0, window, c));
        v1 = TBytes.Widen(Column<TColumns>(row, channels, 1, window, c));
        v2 = TBytes.Widen(Column<TColumns>(row, channels, 2, window, c));
        v3 = TBytes.Widen(Column<TColumns>(row, channels, 3, window, c));
        v4 = TBytes.Widen(Column<TColumns>(row, channels, 4, window, c));
        v5 = TBytes.Widen(Column<TColumns>(row, channels, 5, window, c));
    }

    /// <summary>
    /// Block <paramref name="c"/> of input column <paramref name="column"/> of a tile's filter row at <paramref name="row"/>
    /// (column 0 at the row's block), or of the zero-point row where the window leaves the input there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* Column<TColumns>(byte* row, nint channels, int column, in TileWindow window, nint c) where TColumns : struct, IColumns =>
        TColumns.Clipped && (uint)(column - window.Begin) >= (uint)(window.End - window.Begin) ? window.ZeroPoint + c : row + column * channels;

    /// <summary>
    /// One output row with 8, 16 or 24 channels and horizontal stride 1 (<see cref="_replicated"/>): in units of 4, 2 or
    /// 4 adjacent pixels (32, 32 or 96 bytes: one or three whole 32-lane blocks; their inputs and outputs are adjacent
    /// too), <see cref="InteriorPixels"/> units per tile. A row of at least one tile runs wholly in tiles
    /// (<see cref="TiledRow"/>); a narrower one runs its interior pixels in tiles, then single units (the last one stepped
    /// back over pixels already written), and the other pixels through the 16-channel paired path (16 and 24 channels)
    /// or the 8-lane path (8 channels).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void ReplicatedRow(int b, int oy, byte** taps, byte* strip)
    {
        var g = _g;
        int channels = g.OutputDepth, unit = _unitPixels, tile = InteriorPixels * unit;
        nint unitBytes = (nint)unit * channels;
        int iyOrigin = oy * g.StrideH - g.PadTop;
        byte* outputRow = _y + (nint)(b * g.OutputHeight + oy) * g.OutputWidth * channels;
        if (_stripOffsets.Length > 0)
        {
            TiledRow(b, iyOrigin, outputRow, strip);
            return;
        }
        int interiorBegin = g.OutputWidth, interiorEnd = g.OutputWidth;
        if (iyOrigin >= 0 && iyOrigin + (g.FilterHeight - 1) * g.DilationH < g.InputHeight)
        {
            interiorBegin = Math.Min(g.PadLeft, g.OutputWidth);
            int room = g.InputWidth - 1 - (g.FilterWidth - 1) * g.DilationW + g.PadLeft;
            interiorEnd = room < 0 ? interiorBegin : Math.Clamp(room + 1, interiorBegin, g.OutputWidth);
        }
        Edge(b, oy, iyOrigin, 0, interiorBegin, taps, outputRow);
        int ox = interiorBegin;
        if (interiorEnd - interiorBegin >= unit)
        {
            byte* inputRow = _x + ((nint)(b * g.InputHeight + iyOrigin) * g.InputWidth - g.PadLeft) * channels;
            for (; ox + tile <= interiorEnd; ox += tile)
            {
                if (_signed) RunWideInteriorTile<SignedBytes>(inputRow + (nint)ox * channels, unitBytes, outputRow + (nint)ox * channels, unitBytes);
                else RunWideInteriorTile<UnsignedBytes>(inputRow + (nint)ox * channels, unitBytes, outputRow + (nint)ox * channels, unitBytes);
            }
            for (; ox < interiorEnd; ox += unit)
            {
                ox = Math.Min(ox, interiorEnd - unit);
                nint* offsets = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
                byte* origin = inputRow + (nint)ox * channels;
                for (int t = 0; t < g.FilterHeight * g.FilterWidth; t++) taps[t] = origin + offsets[t];
                if (_signed) WideBorderPixel<SignedBytes>(taps, outputRow + (nint)ox * channels);
                else WideBorderPixel<UnsignedBytes>(taps, outputRow + (nint)ox * channels);
            }
        }
        Edge(b, oy, iyOrigin, ox, g.OutputWidth, taps, outputRow);
    }

    /// <summary>
    /// A whole output row on the replicated path in tiles (the last one stepped back over pixels already written): a tile
    /// whose taps all lie inside the input reads them there; any other — in a row whose filter rows leave the input, or
    /// at either end of a row — reads a strip of its input columns copied with the zero point around them
    /// (<see cref="FillStrip"/>): a zero-point tap adds (x + x_off)·w = 0, as the reference's skipped tap does. The
    /// border pixels had taken a scalar or 8-lane path of their own, several times a tile's cost per pixel.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void TiledRow(int b, int iyOrigin, byte* outputRow, byte* strip)
    {
        var g = _g;
        int channels = g.OutputDepth, tile = InteriorPixels * _unitPixels, reach = (g.FilterWidth - 1) * g.DilationW;
        nint unitBytes = (nint)_unitPixels * channels;
        bool rowInside = iyOrigin >= 0 && iyOrigin + (g.FilterHeight - 1) * g.DilationH < g.InputHeight;
        nint* inside = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
        nint* stripped = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_stripOffsets));
        for (int ox = 0; ox < g.OutputWidth; ox += tile)
        {
            ox = Math.Min(ox, g.OutputWidth - tile);
            int column = ox - g.PadLeft; // the tile's first tap column
            byte* y = outputRow + (nint)ox * channels;
            byte* origin = strip;
            nint* offsets = stripped;
            if (rowInside && column >= 0 && column + tile - 1 + reach < g.InputWidth)
            {
                origin = _x + ((nint)(b * g.InputHeight + iyOrigin) * g.InputWidth + column) * channels;
                offsets = inside;
            }
            else FillStrip(b, iyOrigin, column, strip);
            if (_signed) RunWideInteriorTile<SignedBytes>(origin, unitBytes, y, unitBytes, offsets);
            else RunWideInteriorTile<UnsignedBytes>(origin, unitBytes, y, unitBytes, offsets);
        }
    }

    /// <summary>
    /// Each filter row's input columns [<paramref name="column"/>, + tile + reach) into <paramref name="strip"/>
    /// (<see cref="_stripStride"/> bytes a row), the zero point where the column or the row lies outside the input.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void FillStrip(int b, int iyOrigin, int column, byte* strip)
    {
        var g = _g;
        int channels = g.OutputDepth;
        for (int ky = 0; ky < g.FilterHeight; ky++, strip += _stripStride)
        {
            int iy = iyOrigin + ky * g.DilationH;
            byte* row = (uint)iy < (uint)g.InputHeight ? _x + (nint)(b * g.InputHeight + iy) * g.InputWidth * channels : null;
            ZeroPointStrip.Fill(strip, row, column, _stripStride / channels, g.InputWidth, channels, _zeroPointRow[0]);
        }
    }

    /// <summary>Pixels [from, to) of a row on the replicated path: the 16-channel paired path or the 8-lane one.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Edge(int b, int oy, int iyOrigin, int from, int to, byte** taps, byte* outputRow)
    {
        if (from >= to) return;
        if (_paired)
            for (int ox = from; ox < to; ox++) BorderPixel(b, iyOrigin, ox, taps, outputRow + (nint)ox * _g.OutputDepth);
        else VectorRow(b, oy, from, to);
    }

    /// <summary>Output pixels per interior tile: 4 × 2 accumulators per block, each weight pair loaded once.</summary>
    private const int InteriorPixels = 4;

    /// <summary>
    /// <see cref="InteriorPixels"/> pixels from <paramref name="origin"/> (their first tap), <paramref name="step"/> bytes
    /// apart; filter rows outside [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>) only with <see cref="_rows5x5"/>
    /// (then only the 32-channel blocks).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void InteriorTile(byte* origin, nint step, byte* y, int rowBegin, int rowEnd)
    {
        int channels = _g.OutputDepth, pairs = _pairs, blocks = _blockStarts.Length;
        short* weights = _pairedWeights.Pointer;
        nint* offsets = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
        int* bias = _pairedBias.Pointer;
        int pairStride = blocks * 2 * PairedBlockChannels;
        bool vnni = _isa == QuantizedIsa.AvxVnni, signed = _signed;
        byte* p0 = origin, p1 = origin + step, p2 = origin + 2 * step, p3 = origin + 3 * step;
        if (_wideBlocks > 0)
        {
            if (_sharedRows)
            {
                if (signed) RunWideInteriorTile3x3<SignedBytes, AllColumns>(origin, y, 0, 3, default);
                else RunWideInteriorTile3x3<UnsignedBytes, AllColumns>(origin, y, 0, 3, default);
            }
            else if (_rows5x5)
            {
                if (signed) RunWideRowTile5x5<SignedBytes, AllColumns>(origin, y, rowBegin, rowEnd, default);
                else RunWideRowTile5x5<UnsignedBytes, AllColumns>(origin, y, rowBegin, rowEnd, default);
            }
            else if (signed) RunWideInteriorTile<SignedBytes>(origin, step, y, channels);
            else RunWideInteriorTile<UnsignedBytes>(origin, step, y, channels);
        }
        if (rowBegin != 0 || rowEnd != _g.FilterHeight) return; // a partial 5×5 row: its channels are all in 32-channel blocks
        for (int block = _firstNarrowBlock; block < blocks; block++)
        {
            int c = _blockStarts[block];
            short* w = weights + block * 2 * PairedBlockChannels;
            Vector256<int> l0 = default, h0 = default, l1 = default, h1 = default, l2 = default, h2 = default, l3 = default, h3 = default;
            for (int pair = 0; pair < pairs; pair++, w += pairStride)
            {
                nint first = offsets[2 * pair] + c, second = offsets[2 * pair + 1] + c;
                var wl = Avx.LoadVector256(w);
                var wh = Avx.LoadVector256(w + PairedBlockChannels);
                Accumulate(p0 + first, p0 + second, wl, wh, ref l0, ref h0, signed, vnni);
                Accumulate(p1 + first, p1 + second, wl, wh, ref l1, ref h1, signed, vnni);
                Accumulate(p2 + first, p2 + second, wl, wh, ref l2, ref h2, signed, vnni);
                Accumulate(p3 + first, p3 + second, wl, wh, ref l3, ref h3, signed, vnni);
            }
            var lowerBias = Avx.LoadVector256(bias + c);
            var upperBias = Avx.LoadVector256(bias + c + 8);
            Finish(l0, h0, lowerBias, upperBias, c, y + c, signed);
            Finish(l1, h1, lowerBias, upperBias, c, y + channels + c, signed);
            Finish(l2, h2, lowerBias, upperBias, c, y + 2 * channels + c, signed);
            Finish(l3, h3, lowerBias, upperBias, c, y + 3 * channels + c, signed);
        }
    }

    /// <summary>
    /// One output pixel with some taps outside the input: a pointer per tap, the zero-point row for those outside.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void BorderPixel(int b, int iyOrigin, int ox, byte** taps, byte* y)
    {
        var g = _g;
        int channels = g.OutputDepth, tapCount = g.FilterHeight * g.FilterWidth, pairs = _pairs, blocks = _blockStarts.Length;
        byte* zeroPoint = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_zeroPointRow));
        short* weights = _pairedWeights.Pointer;
        int* bias = _pairedBias.Pointer;
        int pairStride = blocks * 2 * PairedBlockChannels;
        bool vnni = _isa == QuantizedIsa.AvxVnni, signed = _signed;
        taps[tapCount] = zeroPoint;
        int ixOrigin = ox * g.StrideW - g.PadLeft;
        for (int ky = 0, t = 0; ky < g.FilterHeight; ky++)
        {
            int iy = iyOrigin + ky * g.DilationH;
            bool rowInside = (uint)iy < (uint)g.InputHeight;
            byte* row = _x + (nint)(b * g.InputHeight + iy) * g.InputWidth * channels;
            for (int kx = 0; kx < g.FilterWidth; kx++, t++)
            {
                int ix = ixOrigin + kx * g.DilationW;
                taps[t] = rowInside && (uint)ix < (uint)g.InputWidth ? row + (nint)ix * channels : zeroPoint;
            }
        }
        if (_wideBlocks > 0 && !_replicated)
        {
            if (signed) WideBorderPixel<SignedBytes>(taps, y);
            else WideBorderPixel<UnsignedBytes>(taps, y);
        }
        for (int block = _firstNarrowBlock; block < blocks; block++)
        {
            int c = _blockStarts[block];
            short* w = weights + block * 2 * PairedBlockChannels;
            Vector256<int> low = default, high = default;
            for (int pair = 0; pair < pairs; pair++, w += pairStride)
                Accumulate(taps[2 * pair] + c, taps[2 * pair + 1] + c, Avx.LoadVector256(w), Avx.LoadVector256(w + PairedBlockChannels),
                    ref low, ref high, signed, vnni);
            Finish(low, high, Avx.LoadVector256(bias + c), Avx.LoadVector256(bias + c + 8), c, y + c, signed);
        }
    }

    /// <summary>
    /// The 32-channel blocks of <see cref="InteriorPixels"/> pixels (AVX-512BW): per tap pair the two taps' 32 inputs
    /// widened to int16 and interleaved per channel (<c>vpunpcklwd</c>/<c>vpunpckhwd</c>), one <c>vpmaddwd</c> per
    /// 16 channels, the sums started at the folded bias; an odd last tap pairs with itself against a zero weight.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void WideInteriorTile<TBytes, TFinish>(byte* origin, nint step, byte* y, nint outputStep, nint* offsets) where TBytes : struct, IWidenBytes
        where TFinish : struct, ITileFinish
    {
        int fullPairs = _g.FilterHeight * _g.FilterWidth / 2, blocks = _wideBlocks;
        bool oddTap = (_g.FilterHeight * _g.FilterWidth & 1) != 0;
        short* weights = _wideWeights.Pointer;
        int* lanes = _wideLanes.Pointer;
        nint pairStride = blocks * 2 * WideBlockChannels;
        for (int block = 0; block < blocks; block++)
        {
            nint c = WideStart(block);
            byte* p0 = origin + c, p1 = p0 + step, p2 = p1 + step, p3 = p2 + step;
            short* w = weights + block * 2 * WideBlockChannels;
            int* blockLanes = lanes + block * WideSlices * WideBlockChannels;
            var l0 = Avx512F.LoadVector512(blockLanes);
            var h0 = Avx512F.LoadVector512(blockLanes + 16);
            Vector512<int> l1 = l0, h1 = h0, l2 = l0, h2 = h0, l3 = l0, h3 = h0;
            for (int pair = 0; pair < fullPairs; pair++, w += pairStride)
            {
                nint first = offsets[2 * pair], second = offsets[2 * pair + 1];
                var wl = Avx512F.LoadVector512(w);
                var wh = Avx512F.LoadVector512(w + WideBlockChannels);
                AccumulateWide(TBytes.Widen(p0 + first), TBytes.Widen(p0 + second), wl, wh, ref l0, ref h0);
                AccumulateWide(TBytes.Widen(p1 + first), TBytes.Widen(p1 + second), wl, wh, ref l1, ref h1);
                AccumulateWide(TBytes.Widen(p2 + first), TBytes.Widen(p2 + second), wl, wh, ref l2, ref h2);
                AccumulateWide(TBytes.Widen(p3 + first), TBytes.Widen(p3 + second), wl, wh, ref l3, ref h3);
            }
            if (oddTap)
            {
                nint last = offsets[2 * fullPairs];
                var wl = Avx512F.LoadVector512(w);
                var wh = Avx512F.LoadVector512(w + WideBlockChannels);
                var a0 = TBytes.Widen(p0 + last);
                var a1 = TBytes.Widen(p1 + last);
                var a2 = TBytes.Widen(p2 + last);
                var a3 = TBytes.Widen(p3 + last);
                AccumulateWide(a0, a0, wl, wh, ref l0, ref h0);
                AccumulateWide(a1, a1, wl, wh, ref l1, ref h1);
                AccumulateWide(a2, a2, wl, wh, ref l2, ref h2);
                AccumulateWide(a3, a3, wl, wh, ref l3, ref h3);
            }
            TFinish.Finish(this, l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y + c, outputStep);
        }
    }

    /// <summary>
    /// <see cref="WideInteriorTile{TBytes, TFinish}"/> for a 3×3 filter with horizontal stride 1 and no dilation (<see cref="_sharedRows"/>):
    /// the four pixels' taps in one filter row are six adjacent input pixels, so each is widened once (18 widenings per
    /// block instead of 36), and the last tap (paired with a zero weight) reuses the interleaved pairs of taps 6 and 7
    /// of the pixels two to the right. The tap pairs, the weights and the sums are those of the general tile, so the
    /// bits are too.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void WideInteriorTile3x3<TBytes, TColumns, TFinish>(byte* origin, byte* y, int rowBegin, int rowEnd, in TileWindow window)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns where TFinish : struct, ITileFinish
    {
        // A filter row outside the input reads the zero-point row in every column (an empty window).
        var empty = new TileWindow(0, 0, window.ZeroPoint);
        TileWindow w0 = rowBegin <= 0 ? window : empty, w1 = rowBegin <= 1 && rowEnd > 1 ? window : empty, w2 = rowEnd > 2 ? window : empty;
        int blocks = _wideBlocks;
        nint channels = _g.OutputDepth;
        short* weights = _wideWeights.Pointer;
        int* lanes = _wideLanes.Pointer;
        nint* offsets = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
        nint pairStride = blocks * 2 * WideBlockChannels, row1 = offsets[3], row2 = offsets[6];
        for (int block = 0; block < blocks; block++)
        {
            nint c = WideStart(block);
            byte* r0 = origin + c, r1 = r0 + row1, r2 = r0 + row2;
            short* w = weights + block * 2 * WideBlockChannels;
            int* blockLanes = lanes + block * WideSlices * WideBlockChannels;
            var l0 = Avx512F.LoadVector512(blockLanes);
            var h0 = Avx512F.LoadVector512(blockLanes + 16);
            Vector512<int> l1 = l0, h1 = h0, l2 = l0, h2 = h0, l3 = l0, h3 = h0;

            // Taps 0 and 1 (row 0, columns 0–1), then 2 and 3 (row 0 column 2, row 1 column 0).
            WidenSix<TBytes, TColumns>(r0, channels, w0, c, out var a0, out var a1, out var a2, out var a3, out var a4, out var a5);
            var wl = Avx512F.LoadVector512(w);
            var wh = Avx512F.LoadVector512(w + WideBlockChannels);
            AccumulateWide(a0, a1, wl, wh, ref l0, ref h0);
            AccumulateWide(a1, a2, wl, wh, ref l1, ref h1);
            AccumulateWide(a2, a3, wl, wh, ref l2, ref h2);
            AccumulateWide(a3, a4, wl, wh, ref l3, ref h3);
            var b0 = TBytes.Widen(Column<TColumns>(r1, channels, 0, w1, c));
            var b1 = TBytes.Widen(Column<TColumns>(r1, channels, 1, w1, c));
            var b2 = TBytes.Widen(Column<TColumns>(r1, channels, 2, w1, c));
            var b3 = TBytes.Widen(Column<TColumns>(r1, channels, 3, w1, c));
            wl = Avx512F.LoadVector512(w + pairStride);
            wh = Avx512F.LoadVector512(w + pairStride + WideBlockChannels);
            AccumulateWide(a2, b0, wl, wh, ref l0, ref h0);
            AccumulateWide(a3, b1, wl, wh, ref l1, ref h1);
            AccumulateWide(a4, b2, wl, wh, ref l2, ref h2);
            AccumulateWide(a5, b3, wl, wh, ref l3, ref h3);

            // Taps 4 and 5 (row 1, columns 1–2).
            var b4 = TBytes.Widen(Column<TColumns>(r1, channels, 4, w1, c));
            var b5 = TBytes.Widen(Column<TColumns>(r1, channels, 5, w1, c));
            wl = Avx512F.LoadVector512(w + 2 * pairStride);
            wh = Avx512F.LoadVector512(w + 2 * pairStride + WideBlockChannels);
            AccumulateWide(b1, b2, wl, wh, ref l0, ref h0);
            AccumulateWide(b2, b3, wl, wh, ref l1, ref h1);
            AccumulateWide(b3, b4, wl, wh, ref l2, ref h2);
            AccumulateWide(b4, b5, wl, wh, ref l3, ref h3);

            // Taps 6 and 7 (row 2, columns 0–1) and tap 8 (row 2, column 2, against a zero second weight): pixel j's
            // last tap is the first member of the pair (column j + 2, column j + 3) that taps 6 and 7 of pixel j + 2 use.
            WidenSix<TBytes, TColumns>(r2, channels, w2, c, out var d0, out var d1, out var d2, out var d3, out var d4, out var d5);
            var p2Low = Avx512BW.UnpackLow(d2, d3);
            var p2High = Avx512BW.UnpackHigh(d2, d3);
            var p3Low = Avx512BW.UnpackLow(d3, d4);
            var p3High = Avx512BW.UnpackHigh(d3, d4);
            wl = Avx512F.LoadVector512(w + 3 * pairStride);
            wh = Avx512F.LoadVector512(w + 3 * pairStride + WideBlockChannels);
            AccumulateWide(d0, d1, wl, wh, ref l0, ref h0);
            AccumulateWide(d1, d2, wl, wh, ref l1, ref h1);
            AccumulatePairs(p2Low, p2High, wl, wh, ref l2, ref h2);
            AccumulatePairs(p3Low, p3High, wl, wh, ref l3, ref h3);
            wl = Avx512F.LoadVector512(w + 4 * pairStride);
            wh = Avx512F.LoadVector512(w + 4 * pairStride + WideBlockChannels);
            AccumulatePairs(p2Low, p2High, wl, wh, ref l0, ref h0);
            AccumulatePairs(p3Low, p3High, wl, wh, ref l1, ref h1);
            AccumulateWide(d4, d5, wl, wh, ref l2, ref h2);
            AccumulateWide(d5, d5, wl, wh, ref l3, ref h3);

            TFinish.Finish(this, l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y + c, channels);
        }
    }

    /// <summary>
    /// <see cref="WideInteriorTile{TBytes, TFinish}"/> for a 5×5 filter with horizontal stride 1 and no dilation (<see cref="_rows5x5"/>)
    /// over filter rows [<paramref name="rowBegin"/>, <paramref name="rowEnd"/>): the taps pair within a filter row (columns
    /// 0–1 and 2–3, <see cref="HorizontalRow{TBytes, TColumns}"/>: the four pixels' eight input pixels widened once, the pairs at
    /// columns 2–3 shared with the next pixels' 0–1), and column 4 of two rows at a time (one alone against a zero weight
    /// when the count is odd). A row outside the input is skipped, its x_off · Σ w taken out of the folded bias. Every
    /// sum is the same integer as the general tile's in another order, so the bits are too.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void WideRowTile5x5<TBytes, TColumns, TFinish>(byte* origin, byte* y, int rowBegin, int rowEnd, in TileWindow window)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns where TFinish : struct, ITileFinish
    {
        int blocks = _wideBlocks;
        nint channels = _g.OutputDepth;
        short* weights = _rowWeights.Pointer;
        int* lanes = _wideLanes.Pointer;
        int* rowSums = _rowInputSums.Pointer;
        nint slotStride = blocks * 2 * WideBlockChannels, rowStep = _tapOffsets[5];
        for (int block = 0; block < blocks; block++)
        {
            nint c = WideStart(block);
            short* w = weights + block * 2 * WideBlockChannels;
            int* blockLanes = lanes + block * WideSlices * WideBlockChannels;
            var l0 = Avx512F.LoadVector512(blockLanes);
            var h0 = Avx512F.LoadVector512(blockLanes + 16);
            for (int skipped = 0; skipped < 5; skipped++)
            {
                if (skipped >= rowBegin && skipped < rowEnd) continue;
                int* sums = rowSums + (skipped * blocks + block) * WideBlockChannels;
                l0 = Avx512F.Subtract(l0, Avx512F.LoadVector512(sums));
                h0 = Avx512F.Subtract(h0, Avx512F.LoadVector512(sums + 16));
            }
            Vector512<int> l1 = l0, h1 = h0, l2 = l0, h2 = h0, l3 = l0, h3 = h0;
            byte* row = origin + c + rowBegin * rowStep;
            int r = rowBegin;
            for (; r + 1 < rowEnd; r += 2, row += 2 * rowStep)
            {
                HorizontalRow<TBytes, TColumns>(row, channels, window, c, w + 2 * r * slotStride, slotStride, ref l0, ref h0, ref l1, ref h1, ref l2, ref h2, ref l3, ref h3,
                    out var a4, out var a5, out var a6, out var a7);
                HorizontalRow<TBytes, TColumns>(row + rowStep, channels, window, c, w + 2 * (r + 1) * slotStride, slotStride, ref l0, ref h0, ref l1, ref h1, ref l2, ref h2,
                    ref l3, ref h3, out var b4, out var b5, out var b6, out var b7);
                short* vertical = w + (VerticalSlots + r) * slotStride;
                var wl = Avx512F.LoadVector512(vertical);
                var wh = Avx512F.LoadVector512(vertical + WideBlockChannels);
                AccumulateWide(a4, b4, wl, wh, ref l0, ref h0);
                AccumulateWide(a5, b5, wl, wh, ref l1, ref h1);
                AccumulateWide(a6, b6, wl, wh, ref l2, ref h2);
                AccumulateWide(a7, b7, wl, wh, ref l3, ref h3);
            }
            if (r < rowEnd)
            {
                HorizontalRow<TBytes, TColumns>(row, channels, window, c, w + 2 * r * slotStride, slotStride, ref l0, ref h0, ref l1, ref h1, ref l2, ref h2, ref l3, ref h3,
                    out var a4, out var a5, out var a6, out var a7);
                short* single = w + (SingleSlots + r) * slotStride;
                var wl = Avx512F.LoadVector512(single);
                var wh = Avx512F.LoadVector512(single + WideBlockChannels);
                AccumulateWide(a4, a5, wl, wh, ref l0, ref h0);
                AccumulateWide(a5, a6, wl, wh, ref l1, ref h1);
                AccumulateWide(a6, a7, wl, wh, ref l2, ref h2);
                AccumulateWide(a7, a7, wl, wh, ref l3, ref h3);
            }
            TFinish.Finish(this, l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y + c, channels);
        }
    }

    /// <summary>
    /// Columns 0–1 and 2–3 of one filter row for the four pixels of a 5×5 tile (their inputs are the eight adjacent
    /// pixels at <paramref name="row"/>): pixel j reads the pairs (j, j + 1) and (j + 2, j + 3). Gives back inputs 4–7
    /// widened, for column 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HorizontalRow<TBytes, TColumns>(byte* row, nint channels, in TileWindow window, nint c, short* w, nint slotStride,
        ref Vector512<int> l0, ref Vector512<int> h0, ref Vector512<int> l1, ref Vector512<int> h1,
        ref Vector512<int> l2, ref Vector512<int> h2, ref Vector512<int> l3, ref Vector512<int> h3,
        out Vector512<short> a4, out Vector512<short> a5, out Vector512<short> a6, out Vector512<short> a7)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns
    {
        var a0 = TBytes.Widen(Column<TColumns>(row, channels, 0, window, c));
        var a1 = TBytes.Widen(Column<TColumns>(row, channels, 1, window, c));
        var a2 = TBytes.Widen(Column<TColumns>(row, channels, 2, window, c));
        var a3 = TBytes.Widen(Column<TColumns>(row, channels, 3, window, c));
        a4 = TBytes.Widen(Column<TColumns>(row, channels, 4, window, c));
        a5 = TBytes.Widen(Column<TColumns>(row, channels, 5, window, c));
        a6 = TBytes.Widen(Column<TColumns>(row, channels, 6, window, c));
        a7 = TBytes.Widen(Column<TColumns>(row, channels, 7, window, c));
        var p2Low = Avx512BW.UnpackLow(a2, a3);
        var p2High = Avx512BW.UnpackHigh(a2, a3);
        var p3Low = Avx512BW.UnpackLow(a3, a4);
        var p3High = Avx512BW.UnpackHigh(a3, a4);
        var wl = Avx512F.LoadVector512(w);
        var wh = Avx512F.LoadVector512(w + WideBlockChannels);
        AccumulateWide(a0, a1, wl, wh, ref l0, ref h0);
        AccumulateWide(a1, a2, wl, wh, ref l1, ref h1);
        AccumulatePairs(p2Low, p2High, wl, wh, ref l2, ref h2);
        AccumulatePairs(p3Low, p3High, wl, wh, ref l3, ref h3);
        wl = Avx512F.LoadVector512(w + slotStride);
        wh = Avx512F.LoadVector512(w + slotStride + WideBlockChannels);
        AccumulatePairs(p2Low, p2High, wl, wh, ref l0, ref h0);
        AccumulatePairs(p3Low, p3High, wl, wh, ref l1, ref h1);
        AccumulateWide(a4, a5, wl, wh, ref l2, ref h2);
        AccumulateWide(a5, a6, wl, wh, ref l3, ref h3);
    }

    /// <summary>Adds one tap pair of 32 channels already interleaved per channel (low and high halves) to the accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulatePairs(Vector512<short> lowPairs, Vector512<short> highPairs, Vector512<short> lowWeights, Vector512<short> highWeights,
        ref Vector512<int> low, ref Vector512<int> high)
    {
        low = Avx512F.Add(low, Avx512BW.MultiplyAddAdjacent(lowPairs, lowWeights));
        high = Avx512F.Add(high, Avx512BW.MultiplyAddAdjacent(highPairs, highWeights));
    }

    /// <summary>The 32-channel blocks of one pixel whose taps are <paramref name="taps"/> (the zero-point row for those outside).</summary>
    [MethodImpl(JitHints.Hot)]
    private void WideBorderPixel<TBytes>(byte** taps, byte* y) where TBytes : struct, IWidenBytes
    {
        int fullPairs = _g.FilterHeight * _g.FilterWidth / 2, blocks = _wideBlocks;
        bool oddTap = (_g.FilterHeight * _g.FilterWidth & 1) != 0;
        short* weights = _wideWeights.Pointer;
        int* lanes = _wideLanes.Pointer;
        nint pairStride = blocks * 2 * WideBlockChannels;
        for (int block = 0; block < blocks; block++)
        {
            nint c = WideStart(block);
            short* w = weights + block * 2 * WideBlockChannels;
            int* blockLanes = lanes + block * WideSlices * WideBlockChannels;
            var low = Avx512F.LoadVector512(blockLanes);
            var high = Avx512F.LoadVector512(blockLanes + 16);
            for (int pair = 0; pair < fullPairs; pair++, w += pairStride)
                AccumulateWide(TBytes.Widen(taps[2 * pair] + c), TBytes.Widen(taps[2 * pair + 1] + c),
                    Avx512F.LoadVector512(w), Avx512F.LoadVector512(w + WideBlockChannels), ref low, ref high);
            if (oddTap)
            {
                var a = TBytes.Widen(taps[2 * fullPairs] + c);
                AccumulateWide(a, a, Avx512F.LoadVector512(w), Avx512F.LoadVector512(w + WideBlockChannels), ref low, ref high);
            }
            FinishBlock(low, high, blockLanes, y + c);
        }
    }

    /// <summary>Adds one tap pair of 32 channels (the two taps' inputs as int16) to the low and high accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateWide(Vector512<short> a, Vector512<short> b, Vector512<short> lowWeights, Vector512<short> highWeights,
        ref Vector512<int> low, ref Vector512<int> high)
    {
        low = Avx512F.Add(low, Avx512BW.MultiplyAddAdjacent(Avx512BW.UnpackLow(a, b), lowWeights));
        high = Avx512F.Add(high, Avx512BW.MultiplyAddAdjacent(Avx512BW.UnpackHigh(a, b), highWeights));
    }

    /// <summary>
    /// How a tile's four pixels of a 32-channel block end (<see cref="FinishWide"/> each, <c>step</c> bytes apart), as
    /// a type of the tile methods so that each instantiation holds one copy of the steps: the corpus's layers (the
    /// clamp [−128, 127], the short form) the plain or the shifted steps inlined, the rest a call
    /// (<see cref="FinishTileOther"/>). <see cref="_finish"/> picks the type once per tile.
    /// </summary>
    private interface ITileFinish
    {
        static abstract void Finish(QuantizedDepthwiseCpuNode node, Vector512<int> l0, Vector512<int> h0, Vector512<int> l1, Vector512<int> h1,
            Vector512<int> l2, Vector512<int> h2, Vector512<int> l3, Vector512<int> h3, int* blockLanes, byte* y, nint step);
    }

    private readonly struct SaturatedFinish<TRounding> : ITileFinish where TRounding : struct, IWideRounding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Finish(QuantizedDepthwiseCpuNode node, Vector512<int> l0, Vector512<int> h0, Vector512<int> l1, Vector512<int> h1,
            Vector512<int> l2, Vector512<int> h2, Vector512<int> l3, Vector512<int> h3, int* blockLanes, byte* y, nint step)
        {
            node.FinishWide<SignedSaturation, TRounding>(l0, h0, blockLanes, y);
            node.FinishWide<SignedSaturation, TRounding>(l1, h1, blockLanes, y + step);
            node.FinishWide<SignedSaturation, TRounding>(l2, h2, blockLanes, y + 2 * step);
            node.FinishWide<SignedSaturation, TRounding>(l3, h3, blockLanes, y + 3 * step);
        }
    }

    private readonly struct OtherFinish : ITileFinish
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Finish(QuantizedDepthwiseCpuNode node, Vector512<int> l0, Vector512<int> h0, Vector512<int> l1, Vector512<int> h1,
            Vector512<int> l2, Vector512<int> h2, Vector512<int> l3, Vector512<int> h3, int* blockLanes, byte* y, nint step) =>
            node.FinishTileOther(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
    }

    private enum TileFinish { Other, SaturatedPlain, SaturatedShifted }

    /// <summary><see cref="WideInteriorTile{TBytes, TFinish}"/> with this node's finish; the taps at <paramref name="offsets"/> (the input's, by default).</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunWideInteriorTile<TBytes>(byte* origin, nint step, byte* y, nint outputStep, nint* offsets = null) where TBytes : struct, IWidenBytes
    {
        if (offsets == null) offsets = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
        if (_finish == TileFinish.SaturatedPlain) WideInteriorTile<TBytes, SaturatedFinish<PlainRounding>>(origin, step, y, outputStep, offsets);
        else if (_finish == TileFinish.SaturatedShifted) WideInteriorTile<TBytes, SaturatedFinish<ShiftedRounding>>(origin, step, y, outputStep, offsets);
        else WideInteriorTile<TBytes, OtherFinish>(origin, step, y, outputStep, offsets);
    }

    private void RunWideInteriorTile3x3<TBytes, TColumns>(byte* origin, byte* y, int rowBegin, int rowEnd, in TileWindow window)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns
    {
        if (_finish == TileFinish.SaturatedPlain) WideInteriorTile3x3<TBytes, TColumns, SaturatedFinish<PlainRounding>>(origin, y, rowBegin, rowEnd, window);
        else if (_finish == TileFinish.SaturatedShifted) WideInteriorTile3x3<TBytes, TColumns, SaturatedFinish<ShiftedRounding>>(origin, y, rowBegin, rowEnd, window);
        else WideInteriorTile3x3<TBytes, TColumns, OtherFinish>(origin, y, rowBegin, rowEnd, window);
    }

    private void RunWideRowTile5x5<TBytes, TColumns>(byte* origin, byte* y, int rowBegin, int rowEnd, in TileWindow window)
        where TBytes : struct, IWidenBytes where TColumns : struct, IColumns
    {
        if (_finish == TileFinish.SaturatedPlain) WideRowTile5x5<TBytes, TColumns, SaturatedFinish<PlainRounding>>(origin, y, rowBegin, rowEnd, window);
        else if (_finish == TileFinish.SaturatedShifted) WideRowTile5x5<TBytes, TColumns, SaturatedFinish<ShiftedRounding>>(origin, y, rowBegin, rowEnd, window);
        else WideRowTile5x5<TBytes, TColumns, OtherFinish>(origin, y, rowBegin, rowEnd, window);
    }

    /// <summary>A tile's end for a narrower clamp or a layer without the short form (<see cref="OtherFinish"/>).</summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void FinishTileOther(Vector512<int> l0, Vector512<int> h0, Vector512<int> l1, Vector512<int> h1, Vector512<int> l2, Vector512<int> h2,
        Vector512<int> l3, Vector512<int> h3, int* blockLanes, byte* y, nint step)
    {
        if (_hybrid)
        {
            FinishFloat(l0, h0, blockLanes, y);
            FinishFloat(l1, h1, blockLanes, y + step);
            FinishFloat(l2, h2, blockLanes, y + 2 * step);
            FinishFloat(l3, h3, blockLanes, y + 3 * step);
        }
        else if (_epilogue.Saturates)
        {
            if (!_shortRounding) FinishTile<SignedSaturation, GeneralRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
            else if (_plainRounding) FinishTile<SignedSaturation, PlainRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
            else FinishTile<SignedSaturation, ShiftedRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
        }
        else if (!_shortRounding) FinishTile<ClampThenTruncate, GeneralRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
        else if (_plainRounding) FinishTile<ClampThenTruncate, PlainRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
        else FinishTile<ClampThenTruncate, ShiftedRounding>(l0, h0, l1, h1, l2, h2, l3, h3, blockLanes, y, step);
    }

    /// <summary>
    /// Four blocks' <see cref="FinishWide"/> with one clamp and one rounding: out of line, so each form is compiled once,
    /// optimized, with its four <see cref="FinishWide"/> inlined — inside a caller that also dispatches, the JIT's inlining
    /// budget ran out and left a call to a tier-0 <see cref="FinishWide"/> (a RELU6 layer 3.5× slower).
    /// </summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void FinishTile<TClamp, TRounding>(Vector512<int> l0, Vector512<int> h0, Vector512<int> l1, Vector512<int> h1, Vector512<int> l2,
        Vector512<int> h2, Vector512<int> l3, Vector512<int> h3, int* blockLanes, byte* y, nint step)
        where TClamp : struct, IClampedBytes where TRounding : struct, IWideRounding
    {
        FinishWide<TClamp, TRounding>(l0, h0, blockLanes, y);
        FinishWide<TClamp, TRounding>(l1, h1, blockLanes, y + step);
        FinishWide<TClamp, TRounding>(l2, h2, blockLanes, y + 2 * step);
        FinishWide<TClamp, TRounding>(l3, h3, blockLanes, y + 3 * step);
    }

    /// <summary><see cref="FinishWide"/> of one block with this node's clamp and requantization steps (the float epilogue in the hybrid mode).</summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void FinishBlock(Vector512<int> low, Vector512<int> high, int* blockLanes, byte* y)
    {
        if (_hybrid) FinishFloat(low, high, blockLanes, y);
        else if (_epilogue.Saturates)
        {
            if (!_shortRounding) FinishOne<SignedSaturation, GeneralRounding>(low, high, blockLanes, y);
            else if (_plainRounding) FinishOne<SignedSaturation, PlainRounding>(low, high, blockLanes, y);
            else FinishOne<SignedSaturation, ShiftedRounding>(low, high, blockLanes, y);
        }
        else if (!_shortRounding) FinishOne<ClampThenTruncate, GeneralRounding>(low, high, blockLanes, y);
        else if (_plainRounding) FinishOne<ClampThenTruncate, PlainRounding>(low, high, blockLanes, y);
        else FinishOne<ClampThenTruncate, ShiftedRounding>(low, high, blockLanes, y);
    }

    /// <summary>One block's <see cref="FinishWide"/>, out of line for the reason <see cref="FinishTile"/> is.</summary>
    [MethodImpl(JitHints.Hot | MethodImplOptions.NoInlining)]
    private void FinishOne<TClamp, TRounding>(Vector512<int> low, Vector512<int> high, int* blockLanes, byte* y)
        where TClamp : struct, IClampedBytes where TRounding : struct, IWideRounding =>
        FinishWide<TClamp, TRounding>(low, high, blockLanes, y);

    /// <summary>
    /// Requantizes a 32-channel block's sums (bias included) with the lane-ordered constants and stores 32 bytes: the
    /// low accumulator's bytes are channels [0–3, 8–11, 16–19, 24–27], the high one's [4–7, 12–15, 20–23, 28–31], so
    /// interleaving their 4-byte groups restores the channel order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinishWide<TClamp, TRounding>(Vector512<int> low, Vector512<int> high, int* blockLanes, byte* y)
        where TClamp : struct, IClampedBytes where TRounding : struct, IWideRounding
    {
        var (min, max) = (Vector512.Create(_epilogue.Min), Vector512.Create(_epilogue.Max));
        var lowBytes = TClamp.Bytes(TRounding.Requantize(low, blockLanes, _epilogue.OutputOffset), min, max).AsUInt32();
        var highBytes = TClamp.Bytes(TRounding.Requantize(high, blockLanes + 16, _epilogue.OutputOffset), min, max).AsUInt32();
        Sse2.Store((uint*)y, Sse2.UnpackLow(lowBytes, highBytes));
        Sse2.Store((uint*)(y + 16), Sse2.UnpackHigh(lowBytes, highBytes));
    }

    /// <summary>
    /// MultiplyByQuantizedMultiplier(acc) + zero point of 16 lanes with the lane-ordered constants at the lanes given,
    /// before the activation clamp (the caller's <see cref="IClampedBytes"/>): with <see cref="_shortRounding"/> (the
    /// sums bounded so that nothing below wraps) the GEMM's short form — its plain steps where every channel has r ≥ 1
    /// and no left shift (<see cref="_plainRounding"/>), its shifted ones otherwise (docs/numerics.md §CPU delegate
    /// int8) — and the general steps where a bound fails. A type, so each tile carries no branch per vector.
    /// </summary>
    private interface IWideRounding
    {
        static abstract Vector512<int> Requantize(Vector512<int> acc, int* lanes, int outputOffset);
    }

    private readonly struct GeneralRounding : IWideRounding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Requantize(Vector512<int> acc, int* lanes, int outputOffset) =>
            Avx512F.Add(VectorRequantize.Multiply(acc, Avx512F.LoadVector512(lanes + MultiplierSlice * WideBlockChannels),
                Avx512F.LoadVector512(lanes + LeftSlice * WideBlockChannels).AsUInt32(), Avx512F.LoadVector512(lanes + RightSlice * WideBlockChannels)),
                Vector512.Create(outputOffset));
    }

    private readonly struct PlainRounding : IWideRounding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Requantize(Vector512<int> acc, int* lanes, int outputOffset)
        {
            int* slices = lanes + ShortSlices * WideBlockChannels;
            return ShortRequantization.PlainShifted(acc, Avx512F.LoadVector512(slices),
                Avx512F.LoadVector512(slices + (int)ShortRequantization.Slice.OddMultiplier * WideBlockChannels),
                Avx512F.LoadVector512(slices + (int)ShortRequantization.Slice.Rounding * WideBlockChannels),
                Avx512F.LoadVector512(slices + (int)ShortRequantization.Slice.Right * WideBlockChannels));
        }
    }

    private readonly struct ShiftedRounding : IWideRounding
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Requantize(Vector512<int> acc, int* lanes, int outputOffset) =>
            ShortRequantization.Shifted(acc, ShortRequantization.Load(lanes + ShortSlices * WideBlockChannels, WideBlockChannels));
    }

    /// <summary>Widens 32 raw 8-bit inputs to int16 (the input's signedness as a type, so the tile loops carry no branch).</summary>
    private interface IWidenBytes
    {
        static abstract Vector512<short> Widen(byte* source);
    }

    private readonly struct SignedBytes : IWidenBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<short> Widen(byte* source) => Avx512BW.ConvertToVector512Int16(Avx.LoadVector256((sbyte*)source));
    }

    private readonly struct UnsignedBytes : IWidenBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<short> Widen(byte* source) => Avx512BW.ConvertToVector512Int16(Avx.LoadVector256(source)).AsInt16();
    }

    /// <summary>Adds one tap pair of 16 channels: the two taps' inputs interleaved per channel, times the packed weight pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(byte* first, byte* second, Vector256<short> lowWeights, Vector256<short> highWeights,
        ref Vector256<int> low, ref Vector256<int> high, bool signed, bool vnni)
    {
        var a = Widen(first, signed);
        var b = Widen(second, signed);
        var lowPairs = Avx2.UnpackLow(a, b);
        var highPairs = Avx2.UnpackHigh(a, b);
        if (vnni)
        {
            low = AvxVnni.MultiplyWideningAndAdd(low, lowPairs, lowWeights);
            high = AvxVnni.MultiplyWideningAndAdd(high, highPairs, highWeights);
        }
        else
        {
            low = Avx2.Add(low, Avx2.MultiplyAddAdjacent(lowPairs, lowWeights));
            high = Avx2.Add(high, Avx2.MultiplyAddAdjacent(highPairs, highWeights));
        }
    }

    /// <summary>Channel order back ([0–3, 8–11] and [4–7, 12–15] → [0–7] and [8–15]), the folded bias, requantization, store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Finish(Vector256<int> low, Vector256<int> high, Vector256<int> lowerBias, Vector256<int> upperBias, int c, byte* y, bool signed)
    {
        if (_wideEpilogue)
        {
            // 16 lanes at once: [low | high] holds channels [0–3, 8–11, 4–7, 12–15]; vshufi32x4 restores the order.
            var both = Vector512Lanes.Join(low, high);
            var ordered = Avx512F.Add(Avx512F.Shuffle4x128(both, both, 0b11_01_10_00), Vector512Lanes.Join(lowerBias, upperBias));
            // The clamped values lie in the output type's range, so the low byte of each lane (vpmovdb) is the output.
            Sse2.Store(y, Avx512F.ConvertToVector128Byte(_epilogue.Requantize(ordered, c)));
            return;
        }
        var lower = Avx2.Add(Avx2.Permute2x128(low, high, 0x20), lowerBias);
        var upper = Avx2.Add(Avx2.Permute2x128(low, high, 0x31), upperBias);
        Store16(_epilogue.Requantize(lower, c), _epilogue.Requantize(upper, c + 8), y, signed);
    }

    /// <summary>16 raw 8-bit inputs widened to int16 (sign- or zero-extended).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Widen(byte* source, bool signed) =>
        signed ? Avx2.ConvertToVector256Int16((sbyte*)source) : Avx2.ConvertToVector256Int16(source).AsInt16();

    /// <summary>
    /// Stores 16 clamped outputs (channels 0–7 in <paramref name="lower"/>, 8–15 in <paramref name="upper"/>, each
    /// within the output type's range, so the saturating packs change nothing) as 16 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store16(Vector256<int> lower, Vector256<int> upper, byte* output, bool signed)
    {
        var words = Avx2.Permute4x64(Avx2.PackSignedSaturate(lower, upper).AsInt64(), 0b11_01_10_00).AsInt16();
        var bytes = signed ? Sse2.PackSignedSaturate(words.GetLower(), words.GetUpper()).AsByte() : Sse2.PackUnsignedSaturate(words.GetLower(), words.GetUpper());
        Sse2.Store(output, bytes);
    }
}
