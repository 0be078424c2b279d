using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>Which instructions <see cref="Int16Dot"/> sums with.</summary>
internal enum Int16DotIsa
{
    /// <summary>Plain int64 arithmetic.</summary>
    Scalar,

    /// <summary>AVX2 <c>vpmaddwd</c>, 16 int16 pairs a step.</summary>
    Avx2,

    /// <summary>AVX-512BW <c>vpmaddwd</c>, 32 int16 pairs a step (then the AVX2 step for a 16-channel tail).</summary>
    Avx512,
}

/// <summary>
/// Σ x[c] · w[c] of int16 activations and int8 weights (held widened to int16), exact in int64. A <c>vpmaddwd</c> lane
/// sums two products, each |x · w| ≤ 32768 · 128 = 2^22, so a pair stays within ±2^23 (the one wrapping pair,
/// (−32768)² twice, needs both operands at −32768, and a weight never is); the int32 lanes are widened into the int64
/// total every 128 steps (a lane then holds at most 128 · 2^23 = 2^30), so no sum wraps and every path returns the
/// exact integer the reference's int64 loop does.
/// </summary>
internal static unsafe class Int16Dot
{
    private const int StepsPerFlush = 128;

    /// <summary>The best path this process can run; <c>ACCEL_CPU_SIMD=scalar</c> forces the scalar one.</summary>
    public static Int16DotIsa Best()
    {
        if (SimdPath.ForcedLanes == 1) return Int16DotIsa.Scalar;
        if (Avx512BW.IsSupported && Vector512.IsHardwareAccelerated) return Int16DotIsa.Avx512;
        return Avx2.IsSupported ? Int16DotIsa.Avx2 : Int16DotIsa.Scalar;
    }

    public static bool IsSupported(Int16DotIsa isa) => isa switch
    {
        Int16DotIsa.Avx512 => Avx512BW.IsSupported,
        Int16DotIsa.Avx2 => Avx2.IsSupported,
        _ => true,
    };

    /// <summary>Σ x[c]·w[c] over <paramref name="depth"/> channels (one tap).</summary>
    public static long Dot(short* x, short* w, int depth, Int16DotIsa isa)
    {
        int zero = 0;
        return DotTaps(x, &zero, w, &zero, 1, depth, isa);
    }

    /// <summary>
    /// Σ over the taps t &lt; <paramref name="count"/> of Σ_c x[xOffsets[t] + c]·w[wOffsets[t] + c]: the lanes keep
    /// accumulating across taps and are widened into the int64 total once per output (or every 128 steps).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static long DotTaps(short* x, int* xOffsets, short* w, int* wOffsets, int count, int depth, Int16DotIsa isa)
    {
        long total = 0;
        if (isa == Int16DotIsa.Scalar)
        {
            for (int t = 0; t < count; t++)
            {
                short* xt = x + xOffsets[t], wt = w + wOffsets[t];
                for (int c = 0; c < depth; c++) total += xt[c] * wt[c];
            }
            return total;
        }
        var wide = Vector512<int>.Zero;
        var narrow = Vector256<int>.Zero;
        int wideSteps = 0, narrowSteps = 0;
        bool use512 = isa == Int16DotIsa.Avx512;
        for (int t = 0; t < count; t++)
        {
            short* xt = x + xOffsets[t], wt = w + wOffsets[t];
            int c = 0;
            if (use512)
            {
                for (; c + 32 <= depth; c += 32)
                {
                    wide = Avx512BW.Add(wide, Avx512BW.MultiplyAddAdjacent(Vector512.Load(xt + c), Vector512.Load(wt + c)));
                    if (++wideSteps == StepsPerFlush)
                    {
                        total += Sum(wide);
                        wide = Vector512<int>.Zero;
                        wideSteps = 0;
                    }
                }
            }
            for (; c + 16 <= depth; c += 16)
            {
                narrow = Avx2.Add(narrow, Avx2.MultiplyAddAdjacent(Vector256.Load(xt + c), Vector256.Load(wt + c)));
                if (++narrowSteps == StepsPerFlush)
                {
                    total += Sum(narrow);
                    narrow = Vector256<int>.Zero;
                    narrowSteps = 0;
                }
            }
            for (; c < depth; c++) total += xt[c] * wt[c];
        }
        if (use512) total += Sum(wide);
        return total + Sum(narrow);
    }

    /// <summary>
    /// <see cref="DotTaps"/> for four output channels at once (weights <paramref name="channelStride"/> shorts apart),
    /// each input vector loaded once for the four: sums[i] for the weights at w + i · channelStride.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static void DotTaps4(short* x, int* xOffsets, short* w, int channelStride, int* wOffsets, int count, int depth, Int16DotIsa isa, long* sums)
    {
        if (isa == Int16DotIsa.Scalar)
        {
            for (int i = 0; i < 4; i++) sums[i] = DotTaps(x, xOffsets, w + (nint)i * channelStride, wOffsets, count, depth, isa);
            return;
        }
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        Vector512<int> a0 = Vector512<int>.Zero, a1 = a0, a2 = a0, a3 = a0;
        Vector256<int> b0 = Vector256<int>.Zero, b1 = b0, b2 = b0, b3 = b0;
        int wideSteps = 0, narrowSteps = 0;
        bool use512 = isa == Int16DotIsa.Avx512;
        nint stride = channelStride;
        for (int t = 0; t < count; t++)
        {
            short* xt = x + xOffsets[t], wt = w + wOffsets[t];
            int c = 0;
            if (use512)
            {
                for (; c + 32 <= depth; c += 32)
                {
                    var xv = Vector512.Load(xt + c);
                    a0 = Avx512BW.Add(a0, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + c)));
                    a1 = Avx512BW.Add(a1, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + stride + c)));
                    a2 = Avx512BW.Add(a2, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + 2 * stride + c)));
                    a3 = Avx512BW.Add(a3, Avx512BW.MultiplyAddAdjacent(xv, Vector512.Load(wt + 3 * stride + c)));
                    if (++wideSteps == StepsPerFlush)
                    {
                        s0 += Sum(a0);
                        s1 += Sum(a1);
                        s2 += Sum(a2);
                        s3 += Sum(a3);
                        a0 = a1 = a2 = a3 = Vector512<int>.Zero;
                        wideSteps = 0;
                    }
                }
            }
            for (; c + 16 <= depth; c += 16)
            {
                var xv = Vector256.Load(xt + c);
                b0 = Avx2.Add(b0, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + c)));
                b1 = Avx2.Add(b1, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + stride + c)));
                b2 = Avx2.Add(b2, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + 2 * stride + c)));
                b3 = Avx2.Add(b3, Avx2.MultiplyAddAdjacent(xv, Vector256.Load(wt + 3 * stride + c)));
                if (++narrowSteps == StepsPerFlush)
                {
                    s0 += Sum(b0);
                    s1 += Sum(b1);
                    s2 += Sum(b2);
                    s3 += Sum(b3);
                    b0 = b1 = b2 = b3 = Vector256<int>.Zero;
                    narrowSteps = 0;
                }
            }
            for (; c < depth; c++)
            {
                int xv = xt[c];
                s0 += xv * wt[c];
                s1 += xv * wt[stride + c];
                s2 += xv * wt[2 * stride + c];
                s3 += xv * wt[3 * stride + c];
            }
        }
        if (use512)
        {
            s0 += Sum(a0);
            s1 += Sum(a1);
            s2 += Sum(a2);
            s3 += Sum(a3);
        }
        sums[0] = s0 + Sum(b0);
        sums[1] = s1 + Sum(b1);
        sums[2] = s2 + Sum(b2);
        sums[3] = s3 + Sum(b3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Sum(Vector512<int> lanes) => Vector512.Sum(Vector512.WidenLower(lanes)) + Vector512.Sum(Vector512.WidenUpper(lanes));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Sum(Vector256<int> lanes) => Vector256.Sum(Vector256.WidenLower(lanes)) + Vector256.Sum(Vector256.WidenUpper(lanes));
}

/// <summary>
/// int16x8 TRANSPOSE_CONV (the reference's Int16x8Kernels.TransposeConv, TFLite's reference_integer_ops::TransposeConv
/// for int16): per output the gather of the taps that land on it, each tap an exact int64 dot product Σ w·x over the
/// input channels (<see cref="Int16Dot"/>; an integer sum, so the order is free), then + the bias (int64, or an int32
/// one's wrapping accumulator), the channel's 64-bit rescale and the clamp (<see cref="Int16ConvParams.Requantize"/>,
/// the reference's own code). Threads take output rows.
/// </summary>
internal sealed unsafe class Int16TransposeConvCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16TransposeConvCpuNode> Work =
        static (in Int16TransposeConvCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly short[] _weights;   // OHWI, widened to int16 once, pinned
    private readonly long[] _bias;
    private readonly TransposeConvParams _p;
    private readonly Int16ConvParams _q;
    private readonly Int16DotIsa _isa;
    private readonly int _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _outputDepth;
    private short* _x, _y;

    public Int16TransposeConvCpuNode(Tensor input, Tensor weights, Tensor? bias, Tensor output, TransposeConvParams p, Int16ConvParams q,
        Int16DotIsa? isa = null)
    {
        (_input, _output, _p, _q) = (input, output, p, q);
        _isa = isa ?? Int16Dot.Best();
        if (!Int16Dot.IsSupported(_isa)) throw new PlatformNotSupportedException($"{_isa} is not supported by this process");
        var w = weights.Read<sbyte>();
        _weights = GC.AllocateArray<short>(w.Length, pinned: true);
        for (int i = 0; i < w.Length; i++) _weights[i] = w[i];
        (_height, _width, _depth) = (input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (weights.Dim(1), weights.Dim(2));
        (_outputHeight, _outputWidth, _outputDepth) = (output.Dim(1), output.Dim(2), output.Dim(3));
        _bias = new long[_outputDepth];
        if (bias is { Type: TensorType.Int64 }) bias.Read<long>()[.._outputDepth].CopyTo(_bias);
        else if (bias is { Type: TensorType.Int32 })
        {
            var narrow = bias.Read<int>();
            for (int c = 0; c < _outputDepth; c++) _bias[c] = narrow[c];
        }
    }

    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(_input.Bytes);
        _y = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_input.Dim(0) * _outputHeight, this, Work);
    }

    private void Rows(int start, int end)
    {
        var p = _p;
        var isa = _isa;
        int taps = _filterHeight * _filterWidth, filterSize = taps * _depth;
        int* inputOffsets = stackalloc int[taps];
        int* weightOffsets = stackalloc int[taps];
        long* sums = stackalloc long[4];
        fixed (short* w = _weights)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / _outputHeight, oy = row % _outputHeight;
                short* image = _x + (long)b * _height * _width * _depth;
                for (int ox = 0; ox < _outputWidth; ox++)
                {
                    // The taps that land on (oy, ox); the order is free (an exact integer sum).
                    int count = 0;
                    for (int ky = 0; ky < _filterHeight; ky++)
                    {
                        int rowNumerator = oy + p.PadTop - ky;
                        if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                        int iy = rowNumerator / p.StrideH;
                        if (iy >= _height) continue;
                        for (int kx = 0; kx < _filterWidth; kx++)
                        {
                            int colNumerator = ox + p.PadLeft - kx;
                            if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                            int ix = colNumerator / p.StrideW;
                            if (ix >= _width) continue;
                            inputOffsets[count] = (iy * _width + ix) * _depth;
                            weightOffsets[count] = (ky * _filterWidth + kx) * _depth;
                            count++;
                        }
                    }
                    short* y = _y + ((long)row * _outputWidth + ox) * _outputDepth;
                    int oc = 0;
                    for (; oc + 4 <= _outputDepth; oc += 4)
                    {
                        Int16Dot.DotTaps4(image, inputOffsets, w + (long)oc * filterSize, filterSize, weightOffsets, count, _depth, isa, sums);
                        for (int i = 0; i < 4; i++) y[oc + i] = _q.Requantize(sums[i], _bias[oc + i], oc + i);
                    }
                    for (; oc < _outputDepth; oc++)
                    {
                        long sum = Int16Dot.DotTaps(image, inputOffsets, w + (long)oc * filterSize, weightOffsets, count, _depth, isa);
                        y[oc] = _q.Requantize(sum, _bias[oc], oc);
                    }
                }
            }
        }
    }
}
