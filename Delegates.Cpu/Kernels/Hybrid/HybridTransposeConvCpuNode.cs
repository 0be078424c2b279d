using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) TRANSPOSE_CONV of the CPU delegate: float32 input [N, H, W, Cin], constant int8 OHWI
/// weights (one scale per output channel), float32 output. Bit-exact with the reference's HybridKernels.TransposeConv
/// (TFLite's reference_ops::HybridTransposeConv): each image is quantized by the same <see cref="HybridQuantization"/>
/// code, and every output is the same binary32 chain — from +0, over the taps that land on it (input rows, then columns,
/// ascending: ky and kx descending), over the input channels ascending, acc += ((q − z)·w · s_c) · f with each product
/// rounded on its own (no fused multiply-add) — then + bias, max(·, min), min(·, max). Only the output channels are
/// vectorized: each lane is one output's chain, so the order of its float additions is the reference's.
/// </summary>
internal static class HybridTransposeConv
{
    public static ICpuCompiledNode Compile(DelegateNode node, TransposeConvParams p, HybridWeightsParams h)
    {
        var (weights, input, output) = (node.Inputs[1]!, node.Inputs[2]!, node.Outputs[0]);
        var bias = node.Inputs.Count > 3 ? node.Inputs[3] : null;
        var activation = (node.Options as TransposeConvOptions)?.FusedActivation ?? ActivationFunctionType.None;
        return SimdWidths.Current switch
        {
            SimdWidth.W512 => new HybridTransposeConvCpuNode<Simd512, Vector512<float>>(input, weights, bias, output, p, h, activation),
            SimdWidth.W256 => new HybridTransposeConvCpuNode<Simd256, Vector256<float>>(input, weights, bias, output, p, h, activation),
            SimdWidth.W128 => new HybridTransposeConvCpuNode<Simd128, Vector128<float>>(input, weights, bias, output, p, h, activation),
            _ => new HybridTransposeConvCpuNode<Scalar, float>(input, weights, bias, output, p, h, activation),
        };
    }
}

/// <summary>
/// A compiled hybrid TRANSPOSE_CONV: every image quantized on the calling thread (kept as the exact floats q − z), the
/// weights packed once as [KH, KW, Cin, Cout] floats (Cout padded to the vector width with zero weights and scales),
/// then output rows spread over the threads, each output written by exactly one thread.
/// </summary>
internal sealed unsafe class HybridTransposeConvCpuNode<TS, TV> : ICpuCompiledNode
    where TS : struct, ISimd<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<HybridTransposeConvCpuNode<TS, TV>> Work =
        [MethodImpl(JitHints.Hot)] static (in HybridTransposeConvCpuNode<TS, TV> node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly TransposeConvParams _p;
    private readonly int _batches, _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _channels, _stride;
    private readonly bool _hasBias;
    private readonly float _min, _max;
    private readonly PinnedFloats _weights;   // [KH, KW, Cin, stride]
    private readonly PinnedFloats _scales;    // [stride]
    private readonly PinnedFloats _bias;      // [stride]
    private readonly PinnedFloats _image;     // [N, H, W, Cin]: q − z of each quantized image
    private readonly sbyte[] _quantized;
    private readonly float[] _factors;
    private float* _y;

    public HybridTransposeConvCpuNode(Tensor input, Tensor weights, Tensor? bias, Tensor output, TransposeConvParams p, HybridWeightsParams h,
        ActivationFunctionType activation)
    {
        (_input, _output, _p) = (input, output, p);
        (_batches, _height, _width, _depth) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (weights.Dim(1), weights.Dim(2));
        (_outputHeight, _outputWidth, _channels) = (output.Dim(1), output.Dim(2), output.Dim(3));
        int w = TS.Count;
        _stride = (_channels + w - 1) / w * w;
        // The reference's CalculateActivationRange: NONE clamps to ±FLT_MAX, so ±∞ become ±MaxValue.
        (_min, _max) = activation switch
        {
            ActivationFunctionType.Relu => (0f, float.MaxValue),
            ActivationFunctionType.Relu6 => (0f, 6f),
            ActivationFunctionType.ReluN1To1 => (-1f, 1f),
            _ => (float.MinValue, float.MaxValue),
        };
        var source = weights.Read<sbyte>();
        int taps = _filterHeight * _filterWidth;
        _weights = new PinnedFloats(taps * _depth * _stride);
        var packed = new Span<float>(_weights.Pointer, _weights.Length);
        for (int oc = 0; oc < _channels; oc++)
        for (int t = 0; t < taps; t++)
        for (int ci = 0; ci < _depth; ci++)
            packed[(t * _depth + ci) * _stride + oc] = source[(oc * taps + t) * _depth + ci];
        _scales = new PinnedFloats(_stride);
        h.Scales.AsSpan(0, _channels).CopyTo(new Span<float>(_scales.Pointer, _stride));
        _hasBias = bias is not null;
        _bias = new PinnedFloats(_stride);
        if (bias is not null) bias.Read<float>()[.._channels].CopyTo(new Span<float>(_bias.Pointer, _stride));
        int imageSize = _height * _width * _depth;
        _image = new PinnedFloats(_batches * imageSize);
        _quantized = new sbyte[imageSize];
        _factors = new float[_batches];
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> input = _input.Read<float>();
        int imageSize = _quantized.Length;
        for (int b = 0; b < _batches; b++)
        {
            _factors[b] = HybridImageQuantizer.AsymmetricQuantize(input.Slice(b * imageSize, imageSize), _quantized, out int zero);
            float* image = _image.Pointer + (nint)b * imageSize;
            for (int i = 0; i < imageSize; i++) image[i] = _quantized[i] - zero;   // exact: |q − z| ≤ 255
        }
        _y = ConvLoops.Pointer(_output.Write<float>());
        pool.For(_batches * _outputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        var p = _p;
        int w = TS.Count, depth = _depth, stride = _stride, imageSize = _quantized.Length;
        int taps = _filterHeight * _filterWidth;
        int* inputOffsets = stackalloc int[taps];
        int* weightOffsets = stackalloc int[taps];
        float* tail = stackalloc float[w];
        for (int row = start; row < end; row++)
        {
            int b = row / _outputHeight, oy = row % _outputHeight;
            float* image = _image.Pointer + (nint)b * imageSize;
            TV factor = TS.Splat(_factors[b]);
            for (int ox = 0; ox < _outputWidth; ox++)
            {
                // The taps that land on (oy, ox), in the reference's order: input rows ascending (ky descending), then columns.
                int count = 0;
                for (int ky = _filterHeight - 1; ky >= 0; ky--)
                {
                    int rowNumerator = oy + p.PadTop - ky;
                    if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                    int iy = rowNumerator / p.StrideH;
                    if (iy >= _height) continue;
                    for (int kx = _filterWidth - 1; kx >= 0; kx--)
                    {
                        int colNumerator = ox + p.PadLeft - kx;
                        if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                        int ix = colNumerator / p.StrideW;
                        if (ix >= _width) continue;
                        inputOffsets[count] = (iy * _width + ix) * depth;
                        weightOffsets[count] = (ky * _filterWidth + kx) * depth * stride;
                        count++;
                    }
                }
                float* y = _y + ((nint)row * _outputWidth + ox) * _channels;
                int oc = 0;
                for (; oc + 4 * w <= stride; oc += 4 * w)
                {
                    TV s0 = TS.Load(_scales.Pointer + oc), s1 = TS.Load(_scales.Pointer + oc + w);
                    TV s2 = TS.Load(_scales.Pointer + oc + 2 * w), s3 = TS.Load(_scales.Pointer + oc + 3 * w);
                    TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0;
                    for (int t = 0; t < count; t++)
                    {
                        float* x = image + inputOffsets[t];
                        float* wt = _weights.Pointer + weightOffsets[t] + oc;
                        for (int ci = 0; ci < depth; ci++, wt += stride)
                        {
                            TV xv = TS.Splat(x[ci]);
                            a0 = TS.Add(a0, TS.Multiply(TS.Multiply(TS.Multiply(xv, TS.Load(wt)), s0), factor));
                            a1 = TS.Add(a1, TS.Multiply(TS.Multiply(TS.Multiply(xv, TS.Load(wt + w)), s1), factor));
                            a2 = TS.Add(a2, TS.Multiply(TS.Multiply(TS.Multiply(xv, TS.Load(wt + 2 * w)), s2), factor));
                            a3 = TS.Add(a3, TS.Multiply(TS.Multiply(TS.Multiply(xv, TS.Load(wt + 3 * w)), s3), factor));
                        }
                    }
                    Store(y, oc, a0, tail);
                    Store(y, oc + w, a1, tail);
                    Store(y, oc + 2 * w, a2, tail);
                    Store(y, oc + 3 * w, a3, tail);
                }
                for (; oc < stride; oc += w)
                {
                    TV s = TS.Load(_scales.Pointer + oc);
                    TV a = TS.Splat(0f);
                    for (int t = 0; t < count; t++)
                    {
                        float* x = image + inputOffsets[t];
                        float* wt = _weights.Pointer + weightOffsets[t] + oc;
                        for (int ci = 0; ci < depth; ci++, wt += stride)
                            a = TS.Add(a, TS.Multiply(TS.Multiply(TS.Multiply(TS.Splat(x[ci]), TS.Load(wt)), s), factor));
                    }
                    Store(y, oc, a, tail);
                }
            }
        }
    }

    /// <summary>+ bias (when the node has one), max(·, min) then min(·, max) as the reference's comparisons, the lanes below Cout stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(float* y, int oc, TV value, float* tail)
    {
        if (_hasBias) value = TS.Add(value, TS.Load(_bias.Pointer + oc));
        TV min = TS.Splat(_min), max = TS.Splat(_max);
        value = TS.Select(TS.LessThan(value, min), min, value);
        value = TS.Select(TS.LessThan(max, value), max, value);
        int w = TS.Count;
        if (oc + w <= _channels)
        {
            TS.Store(y + oc, value);
            return;
        }
        TS.Store(tail, value);
        for (int i = 0; oc + i < _channels; i++) y[oc + i] = tail[i];
    }
}
