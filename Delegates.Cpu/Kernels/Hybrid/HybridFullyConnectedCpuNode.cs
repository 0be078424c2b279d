using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) FULLY_CONNECTED of the CPU delegate: float32 input, constant int8 weights [Units, Depth],
/// float32 output. Bit-exact with the reference's HybridKernels.FullyConnected (docs/numerics.md §Hybrid kernels):
/// each row is quantized by the same <see cref="HybridQuantization"/> code, the int8 × int8 products are summed
/// exactly in int32 (any order: the wrapping int32 sum is associative), and the float epilogue repeats the reference's
/// operations one by one — (bias or +0) + (float)dot · scale, then the activation — with no fused multiply-add.
/// </summary>
internal static class HybridFullyConnected
{
    public static ICpuCompiledNode Compile(DelegateNode node, FullyConnectedParams p, HybridWeightsParams h, HybridDotIsa? isa = null)
    {
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var activation = (node.Options as FullyConnectedOptions)?.FusedActivation ?? ActivationFunctionType.None;
        return new HybridFullyConnectedCpuNode(node.Inputs[0]!, node.Inputs[1]!.Read<sbyte>(), bias is null ? default : bias.Read<float>(),
            node.Outputs[0], p.Batch, p.Units, p.Depth, h, activation, isa ?? HybridDot.Best());
    }
}

/// <summary>
/// A compiled hybrid FULLY_CONNECTED: every row quantized on the calling thread (O(rows · depth)), then
/// (row, block of four units) items spread over the threads, each output written by exactly one thread.
/// </summary>
internal sealed unsafe class HybridFullyConnectedCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridFullyConnectedCpuNode> RunChunk =
        static (in HybridFullyConnectedCpuNode kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _input, _output;
    private readonly int _batch, _units, _depth;
    private readonly bool _asymmetric, _perChannel;
    private readonly ActivationFunctionType _activation;
    private readonly HybridDotRows _dot;
    private readonly float[] _scales, _bias; // _bias: one +0 per unit when the node has none (the zero-filled output)
    private readonly bool _hasBias;
    private readonly int[] _rowSums;
    private readonly float[] _factors;
    private readonly int[] _offsets;

    private float* _y;

    public HybridFullyConnectedCpuNode(Tensor input, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> bias, Tensor output,
        int batch, int units, int depth, HybridWeightsParams h, ActivationFunctionType activation, HybridDotIsa isa)
    {
        _input = input;
        _output = output;
        _batch = batch;
        _units = units;
        _depth = depth;
        _asymmetric = h.AsymmetricInputs;
        _perChannel = h.PerChannel;
        _activation = activation;
        _scales = h.Scales;
        _hasBias = !bias.IsEmpty;
        _bias = _hasBias ? bias[..units].ToArray() : new float[units];
        _rowSums = new int[units];
        HybridQuantization.RowSums(weights, units, depth, _rowSums);
        _dot = new HybridDotRows(weights, units, depth, batch, isa);
        _factors = new float[batch];
        _offsets = new int[batch];
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> input = _input.Read<float>()[..(_batch * _depth)];
        Span<float> output = _output.Write<float>();
        // TFLite skips the products when every input is zero (IsZeroVector), keeping the bias bits.
        if (HybridQuantization.IsZeroVector(input))
        {
            for (int i = 0; i < _batch * _units; i++)
                output[i] = HybridQuantization.Activate(_activation, _hasBias ? _bias[i % _units] : 0f);
            return;
        }
        for (int b = 0; b < _batch; b++)
        {
            var row = input.Slice(b * _depth, _depth);
            var quantized = _dot.QuantizedRow(b);
            int offset = 0;
            float factor = _asymmetric
                ? HybridImageQuantizer.AsymmetricQuantize(row, quantized, out offset)
                : HybridImageQuantizer.SymmetricQuantize(row, quantized);
            if (!_perChannel) factor *= _scales[0];   // scaling_factors[b] *= filter scale, before any product
            _factors[b] = factor;
            _offsets[b] = offset;
            _dot.PrepareRow(b);
        }
        _y = ConvLoops.Pointer(output);
        pool.For(_batch * _dot.UnitBlocks, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        int* dots = stackalloc int[HybridDotRows.BlockUnits];
        for (int item = start; item < end; item++)
        {
            int b = item / _dot.UnitBlocks, first = item % _dot.UnitBlocks * HybridDotRows.BlockUnits;
            int count = Math.Min(HybridDotRows.BlockUnits, _units - first);
            _dot.Dots(b, first, count, dots);
            float factor = _factors[b];
            int offset = _offsets[b];
            float* y = _y + (nint)b * _units;
            for (int i = 0; i < count; i++)
            {
                int u = first + i;
                int dot = dots[i];
                if (_asymmetric) dot = unchecked(dot - _rowSums[u] * offset);
                float scale = _perChannel ? factor * _scales[u] : factor;
                float product = dot * scale;
                float sum = _bias[u] + product;   // the output holds the bias (or +0), then += product
                y[u] = HybridQuantization.Activate(_activation, sum);
            }
        }
    }
}

/// <summary>Which integer dot-product instructions the hybrid kernels use.</summary>
internal enum HybridDotIsa
{
    /// <summary>Plain int32 arithmetic.</summary>
    Scalar,

    /// <summary>AVX2 <c>vpmaddwd</c> on sign-extended int16 pairs (|pair sum| ≤ 2 · 128², exact).</summary>
    Avx2,

    /// <summary>
    /// AVX-VNNI <c>vpdpbusd</c> (no saturation): the quantized row biased to u8 (q + 128), the weights s8;
    /// Σ (q + 128)·w − 128 · Σ w = Σ q·w in wrapping int32.
    /// </summary>
    AvxVnni,
}

internal static class HybridDot
{
    /// <summary>The best path this process can run; <c>ACCEL_CPU_SIMD=scalar</c> forces the scalar one.</summary>
    public static HybridDotIsa Best()
    {
        if (SimdPath.ForcedLanes == 1) return HybridDotIsa.Scalar;
        if (AvxVnni.IsSupported) return HybridDotIsa.AvxVnni;
        return Avx2.IsSupported ? HybridDotIsa.Avx2 : HybridDotIsa.Scalar;
    }

    public static bool IsSupported(HybridDotIsa isa) => isa switch
    {
        HybridDotIsa.AvxVnni => AvxVnni.IsSupported,
        HybridDotIsa.Avx2 => Avx2.IsSupported,
        _ => true,
    };
}

/// <summary>
/// The int8 weight rows and the quantized input rows of a hybrid product, laid out for one <see cref="HybridDotIsa"/>:
/// rows padded with zeros to a multiple of 32 (the pads add 0 to every sum), the input rows also widened to int16
/// (AVX2) or biased to u8 (AVX-VNNI) once per Invoke. <see cref="Dots"/> gives exact int32 Σ_k W[u, k] · q_b[k].
/// </summary>
internal sealed unsafe class HybridDotRows
{
    public const int BlockUnits = 4;
    private const int Pad = 32;

    private readonly HybridDotIsa _isa;
    private readonly int _units, _depth, _stride;
    private readonly sbyte[] _weights;       // [units, stride], pinned
    private readonly sbyte[] _quantized;     // [rows, depth]: what the quantizer writes
    private readonly short[] _wide;          // [rows, stride] (AVX2), pinned
    private readonly byte[] _biased;         // [rows, stride] (AVX-VNNI), pinned
    private readonly int[] _vnniCorrection;  // 128 · Σ_k W[u, k] (AVX-VNNI)

    public HybridDotRows(ReadOnlySpan<sbyte> weights, int units, int depth, int rows, HybridDotIsa isa)
    {
        if (!HybridDot.IsSupported(isa)) throw new PlatformNotSupportedException($"{isa} is not supported by this process");
        _isa = isa;
        _units = units;
        _depth = depth;
        _stride = (depth + Pad - 1) / Pad * Pad;
        _weights = GC.AllocateArray<sbyte>(units * _stride, pinned: true);
        for (int u = 0; u < units; u++) weights.Slice(u * depth, depth).CopyTo(_weights.AsSpan(u * _stride, depth));
        _quantized = new sbyte[rows * depth];
        _wide = isa == HybridDotIsa.Avx2 ? GC.AllocateArray<short>(rows * _stride, pinned: true) : [];
        _biased = isa == HybridDotIsa.AvxVnni ? GC.AllocateArray<byte>(rows * _stride, pinned: true) : [];
        _vnniCorrection = new int[units];
        if (isa == HybridDotIsa.AvxVnni)
        {
            HybridQuantization.RowSums(weights, units, depth, _vnniCorrection);
            for (int u = 0; u < units; u++) _vnniCorrection[u] = unchecked(_vnniCorrection[u] * 128);
            // The pads of the biased rows must add 0: pad weights are 0, so any pad byte does; keep them 0.
        }
    }

    public int UnitBlocks => (_units + BlockUnits - 1) / BlockUnits;

    /// <summary>Where the quantizer writes row <paramref name="row"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public Span<sbyte> QuantizedRow(int row) => _quantized.AsSpan(row * _depth, _depth);

    /// <summary>Converts a freshly quantized row to this path's layout.</summary>
    [MethodImpl(JitHints.Hot)]
    public void PrepareRow(int row)
    {
        var q = _quantized.AsSpan(row * _depth, _depth);
        if (_isa == HybridDotIsa.Avx2)
        {
            var wide = _wide.AsSpan(row * _stride, _depth);
            for (int k = 0; k < q.Length; k++) wide[k] = q[k];
        }
        else if (_isa == HybridDotIsa.AvxVnni)
        {
            var biased = _biased.AsSpan(row * _stride, _depth);
            for (int k = 0; k < q.Length; k++) biased[k] = (byte)(q[k] + 128);
        }
    }

    /// <summary>dots[i] = Σ_k W[first + i, k] · q_row[k] (wrapping int32) for i &lt; count (≤ <see cref="BlockUnits"/>).</summary>
    [MethodImpl(JitHints.Hot)]
    public void Dots(int row, int first, int count, int* dots)
    {
        fixed (sbyte* w0 = &_weights[first * _stride])
        {
            switch (_isa)
            {
                case HybridDotIsa.AvxVnni:
                    fixed (byte* q = &_biased[row * _stride])
                    {
                        int i = 0;
                        if (count == BlockUnits)
                        {
                            VnniDot4(q, w0, _stride, dots);
                            i = BlockUnits;
                        }
                        for (; i < count; i++) dots[i] = VnniDot(q, w0 + (nint)i * _stride, _stride);
                        for (i = 0; i < count; i++) dots[i] = unchecked(dots[i] - _vnniCorrection[first + i]);
                    }
                    break;
                case HybridDotIsa.Avx2:
                    fixed (short* q = &_wide[row * _stride])
                        for (int i = 0; i < count; i++) dots[i] = Avx2Dot(q, w0 + (nint)i * _stride, _stride);
                    break;
                default:
                    fixed (sbyte* q = &_quantized[row * _depth])
                        for (int i = 0; i < count; i++) dots[i] = ScalarDot(q, w0 + (nint)i * _stride, _depth);
                    break;
            }
        }
    }

    [MethodImpl(JitHints.Hot)]
    private static int ScalarDot(sbyte* q, sbyte* w, int depth)
    {
        int sum = 0;
        for (int k = 0; k < depth; k++) sum = unchecked(sum + w[k] * q[k]);
        return sum;
    }

    [MethodImpl(JitHints.Hot)]
    private static int Avx2Dot(short* q, sbyte* w, int stride)
    {
        var acc0 = Vector256<int>.Zero;
        var acc1 = Vector256<int>.Zero;
        for (int k = 0; k < stride; k += 32)
        {
            var w0 = Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + k));
            var w1 = Avx2.ConvertToVector256Int16(Sse2.LoadVector128(w + k + 16));
            acc0 = Avx2.Add(acc0, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q + k), w0));
            acc1 = Avx2.Add(acc1, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(q + k + 16), w1));
        }
        return Vector256.Sum(Avx2.Add(acc0, acc1));
    }

    /// <summary>Four weight rows against one input row, the input loaded once per 32 bytes.</summary>
    [MethodImpl(JitHints.Hot)]
    private static void VnniDot4(byte* q, sbyte* w, int stride, int* dots)
    {
        Vector256<int> a0 = Vector256<int>.Zero, a1 = Vector256<int>.Zero, a2 = Vector256<int>.Zero, a3 = Vector256<int>.Zero;
        for (int k = 0; k < stride; k += 32)
        {
            var x = Avx.LoadVector256(q + k);
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, Avx.LoadVector256(w + k));
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, Avx.LoadVector256(w + stride + k));
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, Avx.LoadVector256(w + 2 * stride + k));
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, Avx.LoadVector256(w + 3 * stride + k));
        }
        // Horizontal sums of the four accumulators at once: pairwise adds, then the two 128-bit halves.
        var s01 = Avx2.HorizontalAdd(a0, a1);
        var s23 = Avx2.HorizontalAdd(a2, a3);
        var s = Avx2.HorizontalAdd(s01, s23);   // lanes: [a0 a1 a2 a3 | a0 a1 a2 a3] partial sums
        Sse2.Store(dots, Sse2.Add(s.GetLower(), s.GetUpper()));
    }

    [MethodImpl(JitHints.Hot)]
    private static int VnniDot(byte* q, sbyte* w, int stride)
    {
        var acc = Vector256<int>.Zero;
        for (int k = 0; k < stride; k += 32)
            acc = AvxVnni.MultiplyWideningAndAdd(acc, Avx.LoadVector256(q + k), Avx.LoadVector256(w + k));
        return Vector256.Sum(acc);
    }
}
