using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Quantized;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) DEPTHWISE_CONV_2D of the CPU delegate: float32 input, constant int8 filter
/// [1, KH, KW, Cout] with one scale per output channel, float32 output. Bit-exact with the reference's
/// HybridKernels.DepthwiseConv2D: each image quantized asymmetrically by the same <see cref="HybridQuantization"/>
/// (<see cref="HybridImageQuantizer"/>, its vectorized twin); per output pixel the channels' exact int32 Σ over the inside
/// taps (dilation honoured) of w·(q − z), sixteen channels a lane each with AVX-512 (else eight: Vector256, which .NET
/// emulates where it is not accelerated: int32 lanes, the same wrapping sums; with AVX2 and AVX-512BW one <c>vpmaddwd</c>
/// per tap, q − z in a lane's low 16 bits against w in the packed weight's, 0 above), from an image of q − z widened to int32 once per invoke and spread
/// to the output channels; then ((float)acc · f) · s_c, + bias, max(·, min) then min(·, max) on the same lanes.
/// </summary>
internal static class HybridDepthwiseConv2D
{
    public static ICpuCompiledNode Compile(DelegateNode node, DepthwiseConv2DParams p, HybridWeightsParams h)
    {
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var activation = (node.Options as DepthwiseConv2DOptions)?.FusedActivation ?? ActivationFunctionType.None;
        return new HybridDepthwiseConv2DCpuNode(node.Inputs[0]!, node.Inputs[1]!, bias is null ? default : bias.Read<float>(),
            node.Outputs[0], p.Geometry, p.DepthMultiplier, h, activation);
    }
}

/// <summary>
/// A compiled hybrid DEPTHWISE_CONV_2D: per image, the quantization and the widened q − z image on the calling thread,
/// then output rows over the threads, each pixel's eight-channel blocks accumulated in a register over the taps.
/// </summary>
internal sealed unsafe class HybridDepthwiseConv2DCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridDepthwiseConv2DCpuNode> RowChunk =
        static (in HybridDepthwiseConv2DCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvGeometry _g;
    private readonly int _batches, _height, _width, _inputDepth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _channels, _multiplier;
    private readonly float _min, _max;
    private readonly float[] _scales, _bias;    // padded to whole 8-lane blocks; the bias −0 where there is none (adding −0 changes no value)
    private readonly int[] _filter;             // [KH·KW, Cout padded to 8]: w in the low 16 bits, 0 above (vpmaddwd against q − z: w·(q − z)), pinned
    private readonly sbyte[] _image;
    private readonly PooledImageQuantizer _quantizer;
    private readonly int[] _shifted;            // [H·W, Cout padded to 8]: q − z of the input channel each output channel reads, pinned (empty with _tiles)
    private readonly QuantizedDepthwiseCpuNode? _tiles; // the int8 kernel's tiles in its hybrid mode, where the shape takes them
    private readonly int _paddedChannels;
    private readonly bool _wide = Avx512BW.IsSupported && Vector512.IsHardwareAccelerated && SimdPath.ForcedLanes is null or >= 16;

    /// <summary>Whether the int8 kernel's tiles compute the sums (<see cref="QuantizedDepthwiseCpuNode.TryHybrid"/>); for tests.</summary>
    internal bool RunsInt8Tiles => _tiles is not null;

    private float _factor;
    private int _image0;
    private float* _y;

    public HybridDepthwiseConv2DCpuNode(Tensor input, Tensor filter, ReadOnlySpan<float> bias, Tensor output, ConvGeometry g,
        int multiplier, HybridWeightsParams h, ActivationFunctionType activation)
    {
        _input = input;
        _output = output;
        _g = g;
        (_batches, _height, _width, _inputDepth) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (filter.Dim(1), filter.Dim(2));
        (_outputHeight, _outputWidth, _channels) = (output.Dim(1), output.Dim(2), output.Dim(3));
        _multiplier = multiplier;
        (_min, _max) = activation switch
        {
            ActivationFunctionType.Relu => (0f, float.MaxValue),
            ActivationFunctionType.Relu6 => (0f, 6f),
            ActivationFunctionType.ReluN1To1 => (-1f, 1f),
            _ => (float.MinValue, float.MaxValue),
        };
        _paddedChannels = (_channels + 7) / 8 * 8;
        _wide &= _paddedChannels >= 16;
        _scales = new float[_paddedChannels];
        h.Scales.AsSpan(0, _channels).CopyTo(_scales);
        _bias = new float[_paddedChannels];
        _bias.AsSpan().Fill(-0f);
        if (!bias.IsEmpty) bias[.._channels].CopyTo(_bias);
        var weights = filter.Read<sbyte>();
        _filter = GC.AllocateArray<int>(_filterHeight * _filterWidth * _paddedChannels, pinned: true);
        for (int t = 0; t < _filterHeight * _filterWidth; t++)
            for (int c = 0; c < _channels; c++) _filter[t * _paddedChannels + c] = (ushort)(short)weights[t * _channels + c];
        _image = GC.AllocateArray<sbyte>(_height * _width * _inputDepth, pinned: true);
        _quantizer = new PooledImageQuantizer(_image.Length);
        // Depth multiplier 1 with every pixel in 32-lane blocks: the int8 DEPTHWISE_CONV_2D's tiles on the quantized image
        // (two taps per vpmaddwd from the int8 values, the same exact sums) with this node's float epilogue.
        _tiles = Avx512BW.IsSupported && Vector512.IsHardwareAccelerated && SimdPath.ForcedLanes is null or >= 16 && multiplier == 1
            ? QuantizedDepthwiseCpuNode.TryHybrid(input, filter, output, g, h.Scales.AsSpan(0, _channels), bias.IsEmpty ? default : bias[.._channels], _min, _max)
            : null;
        _shifted = _tiles is null ? GC.AllocateArray<int>(_height * _width * _paddedChannels, pinned: true) : [];
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> input = _input.Read<float>();
        _y = ConvLoops.Pointer(_output.Write<float>());
        int imageSize = _image.Length;
        for (int b = 0; b < _batches; b++)
        {
            _factor = _quantizer.AsymmetricQuantize(input.Slice(b * imageSize, imageSize), _image, out int zero, pool);
            if (_tiles is not null)
            {
                fixed (sbyte* image = _image)
                    _tiles.RunHybrid(image, zero, _factor, _y + (nint)b * _outputHeight * _outputWidth * _channels, pool);
                continue;
            }
            Shift(zero);
            _image0 = b;
            pool.For(_outputHeight, this, RowChunk);
        }
    }

    /// <summary>q − z per pixel and output channel (channel c reads input channel c / multiplier); the pad lanes stay 0.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Shift(int zero)
    {
        int pixels = _height * _width;
        if (_multiplier == 1 && _inputDepth % 8 == 0 && Avx2.IsSupported)
        {
            var z = Vector256.Create(zero);
            fixed (sbyte* image = _image)
            fixed (int* shifted = _shifted)
                for (int i = 0; i < pixels * _inputDepth; i += 8)
                    (Avx2.ConvertToVector256Int32(image + i) - z).Store(shifted + i);
            return;
        }
        for (int p = 0; p < pixels; p++)
            for (int c = 0; c < _channels; c++)
                _shifted[p * _paddedChannels + c] = _image[p * _inputDepth + c / _multiplier] - zero;
    }

    /// <summary>
    /// Output rows [start, end): per output pixel its in-bounds taps, then each block of channels accumulated over them
    /// in a register — 16 int32 lanes with AVX-512 (at least 16 channels after padding; where the padded channels are
    /// not a multiple of 16 the last block overlaps the one before it, its channels computed twice, the same values),
    /// else 8.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        float* y = _y + (nint)_image0 * _outputHeight * _outputWidth * _channels;
        float* tail = stackalloc float[16];
        int paddedChannels = _paddedChannels;
        fixed (int* filter = _filter)
        fixed (int* shifted = _shifted)
        fixed (float* scales = _scales)
        fixed (float* bias = _bias)
            for (int oy = start; oy < end; oy++)
            {
                int iy0 = oy * _g.StrideH - _g.PadTop;
                int kyFirst = Math.Max(0, (-iy0 + _g.DilationH - 1) / _g.DilationH);
                int kyEnd = Math.Min(_filterHeight, (_height - iy0 + _g.DilationH - 1) / _g.DilationH);
                for (int ox = 0; ox < _outputWidth; ox++)
                {
                    int ix0 = ox * _g.StrideW - _g.PadLeft;
                    int kxFirst = Math.Max(0, (-ix0 + _g.DilationW - 1) / _g.DilationW);
                    int kxEnd = Math.Min(_filterWidth, (_width - ix0 + _g.DilationW - 1) / _g.DilationW);
                    var taps = new Taps(shifted + ((nint)iy0 * _width + ix0) * paddedChannels, filter, kyFirst, kyEnd, kxFirst, kxEnd);
                    float* o = y + ((nint)oy * _outputWidth + ox) * _channels;
                    if (_wide)
                        for (int block = 0; block < paddedChannels; block += 16)
                            Block16(taps, Math.Min(block, paddedChannels - 16), scales, bias, o, tail);
                    else
                        for (int c = 0; c < paddedChannels; c += 8) Block8(taps, c, scales, bias, o, tail);
                }
            }
    }

    /// <summary>One output pixel's in-bounds taps: the q − z image at its first tap's row and column, the filter.</summary>
    private readonly struct Taps(int* origin, int* filter, int kyFirst, int kyEnd, int kxFirst, int kxEnd)
    {
        public readonly int* Origin = origin, Filter = filter;
        public readonly int KyFirst = kyFirst, KyEnd = kyEnd, KxFirst = kxFirst, KxEnd = kxEnd;
    }

    /// <summary>Channels [c, c + 16): Σ w·(q − z), then ((float)acc · f) · s_c + bias and the clamps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Block16(in Taps t, int c, float* scales, float* bias, float* o, float* tail)
    {
        int paddedChannels = _paddedChannels;
        var acc = Vector512<int>.Zero;
        for (int ky = t.KyFirst; ky < t.KyEnd; ky++)
        {
            int* row = t.Origin + (nint)ky * _g.DilationH * _width * paddedChannels + c;
            int* w = t.Filter + (nint)ky * _filterWidth * paddedChannels + c;
            for (int kx = t.KxFirst; kx < t.KxEnd; kx++)
                acc += Avx512BW.MultiplyAddAdjacent(Vector512.Load(row + (nint)kx * _g.DilationW * paddedChannels).AsInt16(),
                    Vector512.Load(w + (nint)kx * paddedChannels).AsInt16());
        }
        // (float)acc · f · s_c, + bias, then the clamps.
        var value = Vector512.ConvertToSingle(acc) * Vector512.Create(_factor) * Vector512.Load(scales + c) + Vector512.Load(bias + c);
        HybridLanes.ClampStore(value, Vector512.Create(_min), Vector512.Create(_max), o + c, _channels - c, tail);
    }

    /// <summary><see cref="Block16"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Block8(in Taps t, int c, float* scales, float* bias, float* o, float* tail)
    {
        int paddedChannels = _paddedChannels;
        var acc = Vector256<int>.Zero;
        for (int ky = t.KyFirst; ky < t.KyEnd; ky++)
        {
            int* row = t.Origin + (nint)ky * _g.DilationH * _width * paddedChannels + c;
            int* w = t.Filter + (nint)ky * _filterWidth * paddedChannels + c;
            for (int kx = t.KxFirst; kx < t.KxEnd; kx++)
            {
                var x = Vector256.Load(row + (nint)kx * _g.DilationW * paddedChannels);
                var weight = Vector256.Load(w + (nint)kx * paddedChannels);
                acc += Avx2.IsSupported ? Avx2.MultiplyAddAdjacent(x.AsInt16(), weight.AsInt16())
                    : x * Vector256.ShiftRightArithmetic(weight << 16, 16); // the weight sign-extended from its low 16 bits
            }
        }
        var value = Vector256.ConvertToSingle(acc) * Vector256.Create(_factor) * Vector256.Load(scales + c) + Vector256.Load(bias + c);
        HybridLanes.ClampStore(value, Vector256.Create(_min), Vector256.Create(_max), o + c, _channels - c, tail);
    }
}
