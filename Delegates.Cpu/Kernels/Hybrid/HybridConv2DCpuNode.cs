using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Emitted;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) CONV_2D of the CPU delegate: float32 input [N, H, W, C], constant int8 OHWI filter,
/// float32 output. Bit-exact with the reference's HybridKernels.Conv2D (per-channel filters: each image quantized
/// asymmetrically) and Conv2DPerTensor (symmetric): the image is quantized by the same <see cref="HybridQuantization"/>
/// code, each output pixel's patch is gathered (im2col) with the outside taps set to the zero point, so
/// Σ w·patch − z·Σ w equals the reference's Σ over the inside taps of w·(q − z) in wrapping int32, and the float
/// epilogue repeats the reference's operations and clamp order. Dilated and grouped hybrid convolutions are refused
/// by the definition.
/// </summary>
internal static class HybridConv2D
{
    /// <summary>The most bytes one image's patch rows may take (the im2col buffer, per ISA layout up to 3 bytes a tap).</summary>
    public const long MaxPatchBytes = 256L << 20;

    public static string? Refusal(Tensor filter, Tensor output)
    {
        long bytes = (long)output.Dim(1) * output.Dim(2) * filter.Dim(1) * filter.Dim(2) * filter.Dim(3) * 3;
        return bytes > MaxPatchBytes
            ? $"the hybrid CONV_2D's patch rows would take {bytes} bytes per image, over the CPU kernel's {MaxPatchBytes}"
            : null;
    }

    public static ICpuCompiledNode Compile(DelegateNode node, Conv2DParams p, HybridWeightsParams h, HybridDotIsa? isa = null)
    {
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var activation = (node.Options as Conv2DOptions)?.FusedActivation ?? ActivationFunctionType.None;
        return new HybridConv2DCpuNode(node.Inputs[0]!, node.Inputs[1]!, bias is null ? default : bias.Read<float>(), node.Outputs[0],
            p.Geometry, h, activation, isa ?? HybridDot.Best());
    }
}

/// <summary>
/// A compiled hybrid CONV_2D: per image, the quantization on the calling thread, then the patches (one row per output
/// pixel) and the products spread over the threads. With AVX-VNNI the products keep output channels in the lanes: the
/// patch row biased to u8 (q + 128, the outside taps z + 128), the filter packed as [K/4][C][4] s8, and per pixel and
/// eight channels one <c>vpdpbusd</c> per four taps with the patch's four bytes broadcast; Σ (q + 128)·w − (128 + z)·Σ w
/// is the same wrapping int32 sum as Σ w·patch − z·Σ w, and the float epilogue runs on the same lanes in the same
/// order. Where AVX-512BW is usable without AVX-VNNI the same lanes take 16 channels: with the emitted 512-bit
/// <c>vpdpbusd</c> kernels (AVX512_VNNI, <see cref="Vnni512Gemm"/>) four pixels × up to 64 channels per call from the same
/// biased patches, the int32 sums then the epilogue (<see cref="RunEmittedProducts"/>); without them two taps per
/// <c>vpmaddwd</c> (<see cref="RunPairProducts"/>). Otherwise (AVX2, scalar) each (pixel, block of four output channels) takes
/// <see cref="HybridDotRows"/>' dots.
/// </summary>
internal sealed unsafe class HybridConv2DCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> GatherChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.GatherPatches(start, end);

    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> ProductChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.RunProducts(start, end);

    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> LaneProductChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.RunLaneProducts(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvGeometry _g;
    private readonly int _batches, _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _channels;
    private readonly bool _perChannel;
    private readonly float _min, _max;
    private readonly float[] _scales, _bias;
    private readonly bool _hasBias;
    private readonly int[] _rowSums;
    private readonly sbyte[] _image;
    private readonly PooledImageQuantizer _quantizer;
    private readonly HybridDotRows? _dot;

    // The AVX-VNNI lane path (null otherwise): filter [quads, padded channels, 4] s8; patches [pixels, quads · 4] u8;
    // per channel, padded to whole eight-lane blocks: the row sums (0 in the pad), the multiplier of (float)acc set per
    // image (s_c · f, or f per tensor), and the bias (−0 where there is none: adding −0 changes no value).
    private readonly sbyte[]? _packed;
    private readonly byte[]? _patches;
    private readonly int[]? _laneRowSums;
    private readonly float[]? _laneMultipliers, _laneBias;
    private readonly int _quads, _paddedChannels;
    private readonly bool _pointwise;   // 1×1, stride 1, channels a multiple of 4: each patch row is one input pixel

    // The vpmaddwd pair path (AVX-512BW without AVX-VNNI; null otherwise): filter [pairs, channels padded to 16, 2] int16,
    // patches [pixels, pairs · 2] int16 (q, the outside taps z, a last odd tap's partner 0); the lane arrays above padded
    // to whole 16-lane blocks.
    private readonly short[]? _pairWeights;
    private readonly short[]? _pairPatches;
    private readonly int _pairs;

    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> PairProductChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.RunPairProducts(start, end);

    // The emitted path (AVX512_VNNI without AVX-VNNI; null otherwise): filter [16-channel group][quads][16][4] s8, the
    // lane path's biased patches, and per image the int32 bias −(128 + z)·Σ w of each channel (padded to whole groups).
    private readonly Vnni512Gemm? _gemm;
    private readonly sbyte[]? _groupWeights;
    private readonly int[]? _imageBias;

    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> EmittedProductChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.RunEmittedProducts(start, end);

    private float _factor;
    private int _zero;
    private int _image0;   // the batch image being computed
    private float* _y;

    public HybridConv2DCpuNode(Tensor input, Tensor filter, ReadOnlySpan<float> bias, Tensor output, ConvGeometry g,
        HybridWeightsParams h, ActivationFunctionType activation, HybridDotIsa isa)
    {
        _input = input;
        _output = output;
        _g = g;
        (_batches, _height, _width, _depth) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (filter.Dim(1), filter.Dim(2));
        (_outputHeight, _outputWidth, _channels) = (output.Dim(1), output.Dim(2), output.Dim(3));
        _perChannel = h.PerChannel;
        (_min, _max) = activation switch
        {
            ActivationFunctionType.Relu => (0f, float.MaxValue),
            ActivationFunctionType.Relu6 => (0f, 6f),
            ActivationFunctionType.ReluN1To1 => (-1f, 1f),
            _ => (float.MinValue, float.MaxValue),
        };
        _scales = h.Scales;
        _hasBias = !bias.IsEmpty;
        _bias = _hasBias ? bias[.._channels].ToArray() : [];
        int taps = _filterHeight * _filterWidth * _depth;
        var weights = filter.Read<sbyte>();
        _pointwise = _filterHeight == 1 && _filterWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && _depth % 4 == 0
            && (_outputHeight, _outputWidth) == (_height, _width);
        _rowSums = new int[_channels];
        HybridQuantization.RowSums(weights, _channels, taps, _rowSums);
        _image = new sbyte[_height * _width * _depth];
        _quantizer = new PooledImageQuantizer(_image.Length);
        // Output channels in the lanes: with AVX-VNNI one vpdpbusd per four taps; where only AVX-512BW is usable
        // (Zen 4, Ice Lake, Cascade Lake) one vpmaddwd per two taps and 16 channels, which beats the dot rows'
        // horizontal sums there (perf/RESULTS.md, stop 55).
        bool wide = isa == HybridDotIsa.Avx2 && !AvxVnni.IsSupported && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated;
        if (wide && Vnni512Gemm.Shared is { } gemm && _channels >= Vnni512Gemm.MinChannelsOverVpmaddwd)
        {
            // One vpdpbusd per four taps and 16 channels against the pair path's vpmaddwd per two (pose_landmark_heavy's
            // dynamic-range model: perf/RESULTS.md, stop 56).
            _gemm = gemm;
            _quads = (taps + 3) / 4;
            _paddedChannels = (_channels + 15) / 16 * 16;
            _groupWeights = GC.AllocateArray<sbyte>(_quads * _paddedChannels * 4, pinned: true);
            for (int oc = 0; oc < _channels; oc++)
                for (int k = 0; k < taps; k++)
                    _groupWeights[((oc / 16 * _quads + k / 4) * 16 + oc % 16) * 4 + k % 4] = weights[oc * taps + k];
            _patches = GC.AllocateArray<byte>(_outputHeight * _outputWidth * _quads * 4, pinned: true);
            _imageBias = GC.AllocateArray<int>(_paddedChannels, pinned: true);
            (_laneRowSums, _laneMultipliers, _laneBias) = LaneArrays(_paddedChannels);
        }
        else if (wide)
        {
            _pairs = (taps + 1) / 2;
            _paddedChannels = (_channels + 15) / 16 * 16;
            _pairWeights = GC.AllocateArray<short>(_pairs * _paddedChannels * 2, pinned: true);
            for (int oc = 0; oc < _channels; oc++)
                for (int k = 0; k < taps; k++)
                    _pairWeights[(k / 2 * _paddedChannels + oc) * 2 + k % 2] = weights[oc * taps + k];
            _pairPatches = GC.AllocateArray<short>(_outputHeight * _outputWidth * _pairs * 2, pinned: true);
            (_laneRowSums, _laneMultipliers, _laneBias) = LaneArrays(_paddedChannels);
        }
        else if (isa == HybridDotIsa.AvxVnni)
        {
            _quads = (taps + 3) / 4;
            _paddedChannels = (_channels + 7) / 8 * 8;
            _packed = GC.AllocateArray<sbyte>(_quads * _paddedChannels * 4, pinned: true);
            for (int oc = 0; oc < _channels; oc++)
                for (int k = 0; k < taps; k++)
                    _packed[(k / 4 * _paddedChannels + oc) * 4 + k % 4] = weights[oc * taps + k];
            _patches = GC.AllocateArray<byte>(_outputHeight * _outputWidth * _quads * 4, pinned: true);
            (_laneRowSums, _laneMultipliers, _laneBias) = LaneArrays(_paddedChannels);
        }
        else _dot = new HybridDotRows(weights, _channels, taps, _outputHeight * _outputWidth, isa);
    }

    /// <summary>The lane paths' per-channel row sums, multipliers (set per image) and bias (−0 where there is none), padded.</summary>
    private (int[] RowSums, float[] Multipliers, float[] Bias) LaneArrays(int padded)
    {
        var rowSums = new int[padded];
        _rowSums.CopyTo(rowSums, 0);
        var bias = new float[padded];
        bias.AsSpan().Fill(-0f);
        if (_hasBias) _bias.CopyTo(bias, 0);
        return (rowSums, new float[padded], bias);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> input = _input.Read<float>();
        _y = ConvLoops.Pointer(_output.Write<float>());
        int imageSize = _image.Length, pixels = _outputHeight * _outputWidth;
        for (int b = 0; b < _batches; b++)
        {
            var image = input.Slice(b * imageSize, imageSize);
            if (_perChannel)
            {
                _factor = _quantizer.AsymmetricQuantize(image, _image, out _zero, pool);
            }
            else
            {
                _factor = _quantizer.SymmetricQuantize(image, _image, pool);
                _factor *= _scales[0];   // scaling_factors_ptr[b] *= filter->params.scale
                _zero = 0;
            }
            _image0 = b;
            if (_laneMultipliers is not null)
                for (int c = 0; c < _channels; c++) _laneMultipliers[c] = _perChannel ? _scales[c] * _factor : _factor;
            if (_imageBias is not null)
                for (int c = 0; c < _channels; c++) _imageBias[c] = unchecked(-(128 + _zero) * _rowSums[c]);
            pool.For(pixels, this, GatherChunk);
            if (_gemm is not null) pool.For((pixels + 3) / 4, this, EmittedProductChunk);
            else if (_pairWeights is not null) pool.For((pixels + 3) / 4, this, PairProductChunk);
            else if (_dot is null) pool.For(pixels, this, LaneProductChunk);
            else pool.For(pixels * _dot.UnitBlocks, this, ProductChunk);
        }
    }

    /// <summary>Each output pixel's patch, [KH, KW, C], outside taps at the zero point (im2col's padding).</summary>
    [MethodImpl(JitHints.Hot)]
    private void GatherPatches(int start, int end)
    {
        if (_pairWeights is not null)
        {
            GatherPairPatches(start, end);
            return;
        }
        if (_dot is null)
        {
            GatherBiasedPatches(start, end);
            return;
        }
        sbyte zero = (sbyte)_zero;
        for (int pixel = start; pixel < end; pixel++)
        {
            int oy = pixel / _outputWidth, ox = pixel % _outputWidth;
            var patch = _dot.QuantizedRow(pixel);
            int at = 0;
            for (int ky = 0; ky < _filterHeight; ky++)
            {
                int iy = oy * _g.StrideH - _g.PadTop + ky;
                for (int kx = 0; kx < _filterWidth; kx++, at += _depth)
                {
                    int ix = ox * _g.StrideW - _g.PadLeft + kx;
                    var tap = patch.Slice(at, _depth);
                    if (iy < 0 || iy >= _height || ix < 0 || ix >= _width)
                    {
                        fixed (sbyte* first = tap) Vectorized.Fills.Bytes(first, _depth, (byte)zero);
                    }
                    else _image.AsSpan((iy * _width + ix) * _depth, _depth).CopyTo(tap);
                }
            }
            _dot.PrepareRow(pixel);
        }
    }

    /// <summary>The lane path's patches: q + 128 as u8 (q XOR 0x80), outside taps z + 128; the row's pad bytes stay 0.</summary>
    [MethodImpl(JitHints.Hot)]
    private void GatherBiasedPatches(int start, int end)
    {
        byte zero = (byte)(_zero + 128);
        int rowBytes = _quads * 4;
        fixed (sbyte* image = _image)
        fixed (byte* patches = _patches)
        {
            if (_pointwise)
            {
                // A 1×1 stride-1 filter over whole quadruples of channels: the patch rows are the image's pixels.
                Biased(image + (nint)start * _depth, patches + (nint)start * _depth, (end - start) * _depth);
                return;
            }
            for (int pixel = start; pixel < end; pixel++)
            {
                int oy = pixel / _outputWidth, ox = pixel % _outputWidth;
                byte* patch = patches + (nint)pixel * rowBytes;
                int ix0 = ox * _g.StrideW - _g.PadLeft;
                bool columnsInside = ix0 >= 0 && ix0 + _filterWidth <= _width;
                for (int ky = 0; ky < _filterHeight; ky++)
                {
                    int iy = oy * _g.StrideH - _g.PadTop + ky;
                    if (columnsInside && (uint)iy < (uint)_height)
                    {
                        // A filter row inside the image is one run of KW·C input bytes (a 3-channel first layer: 15 at 5×5).
                        Biased(image + ((nint)iy * _width + ix0) * _depth, patch, _filterWidth * _depth);
                        patch += _filterWidth * _depth;
                        continue;
                    }
                    for (int kx = 0; kx < _filterWidth; kx++, patch += _depth)
                    {
                        int ix = ix0 + kx;
                        if (iy < 0 || iy >= _height || ix < 0 || ix >= _width) Vectorized.Fills.Bytes(patch, _depth, zero);
                        else Biased(image + (nint)(iy * _width + ix) * _depth, patch, _depth);
                    }
                }
            }
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Biased(sbyte* q, byte* to, int count)
    {
        int i = 0;
        if (Avx512BW.IsSupported)
        {
            // 64 bytes a step, the last (partial) step masked: masked-off bytes are neither read nor written.
            var flip64 = Vector512.Create((byte)0x80);
            for (; i <= count - 64; i += 64) (Vector512.Load((byte*)q + i) ^ flip64).Store(to + i);
            if (i < count)
            {
                var mask = Vector512.LessThan(Vector512<byte>.Indices, Vector512.Create((byte)(count - i)));
                Avx512BW.MaskStore(to + i, mask, Avx512BW.MaskLoad((byte*)q + i, mask, Vector512<byte>.Zero) ^ flip64);
            }
            return;
        }
        var flip = Vector128.Create((byte)0x80);
        for (; i <= count - 16; i += 16) (Vector128.Load((byte*)q + i) ^ flip).Store(to + i);
        for (; i < count; i++) to[i] = (byte)(q[i] ^ 0x80);
    }

    /// <summary>
    /// The lane path's products and epilogue for output pixels [start, end): eight channels a lane each, one
    /// <c>vpdpbusd</c> per four taps, no branch in the epilogue but the last block's partial store (measured: sharing
    /// each broadcast between two blocks, with the epilogue a helper, made the steady state depend on the JIT's PGO
    /// block layout and was slower with it).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunLaneProducts(int start, int end)
    {
        int rowBytes = _quads * 4, paddedChannels = _paddedChannels, quads = _quads, channels = _channels;
        float* y = _y + (nint)_image0 * _outputHeight * _outputWidth * _channels;
        float* tail = stackalloc float[8];
        var correction = Vector256.Create(128 + _zero);   // (128 + z)·Σ w, wrapping
        // The reference adds its product to the zero-filled output per tensor (−0 becomes +0), not per channel.
        var zero = Vector256.Create(_perChannel ? -0f : 0f);
        var min = Vector256.Create(_min);
        var max = Vector256.Create(_max);
        fixed (sbyte* packed = _packed)
        fixed (byte* patches = _patches)
        fixed (int* rowSums = _laneRowSums)
        fixed (float* multipliers = _laneMultipliers)
        fixed (float* bias = _laneBias)
            for (int pixel = start; pixel < end; pixel++)
            {
                byte* x = patches + (nint)pixel * rowBytes;
                float* o = y + (nint)pixel * channels;
                for (int c = 0; c < paddedChannels; c += 8)
                {
                    var acc = Vector256<int>.Zero;
                    sbyte* w = packed + (nint)c * 4;
                    for (int q = 0; q < quads; q++, w += paddedChannels * 4)
                        acc = AvxVnni.MultiplyWideningAndAdd(acc, Vector256.Create(*(int*)(x + 4 * q)).AsByte(), Vector256.Load(w));
                    acc -= correction * Vector256.Load(rowSums + c);
                    // (float)acc · (s_c · f) [per tensor: 0 + (float)acc · f], + bias; then the two clamps (their order
                    // only matters for NaN, which finite sums cannot give).
                    var value = Vector256.ConvertToSingle(acc) * Vector256.Load(multipliers + c) + zero + Vector256.Load(bias + c);
                    HybridLanes.ClampStore(value, min, max, o + c, channels - c, tail);
                }
            }
    }

    /// <summary>The pair path's patches: q widened to int16, outside taps z; a last odd tap's partner stays 0.</summary>
    [MethodImpl(JitHints.Hot)]
    private void GatherPairPatches(int start, int end)
    {
        short zero = (short)_zero;
        int rowShorts = _pairs * 2;
        fixed (sbyte* image = _image)
        fixed (short* patches = _pairPatches)
            for (int pixel = start; pixel < end; pixel++)
            {
                int oy = pixel / _outputWidth, ox = pixel % _outputWidth;
                short* patch = patches + (nint)pixel * rowShorts;
                for (int ky = 0; ky < _filterHeight; ky++)
                {
                    int iy = oy * _g.StrideH - _g.PadTop + ky;
                    for (int kx = 0; kx < _filterWidth; kx++, patch += _depth)
                    {
                        int ix = ox * _g.StrideW - _g.PadLeft + kx;
                        if (iy < 0 || iy >= _height || ix < 0 || ix >= _width) Vectorized.Fills.Repeat(patch, _depth, zero);
                        else Widened(image + (nint)(iy * _width + ix) * _depth, patch, _depth);
                    }
                }
            }
    }

    [MethodImpl(JitHints.Hot)]
    private static void Widened(sbyte* q, short* to, int count)
    {
        int i = 0;
        for (; i <= count - 32; i += 32) Avx512BW.ConvertToVector512Int16(Vector256.Load(q + i)).Store(to + i);
        for (; i < count; i++) to[i] = q[i];
    }

    /// <summary>
    /// The pair path's products and epilogue for groups [start, end) of four output pixels (the last group may be
    /// shorter): 16 channels a lane each, per two taps one int32 broadcast of the patch's pair against the channels'
    /// weight pairs, one <c>vpmaddwd</c> (each pair sum at most 2·128·127 in magnitude: exact) and one add; then
    /// − z·Σ w (the same wrapping int32 sum as the other paths) and the lane path's epilogue on 16 lanes.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunPairProducts(int start, int end)
    {
        int rowShorts = _pairs * 2, pixels = _outputHeight * _outputWidth;
        float* y = _y + (nint)_image0 * pixels * _channels;
        float* tail = stackalloc float[16];
        fixed (short* weights = _pairWeights)
        fixed (short* patches = _pairPatches)
            for (int group = start; group < end; group++)
            {
                int first = group * 4, count = Math.Min(4, pixels - first);
                short* x = patches + (nint)first * rowShorts;
                for (int c = 0; c < _paddedChannels; c += 16)
                {
                    short* w = weights + (nint)c * 2;
                    if (count == 4)
                    {
                        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default;
                        for (int p = 0; p < _pairs; p++, w += _paddedChannels * 2)
                        {
                            var wp = Vector512.Load(w);
                            a0 = Avx512BW.Add(a0, Avx512BW.MultiplyAddAdjacent(Vector512.Create(*(int*)(x + 2 * p)).AsInt16(), wp));
                            a1 = Avx512BW.Add(a1, Avx512BW.MultiplyAddAdjacent(Vector512.Create(*(int*)(x + rowShorts + 2 * p)).AsInt16(), wp));
                            a2 = Avx512BW.Add(a2, Avx512BW.MultiplyAddAdjacent(Vector512.Create(*(int*)(x + 2 * rowShorts + 2 * p)).AsInt16(), wp));
                            a3 = Avx512BW.Add(a3, Avx512BW.MultiplyAddAdjacent(Vector512.Create(*(int*)(x + 3 * rowShorts + 2 * p)).AsInt16(), wp));
                        }
                        FinishPairs(a0, c, y + (nint)first * _channels, tail);
                        FinishPairs(a1, c, y + (nint)(first + 1) * _channels, tail);
                        FinishPairs(a2, c, y + (nint)(first + 2) * _channels, tail);
                        FinishPairs(a3, c, y + (nint)(first + 3) * _channels, tail);
                        continue;
                    }
                    for (int i = 0; i < count; i++)
                    {
                        Vector512<int> acc = default;
                        short* wi = w;
                        for (int p = 0; p < _pairs; p++, wi += _paddedChannels * 2)
                            acc = Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(Vector512.Create(*(int*)(x + i * rowShorts + 2 * p)).AsInt16(), Vector512.Load(wi)));
                        FinishPairs(acc, c, y + (nint)(first + i) * _channels, tail);
                    }
                }
            }
    }

    /// <summary>
    /// The emitted path's products and epilogue for groups [start, end) of four output pixels (the last group's missing
    /// rows alias its last pixel, their sums unused): per call up to four 16-channel groups' int32 sums, from the bias
    /// −(128 + z)·Σ w plus Σ (q + 128)·w — the same wrapping sums as the other paths — then the lane path's epilogue.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunEmittedProducts(int start, int end)
    {
        int rowBytes = _quads * 4, pixels = _outputHeight * _outputWidth, groups = _paddedChannels / 16;
        nint groupStride = (nint)_quads * 64;
        float* y = _y + (nint)_image0 * pixels * _channels;
        float* tail = stackalloc float[16];
        int* sums = stackalloc int[Vnni512Gemm.Rows * Vnni512Gemm.SumsRowStride];
        byte** rows = stackalloc byte*[Vnni512Gemm.Rows];
        var gemm = _gemm!;
        fixed (sbyte* weights = _groupWeights)
        fixed (byte* patches = _patches)
        fixed (int* bias = _imageBias)
            for (int group = start; group < end; group++)
            {
                int first = group * 4, count = Math.Min(4, pixels - first);
                for (int r = 0; r < Vnni512Gemm.Rows; r++) rows[r] = patches + (nint)(first + Math.Min(r, count - 1)) * rowBytes;
                for (int g = 0; g < groups; g += Vnni512Gemm.MaxGroups)
                {
                    int n = Math.Min(Vnni512Gemm.MaxGroups, groups - g);
                    gemm.Run(n, weights + g * groupStride, groupStride, rows, _quads, bias + g * 16, sums);
                    for (int r = 0; r < count; r++)
                        for (int j = 0; j < n; j++)
                            FinishSums(Vector512.Load(sums + r * Vnni512Gemm.SumsRowStride + j * 16), (g + j) * 16, y + (nint)(first + r) * _channels, tail);
                }
            }
    }

    /// <summary>Channels [c, c + 16) of one output pixel at <paramref name="o"/>: − z·Σ w, then the lane path's epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinishPairs(Vector512<int> acc, int c, float* o, float* tail)
    {
        fixed (int* rowSums = _laneRowSums)
            FinishSums(acc - Vector512.Create(_zero) * Vector512.Load(rowSums + c), c, o, tail);
    }

    /// <summary>Channels [c, c + 16) of one output pixel at <paramref name="o"/> from their exact int32 sums: the lane path's epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinishSums(Vector512<int> acc, int c, float* o, float* tail)
    {
        fixed (float* multipliers = _laneMultipliers)
        fixed (float* bias = _laneBias)
        {
            // As RunLaneProducts: (float)acc · m_c + (−0 per channel, +0 per tensor) + bias, then the two clamps.
            var (min, max) = (Vector512.Create(_min), Vector512.Create(_max));
            var value = Vector512.ConvertToSingle(acc) * Vector512.Load(multipliers + c) + Vector512.Create(_perChannel ? -0f : 0f)
                + Vector512.Load(bias + c);
            HybridLanes.ClampStore(value, min, max, o + c, _channels - c, tail);
        }
    }

    [MethodImpl(JitHints.Hot)]
    private void RunProducts(int start, int end)
    {
        int* dots = stackalloc int[HybridDotRows.BlockUnits];
        float factor = _factor;
        int zero = _zero;
        float* y = _y + (nint)_image0 * _outputHeight * _outputWidth * _channels;
        for (int item = start; item < end; item++)
        {
            int pixel = item / _dot!.UnitBlocks, first = item % _dot.UnitBlocks * HybridDotRows.BlockUnits;
            int count = Math.Min(HybridDotRows.BlockUnits, _channels - first);
            _dot!.Dots(pixel, first, count, dots);
            float* o = y + (nint)pixel * _channels;
            for (int i = 0; i < count; i++)
            {
                int oc = first + i;
                int acc = unchecked(dots[i] - zero * _rowSums[oc]);
                float value;
                if (_perChannel)
                {
                    float scale = _scales[oc] * factor;
                    value = acc * scale;
                    if (_hasBias) value += _bias[oc];
                    value = _max < value ? _max : value;   // cwiseMin(max), then cwiseMax(min)
                    value = value < _min ? _min : value;
                }
                else
                {
                    float product = acc * factor;
                    value = 0f + product;   // the zero-filled output accumulates (−0 becomes +0)
                    if (_hasBias) value += _bias[oc];
                    value = value < _min ? _min : value;   // std::max(x, min), then std::min(x, max)
                    value = _max < value ? _max : value;
                }
                o[oc] = value;
            }
        }
    }
}

