using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int8 pointwise CONV_2D (1×1, stride 1, no padding) with few output channels — Cout 8 with Cin a multiple of 4 up
/// to 128, Cout 16 or 24 with Cin up to 48, such as pose_landmark_full's 8 → 8 layers at 256×256 and the landmark
/// models' 24 → 8 and 24 → 24 — on AVX-VNNI with the AVX-512 epilogue. The GEMM path copies each pixel into a packed
/// row and handles tiles of four pixels; for so few output channels that fixed cost per pixel outweighs its
/// <c>vpdpbusd</c> (one-node models, minima, GEMM → here: 24 → 8 at 128² 0.16 → 0.05 ms, 64 → 8 at 64² 0.050 → 0.028,
/// 128 → 8 0.070 → 0.058, 48 → 16 0.047 → 0.038, 24 → 24 at 128² 0.205 → 0.134, 48 → 24 0.057 → 0.048; 64 → 16 and
/// 96 → 24 equal, 96 → 16 slower, so Cout 16 and 24 stop at 48). Here each input quadruple is broadcast straight from
/// the input (x + 128 as u8 by flipping the top bits in the register) against the packed weights of
/// <see cref="PackedQuantizedWeights"/> (whose bias has the (x_off − 128)·Σw correction folded in, and starts the sum);
/// two pixels of 8 channels, or one of 16, are requantized per 16-lane vector (the GEMM's short form where the node's
/// bounds allow it, its plain steps' constants held in registers across the pixels) and stored with one
/// <c>vpmovdb</c>. The
/// sums are those of the GEMM path, exact modulo 2^32 (docs/numerics.md §CPU delegate int8). Like the GEMM node, it
/// takes a following residual ADD into the same pass (<see cref="ResidualAddFusion"/>).
/// </summary>
internal sealed unsafe class QuantizedSmallPointwiseCpuNode : IResidualAddProducer
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedSmallPointwiseCpuNode> RunChunk =
        static (in QuantizedSmallPointwiseCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly PackedQuantizedWeights _weights;
    private readonly QuantizedEpilogue _epilogue;
    private readonly ResidualAddOperands? _residual; // the ADD this node's output feeds, computed in the same pass (null: none)

    private byte* _x, _y, _r;

    /// <summary>
    /// Whether this kernel takes the node: the int8 VNNI path with AVX-512F, a pointwise geometry, Cin a multiple of 4, and
    /// Cout 8 with Cin ≤ 128 or Cout 16 or 24 with Cin ≤ 48.
    /// </summary>
    public static bool Fits(ConvLayout g, QuantizedIsa isa) =>
        isa == QuantizedIsa.AvxVnni && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && g.IsPointwise
        && g.InputDepth % 4 == 0 && g.InputDepth >= 4 && (g.OutputDepth == 8 ? g.InputDepth <= 128 : g.OutputDepth is 16 or 24 && g.InputDepth <= 48);

    public QuantizedSmallPointwiseCpuNode(Tensor input, Tensor output, ConvLayout g, PackedQuantizedWeights weights, QuantizedEpilogue epilogue)
    {
        if (weights.Isa != QuantizedIsa.AvxVnni || weights.RowLength != g.InputDepth)
            throw new ArgumentException("the small pointwise kernel takes VNNI-packed weights of K = Cin", nameof(weights));
        (_input, _output, _g, _weights, _epilogue) = (input, output, g, weights, epilogue);
    }

    private QuantizedSmallPointwiseCpuNode(QuantizedSmallPointwiseCpuNode conv, ResidualAddOperands residual)
        : this(conv._input, residual.Output, conv._g, conv._weights, conv._epilogue)
    {
        _residual = residual;
    }

    /// <inheritdoc/>
    public Tensor Input => _input;

    /// <inheritdoc/>
    /// <remarks>Each work item computes a run of pixels into its stack buffer before it writes their output bytes.</remarks>
    public bool CanRunOverInput => _g.InputDepth == _g.OutputDepth;

    /// <inheritdoc/>
    /// <remarks>The work is split by output rows only.</remarks>
    public bool SplitsChannels(CpuThreadPool pool) => false;

    /// <inheritdoc/>
    /// <remarks>Each run of pixels is requantized into a stack buffer exactly as into the convolution's output, then goes through the ADD node's element loop.</remarks>
    public ICpuCompiledNode WithResidualAdd(ResidualAddOperands residual) => new QuantizedSmallPointwiseCpuNode(this, residual);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        if (_residual is not null) _r = QuantizedConv.Pointer(_residual.Residual.Bytes);
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    /// <summary>Output rows [start, end): one contiguous run of pixels (pointwise: output pixel p reads input pixel p).</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        int width = _g.OutputWidth;
        int first = start * width, last = end * width;
        if (_residual is null) RunPixels(first, last - first, _y + (nint)first * _g.OutputDepth);
        else RunPixelsWithResidual(first, last);
    }

    /// <summary>
    /// The fused residual ADD: runs of pixels (up to <see cref="ResidualAddOperands.BufferBytes"/> output
    /// bytes) computed into a stack buffer, then added to the residual into the output by the ADD node's element loop.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(JitHints.Hot)]
    private void RunPixelsWithResidual(int first, int last)
    {
        int channels = _g.OutputDepth;
        byte* buffer = stackalloc byte[ResidualAddOperands.BufferBytes];
        int run = ResidualAddOperands.BufferBytes / channels & ~1; // even: the two-pixel steps stay whole
        for (int p = first; p < last; p += run)
        {
            int count = Math.Min(run, last - p);
            RunPixels(p, count, buffer);
            _residual!.Apply(buffer, _r, _y, (nint)p * channels, count * channels);
        }
    }

    /// <summary>Pixels [first, first + count) into <paramref name="y"/> (C bytes per pixel).</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunPixels(int first, int count, byte* y)
    {
        byte* x = _x + (nint)first * _g.InputDepth;
        if (_epilogue.Saturates) RunPixels<SignedSaturation>(x, y, count);
        else RunPixels<ClampThenTruncate>(x, y, count);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunPixels<TClamp>(byte* x, byte* y, int count) where TClamp : struct, IClampedBytes
    {
        if (_g.OutputDepth == 8) Run8<TClamp>(x, y, count);
        else if (_g.OutputDepth == 16) Run16<TClamp>(x, y, count);
        else Run24<TClamp>(x, y, count);
    }

    /// <summary>Cout 8: one 8-lane accumulator per pixel, two pixels per 16-lane requantization and 16-byte store.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Run8<TClamp>(byte* x, byte* y, int count) where TClamp : struct, IClampedBytes
    {
        int cin = _g.InputDepth, quads = cin / 4;
        sbyte* w = _weights.Narrow;
        var bias = Avx.LoadVector256(_weights.Bias);
        var fast = _weights.Short;
        var flip = Vector256.Create(unchecked((int)0x8080_8080));
        // The plain form's constants held in registers across the pixels (the general steps read them per pixel pair).
        bool plain = fast is { Plain: true };
        var lanes = plain ? fast!.PlainAt(0, twice: true) : default;
        var (min, max) = (Vector512.Create(_epilogue.Min), Vector512.Create(_epilogue.Max));
        int p = 0;
        if (cin == 8 && plain)
        {
            // pose_landmark_full's 8 → 8 layers at 128² and 256²: the two quadruples unrolled.
            var (w0, w1) = (Avx.LoadVector256(w), Avx.LoadVector256(w + 32));
            for (; p + 2 <= count; p += 2, x += 16, y += 16)
            {
                var a = VnniDot.MultiplyWideningAndAdd(bias, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)x), flip).AsByte(), w0);
                var b = VnniDot.MultiplyWideningAndAdd(bias, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 8)), flip).AsByte(), w0);
                a = VnniDot.MultiplyWideningAndAdd(a, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4)), flip).AsByte(), w1);
                b = VnniDot.MultiplyWideningAndAdd(b, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 12)), flip).AsByte(), w1);
                TClamp.Bytes(lanes.Unclamped(Vector512Lanes.Join(a, b)), min, max).Store(y);
            }
        }
        for (; p + 2 <= count; p += 2, x += 2 * cin, y += 16)
        {
            Vector256<int> a = bias, b = bias;
            for (int q = 0; q < quads; q++)
            {
                var wq = Avx.LoadVector256(w + q * 32);
                a = VnniDot.MultiplyWideningAndAdd(a, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte(), wq);
                b = VnniDot.MultiplyWideningAndAdd(b, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + cin + 4 * q)), flip).AsByte(), wq);
            }
            if (plain) TClamp.Bytes(lanes.Unclamped(Vector512Lanes.Join(a, b)), min, max).Store(y);
            else QuantizedGemm.Requantize8x2<TClamp>(fast, _epilogue, 0, Vector512Lanes.Join(a, b)).AsByte().Store(y);
        }
        if (p < count)
        {
            Vector256<int> a = bias;
            for (int q = 0; q < quads; q++)
                a = VnniDot.MultiplyWideningAndAdd(a, Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte(),
                    Avx.LoadVector256(w + q * 32));
            *(ulong*)y = QuantizedGemm.Requantize8x2<TClamp>(fast, _epilogue, 0, Vector512Lanes.Join(a, a)).ToScalar();
        }
    }

    /// <summary>Cout 16: two 8-channel blocks per pixel, one 16-lane requantization and 16-byte store per pixel.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Run16<TClamp>(byte* x, byte* y, int count) where TClamp : struct, IClampedBytes
    {
        int cin = _g.InputDepth, quads = cin / 4, blockSize = PackedQuantizedWeights.BlockChannels * cin;
        sbyte* w = _weights.Narrow, v = w + blockSize;
        var biasLow = Avx.LoadVector256(_weights.Bias);
        var biasHigh = Avx.LoadVector256(_weights.Bias + 8);
        var fast = _weights.Short;
        var flip = Vector256.Create(unchecked((int)0x8080_8080));
        bool plain = fast is { Plain: true };
        var lanes = plain ? fast!.PlainAt(0, twice: false) : default;
        var (min, max) = (Vector512.Create(_epilogue.Min), Vector512.Create(_epilogue.Max));
        for (int p = 0; p < count; p++, x += cin, y += 16)
        {
            Vector256<int> a = biasLow, b = biasHigh;
            for (int q = 0; q < quads; q++)
            {
                var u = Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte();
                a = VnniDot.MultiplyWideningAndAdd(a, u, Avx.LoadVector256(w + q * 32));
                b = VnniDot.MultiplyWideningAndAdd(b, u, Avx.LoadVector256(v + q * 32));
            }
            if (plain) TClamp.Bytes(lanes.Unclamped(Vector512Lanes.Join(a, b)), min, max).Store(y);
            else QuantizedGemm.Store16<TClamp>(fast, _epilogue, 0, y, Vector512Lanes.Join(a, b));
        }
    }

    /// <summary>
    /// Cout 24: three 8-channel blocks per pixel, two pixels per step; each pixel's channels 0–15 requantized as one
    /// 16-lane vector, channels 16–23 of both pixels as another.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Run24<TClamp>(byte* x, byte* y, int count) where TClamp : struct, IClampedBytes
    {
        int cin = _g.InputDepth, quads = cin / 4, blockSize = PackedQuantizedWeights.BlockChannels * cin;
        sbyte* w0 = _weights.Narrow, w1 = w0 + blockSize, w2 = w1 + blockSize;
        var bias0 = Avx.LoadVector256(_weights.Bias);
        var bias1 = Avx.LoadVector256(_weights.Bias + 8);
        var bias2 = Avx.LoadVector256(_weights.Bias + 16);
        var fast = _weights.Short;
        var flip = Vector256.Create(unchecked((int)0x8080_8080));
        bool plain = fast is { Plain: true };
        var (lanes, tailLanes) = plain ? (fast!.PlainAt(0, twice: false), fast.PlainAt(16, twice: true)) : default;
        var (min, max) = (Vector512.Create(_epilogue.Min), Vector512.Create(_epilogue.Max));
        int p = 0;
        for (; p + 2 <= count; p += 2, x += 2 * cin, y += 48)
        {
            Vector256<int> a0 = bias0, a1 = bias1, a2 = bias2, b0 = bias0, b1 = bias1, b2 = bias2;
            for (int q = 0; q < quads; q++)
            {
                var u = Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte();
                var v = Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + cin + 4 * q)), flip).AsByte();
                var k0 = Avx.LoadVector256(w0 + q * 32);
                a0 = VnniDot.MultiplyWideningAndAdd(a0, u, k0);
                b0 = VnniDot.MultiplyWideningAndAdd(b0, v, k0);
                var k1 = Avx.LoadVector256(w1 + q * 32);
                a1 = VnniDot.MultiplyWideningAndAdd(a1, u, k1);
                b1 = VnniDot.MultiplyWideningAndAdd(b1, v, k1);
                var k2 = Avx.LoadVector256(w2 + q * 32);
                a2 = VnniDot.MultiplyWideningAndAdd(a2, u, k2);
                b2 = VnniDot.MultiplyWideningAndAdd(b2, v, k2);
            }
            // Channels 0–15 of each pixel on 16 lanes, channels 16–23 of both pixels on one 16-lane vector.
            Vector128<ulong> tails;
            if (plain)
            {
                TClamp.Bytes(lanes.Unclamped(Vector512Lanes.Join(a0, a1)), min, max).Store(y);
                TClamp.Bytes(lanes.Unclamped(Vector512Lanes.Join(b0, b1)), min, max).Store(y + 24);
                tails = TClamp.Bytes(tailLanes.Unclamped(Vector512Lanes.Join(a2, b2)), min, max).AsUInt64();
            }
            else
            {
                QuantizedGemm.Store16<TClamp>(fast, _epilogue, 0, y, Vector512Lanes.Join(a0, a1));
                QuantizedGemm.Store16<TClamp>(fast, _epilogue, 0, y + 24, Vector512Lanes.Join(b0, b1));
                tails = QuantizedGemm.Requantize8x2<TClamp>(fast, _epilogue, 16, Vector512Lanes.Join(a2, b2));
            }
            *(ulong*)(y + 16) = tails.ToScalar();
            *(ulong*)(y + 40) = tails.GetElement(1);
        }
        if (p < count)
        {
            Vector256<int> a0 = bias0, a1 = bias1, a2 = bias2;
            for (int q = 0; q < quads; q++)
            {
                var u = Avx2.Xor(Avx2.BroadcastScalarToVector256((int*)(x + 4 * q)), flip).AsByte();
                a0 = VnniDot.MultiplyWideningAndAdd(a0, u, Avx.LoadVector256(w0 + q * 32));
                a1 = VnniDot.MultiplyWideningAndAdd(a1, u, Avx.LoadVector256(w1 + q * 32));
                a2 = VnniDot.MultiplyWideningAndAdd(a2, u, Avx.LoadVector256(w2 + q * 32));
            }
            QuantizedGemm.Store16<TClamp>(fast, _epilogue, 0, y, Vector512Lanes.Join(a0, a1));
            *(ulong*)(y + 16) = QuantizedGemm.Requantize8x2<TClamp>(fast, _epilogue, 16, Vector512Lanes.Join(a2, a2)).ToScalar();
        }
    }
}
