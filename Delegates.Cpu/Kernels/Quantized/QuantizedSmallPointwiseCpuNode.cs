using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int8 pointwise CONV_2D (1×1, stride 1, no padding) with few output channels — Cout 8 with Cin a multiple of 4 up
/// to 128, Cout 16 with Cin 4–16, such as pose_landmark_full's 8 → 8 layers at 256×256 and the landmark models' 24 → 8
/// — on AVX-VNNI with the AVX-512 epilogue. The GEMM path copies each pixel into a packed row and handles tiles of four
/// pixels; for so few output channels that fixed cost per pixel outweighs its <c>vpdpbusd</c> (one-node models, minima,
/// GEMM → here: 24 → 8 at 128² 0.16 → 0.05 ms, 64 → 8 at 64² 0.050 → 0.028, 128 → 8 0.070 → 0.058). Wider Cout 16 and
/// Cout 24 layers stay on the GEMM node, whose output a following residual ADD is fused into (ResidualAddFusion), which
/// this node does not offer. Here each input quadruple is broadcast straight from the input (x + 128 as u8 by flipping
/// the top bits in the register) against the packed weights of <see cref="PackedQuantizedWeights"/> (whose bias has the
/// (x_off − 128)·Σw correction folded in, and starts the sum); two pixels of 8 channels, or one of 16, are requantized
/// per 16-lane vector and stored with one <c>vpmovdb</c>. The sums are those of the GEMM path, exact modulo 2^32
/// (docs/numerics.md §CPU delegate int8).
/// </summary>
internal sealed unsafe class QuantizedSmallPointwiseCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedSmallPointwiseCpuNode> RunChunk =
        static (in QuantizedSmallPointwiseCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly PackedQuantizedWeights _weights;
    private readonly QuantizedEpilogue _epilogue;

    private byte* _x, _y;

    /// <summary>
    /// Whether this kernel takes the node: the int8 VNNI path with AVX-512F, a pointwise geometry, Cin a multiple of 4, and
    /// Cout 8 with Cin ≤ 128 or Cout 16 with Cin ≤ 16.
    /// </summary>
    public static bool Fits(ConvLayout g, QuantizedIsa isa) =>
        isa == QuantizedIsa.AvxVnni && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.IsPointwise
        && g.InputDepth % 4 == 0 && g.InputDepth >= 4 && (g.OutputDepth == 8 ? g.InputDepth <= 128 : g.OutputDepth == 16 && g.InputDepth <= 16);

    public QuantizedSmallPointwiseCpuNode(Tensor input, Tensor output, ConvLayout g, PackedQuantizedWeights weights, QuantizedEpilogue epilogue)
    {
        if (weights.Isa != QuantizedIsa.AvxVnni || weights.RowLength != g.InputDepth)
            throw new ArgumentException("the small pointwise kernel takes VNNI-packed weights of K = Cin", nameof(weights));
        (_input, _output, _g, _weights, _epilogue) = (input, output, g, weights, epilogue);
    }

    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    /// <summary>Output rows [start, end): one contiguous run of pixels (pointwise: output pixel p reads input pixel p).</summary>
    private void RunRows(int start, int end)
    {
        int width = _g.OutputWidth;
        int first = start * width, last = end * width;
        if (_g.OutputDepth == 8) Run8(first, last);
        else Run16(first, last);
    }

    /// <summary>Cout 8: one 8-lane accumulator per pixel, two pixels per 16-lane requantization and 16-byte store.</summary>
    private void Run8(int first, int last)
    {
        int cin = _g.InputDepth, quads = cin / 4;
        sbyte* w = _weights.Narrow;
        var bias = Avx.LoadVector256(_weights.Bias);
        var (m, l, r) = _epilogue.Lanes(0);
        var (m2, l2, r2) = (Vector512.Create(m, m), Vector512.Create(l, l), Vector512.Create(r, r));
        var flip = Vector256.Create(unchecked((int)0x8080_8080));
        byte* x = _x + (nint)first * cin;
        byte* y = _y + (nint)first * 8;
        int p = first;
        for (; p + 2 <= last; p += 2, x += 2 * cin, y += 16)
        {
            Vector256<int> a = bias, b = bias;
            for (int q = 0; q < quads; q++)
            {
                var wq = Avx.LoadVector256(w + q * 32);
                a = AvxVnni.MultiplyWideningAndAdd(a, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte(), wq);
                b = AvxVnni.MultiplyWideningAndAdd(b, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + cin + 4 * q)), flip).AsByte(), wq);
            }
            Avx512F.ConvertToVector128Byte(_epilogue.Requantize(Vector512.Create(a, b), m2, l2, r2)).Store(y);
        }
        if (p < last)
        {
            Vector256<int> a = bias;
            for (int q = 0; q < quads; q++)
                a = AvxVnni.MultiplyWideningAndAdd(a, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte(),
                    Avx.LoadVector256(w + q * 32));
            QuantizedEpilogue.Store8(_epilogue.Requantize(a, m, l, r), y, 8);
        }
    }

    /// <summary>Cout 16: two 8-channel blocks per pixel, one 16-lane requantization and 16-byte store per pixel.</summary>
    private void Run16(int first, int last)
    {
        int cin = _g.InputDepth, quads = cin / 4, blockSize = PackedQuantizedWeights.BlockChannels * cin;
        sbyte* w = _weights.Narrow, v = w + blockSize;
        var biasLow = Avx.LoadVector256(_weights.Bias);
        var biasHigh = Avx.LoadVector256(_weights.Bias + 8);
        var (m, l, r) = _epilogue.Lanes16(0);
        var flip = Vector256.Create(unchecked((int)0x8080_8080));
        byte* x = _x + (nint)first * cin;
        byte* y = _y + (nint)first * 16;
        for (int p = first; p < last; p++, x += cin, y += 16)
        {
            Vector256<int> a = biasLow, b = biasHigh;
            for (int q = 0; q < quads; q++)
            {
                var u = Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte();
                a = AvxVnni.MultiplyWideningAndAdd(a, u, Avx.LoadVector256(w + q * 32));
                b = AvxVnni.MultiplyWideningAndAdd(b, u, Avx.LoadVector256(v + q * 32));
            }
            Avx512F.ConvertToVector128Byte(_epilogue.Requantize(Vector512.Create(a, b), m, l, r)).Store(y);
        }
    }
}
