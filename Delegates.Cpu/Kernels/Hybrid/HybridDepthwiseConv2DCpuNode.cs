using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) DEPTHWISE_CONV_2D of the CPU delegate: float32 input, constant int8 filter
/// [1, KH, KW, Cout] with one scale per output channel, float32 output. Bit-exact with the reference's
/// HybridKernels.DepthwiseConv2D: each image quantized asymmetrically by the same <see cref="HybridQuantization"/>
/// code; per output pixel the channels' exact int32 Σ over the inside taps (dilation honoured) of w·(q − z), eight
/// channels a lane each (Vector256, which .NET emulates where it is not accelerated: int32 lanes, the same sums);
/// then ((float)acc · f) · s_c, + bias, max(·, min) then min(·, max).
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

/// <summary>A compiled hybrid DEPTHWISE_CONV_2D: per image, the quantization on the calling thread, then output rows over the threads.</summary>
internal sealed unsafe class HybridDepthwiseConv2DCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridDepthwiseConv2DCpuNode> RowChunk =
        static (in HybridDepthwiseConv2DCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvGeometry _g;
    private readonly int _batches, _height, _width, _inputDepth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _channels, _multiplier;
    private readonly float _min, _max;
    private readonly float[] _scales, _bias;
    private readonly bool _hasBias;
    private readonly int[] _filter;   // [KH·KW, Cout padded to 8] as int32
    private readonly sbyte[] _image;
    private readonly int _paddedChannels;

    private float _factor;
    private int _zero;
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
        _scales = h.Scales;
        _hasBias = !bias.IsEmpty;
        _bias = _hasBias ? bias[.._channels].ToArray() : [];
        _paddedChannels = (_channels + 7) / 8 * 8;
        var weights = filter.Read<sbyte>();
        _filter = new int[_filterHeight * _filterWidth * _paddedChannels];
        for (int t = 0; t < _filterHeight * _filterWidth; t++)
            for (int c = 0; c < _channels; c++) _filter[t * _paddedChannels + c] = weights[t * _channels + c];
        _image = new sbyte[_height * _width * _inputDepth];
    }

    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> input = _input.Read<float>();
        _y = ConvLoops.Pointer(_output.Write<float>());
        int imageSize = _image.Length;
        for (int b = 0; b < _batches; b++)
        {
            _factor = HybridQuantization.AsymmetricQuantize(input.Slice(b * imageSize, imageSize), _image, out _zero);
            _image0 = b;
            pool.For(_outputHeight, this, RowChunk);
        }
    }

    private void RunRows(int start, int end)
    {
        int* acc = stackalloc int[_paddedChannels];
        int* shifted = stackalloc int[_paddedChannels];   // one input pixel's q − z, spread to its output channels
        float* y = _y + (nint)_image0 * _outputHeight * _outputWidth * _channels;
        for (int c = _channels; c < _paddedChannels; c++) shifted[c] = 0;
        fixed (int* filter = _filter)
        fixed (sbyte* image = _image)
            for (int oy = start; oy < end; oy++)
                for (int ox = 0; ox < _outputWidth; ox++)
                {
                    for (int c = 0; c < _paddedChannels; c++) acc[c] = 0;
                    for (int ky = 0; ky < _filterHeight; ky++)
                    {
                        int iy = oy * _g.StrideH - _g.PadTop + ky * _g.DilationH;
                        if (iy < 0 || iy >= _height) continue;
                        for (int kx = 0; kx < _filterWidth; kx++)
                        {
                            int ix = ox * _g.StrideW - _g.PadLeft + kx * _g.DilationW;
                            if (ix < 0 || ix >= _width) continue;
                            sbyte* q = image + (nint)(iy * _width + ix) * _inputDepth;
                            for (int c = 0; c < _channels; c++) shifted[c] = q[c / _multiplier] - _zero;
                            int* w = filter + (nint)(ky * _filterWidth + kx) * _paddedChannels;
                            for (int c = 0; c < _paddedChannels; c += 8)
                            {
                                var sum = Vector256.Load(acc + c) + Vector256.Load(shifted + c) * Vector256.Load(w + c);
                                sum.Store(acc + c);
                            }
                        }
                    }
                    float* o = y + ((nint)oy * _outputWidth + ox) * _channels;
                    for (int c = 0; c < _channels; c++)
                    {
                        float value = acc[c] * _factor * _scales[c];   // acc * input_scale * per_channel_scales[c], left to right
                        if (_hasBias) value += _bias[c];
                        value = value < _min ? _min : value;   // std::max(x, min), then std::min(x, max)
                        value = _max < value ? _max : value;
                        o[c] = value;
                    }
                }
    }
}
