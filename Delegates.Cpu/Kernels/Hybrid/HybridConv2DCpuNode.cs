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
/// pixel) and the (pixel, block of four output channels) products spread over the threads.
/// </summary>
internal sealed unsafe class HybridConv2DCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> GatherChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.GatherPatches(start, end);

    private static readonly CpuThreadPool.ChunkAction<HybridConv2DCpuNode> ProductChunk =
        static (in HybridConv2DCpuNode kernel, int start, int end) => kernel.RunProducts(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvGeometry _g;
    private readonly int _batches, _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _channels;
    private readonly bool _perChannel;
    private readonly float _min, _max;
    private readonly float[] _scales, _bias;
    private readonly bool _hasBias;
    private readonly int[] _rowSums;
    private readonly sbyte[] _image;
    private readonly HybridDotRows _dot;

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
        _rowSums = new int[_channels];
        HybridQuantization.RowSums(weights, _channels, taps, _rowSums);
        _image = new sbyte[_height * _width * _depth];
        _dot = new HybridDotRows(weights, _channels, taps, _outputHeight * _outputWidth, isa);
    }

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
                _factor = HybridQuantization.AsymmetricQuantize(image, _image, out _zero);
            }
            else
            {
                _factor = HybridQuantization.SymmetricQuantize(image, _image);
                _factor *= _scales[0];   // scaling_factors_ptr[b] *= filter->params.scale
                _zero = 0;
            }
            _image0 = b;
            pool.For(pixels, this, GatherChunk);
            pool.For(pixels * _dot.UnitBlocks, this, ProductChunk);
        }
    }

    /// <summary>Each output pixel's patch, [KH, KW, C], outside taps at the zero point (im2col's padding).</summary>
    private void GatherPatches(int start, int end)
    {
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
                    if (iy < 0 || iy >= _height || ix < 0 || ix >= _width) tap.Fill(zero);
                    else _image.AsSpan((iy * _width + ix) * _depth, _depth).CopyTo(tap);
                }
            }
            _dot.PrepareRow(pixel);
        }
    }

    private void RunProducts(int start, int end)
    {
        int* dots = stackalloc int[HybridDotRows.BlockUnits];
        float factor = _factor;
        int zero = _zero;
        float* y = _y + (nint)_image0 * _outputHeight * _outputWidth * _channels;
        for (int item = start; item < end; item++)
        {
            int pixel = item / _dot.UnitBlocks, first = item % _dot.UnitBlocks * HybridDotRows.BlockUnits;
            int count = Math.Min(HybridDotRows.BlockUnits, _channels - first);
            _dot.Dots(pixel, first, count, dots);
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
