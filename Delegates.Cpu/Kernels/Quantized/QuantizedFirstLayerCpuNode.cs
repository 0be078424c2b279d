using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int8 CONV_2D on an image's few channels (Cin ≤ 4, KW·Cin ≤ 16, no dilation) with 16, 24 or 32 output channels — the
/// first layer of selfie_segmentation (3×3×3 → 16), the pose and hand landmark models (3×3×3 → 24) and
/// palm_detection_full (5×5×3 → 32) — on AVX-VNNI with the AVX-512
/// epilogue. The GEMM path gathers every output pixel into a packed row and runs tiles of four; with K = 27–75 that
/// copy and its bookkeeping cost as much as the products. Here the input is copied once per invoke, flipped to
/// u = x + 128, into a buffer framed by the input's zero point (flipped), so every tap of every output pixel is inside
/// it; a filter row's KW·Cin taps are then read straight from the buffer as up to four quadruples (each broadcast to a
/// <c>vpdpbusd</c>), the bytes past KW·Cin meeting zero weights. The sums start from the bias with (x_off − 128)·Σw
/// folded in (as <see cref="PackedQuantizedWeights"/>): Σ u·w + bias + (x_off − 128)·Σw = Σ (x + x_off)·w + bias, and a
/// frame tap (x = zero point) adds nothing, as the reference skips it. Exact modulo 2^32 like the GEMM (docs/numerics.md
/// §CPU delegate int8). Four pixels (16 channels) or two (32 channels) per step keep eight independent accumulators,
/// four pixels of 24 channels twelve. The sums are requantized on 16 lanes (channels 16–23 of two pixels together), in
/// the GEMM's short form where the node has its plain steps (<see cref="FirstLayerBytes"/>).
/// </summary>
internal sealed unsafe class QuantizedFirstLayerCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedFirstLayerCpuNode> RunChunk =
        static (in QuantizedFirstLayerCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private const int Block = PackedQuantizedWeights.BlockChannels;

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly QuantizedEpilogue _epilogue;
    private readonly int _quads;            // quadruples per filter row: ⌈KW·Cin / 4⌉
    private readonly int _blocks;           // 8-channel blocks: Cout / 8
    private readonly AlignedPinned<sbyte> _weights;      // [ky][quad][block][8 channels][4], zero past KW·Cin, pinned
    private readonly AlignedPinned<int> _bias;           // [Cout]: bias + (x_off − 128)·Σw, pinned
    private readonly byte[] _frame;         // [batch][frame rows][frame columns][Cin] + slack: u = x + 128, zero point outside, pinned
    private readonly int _frameRows, _frameColumns;
    private readonly FirstLayerBytes _bytes;

    private byte* _x, _y;

    /// <summary>Whether this kernel takes the node: int8 VNNI with AVX-512F, Cin ≤ 4, KW·Cin ≤ 16, no dilation, Cout 16, 24 or 32.</summary>
    public static bool Fits(ConvLayout g, QuantizedIsa isa, QuantizedConvParams q, bool signed) =>
        signed && isa == QuantizedIsa.AvxVnni && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && q.FilterOffset == 0
        && g.InputDepth <= 4 && g.FilterWidth * g.InputDepth <= 16 && g.DilationH == 1 && g.DilationW == 1
        && g.OutputDepth is 16 or 24 or 32 && -q.InputOffset is >= sbyte.MinValue and <= sbyte.MaxValue;

    /// <summary>Rows and columns of a frame (the input at [PadTop, PadLeft]) that holds every tap of every output pixel.</summary>
    internal static (int Rows, int Columns) FrameSize(ConvLayout g) =>
        (Math.Max(g.PadTop + g.InputHeight, (g.OutputHeight - 1) * g.StrideH + g.FilterHeight),
         Math.Max(g.PadLeft + g.InputWidth, (g.OutputWidth - 1) * g.StrideW + g.FilterWidth));

    public QuantizedFirstLayerCpuNode(Tensor input, Tensor output, ConvLayout g, ReadOnlySpan<byte> filter, ReadOnlySpan<int> bias,
        QuantizedEpilogue epilogue, int inputOffset)
    {
        (_input, _output, _g, _epilogue) = (input, output, g, epilogue);
        int cin = g.InputDepth, row = g.FilterWidth * cin, cout = g.OutputDepth;
        _quads = (row + 3) / 4;
        _blocks = cout / Block;
        _weights = new AlignedPinned<sbyte>(g.FilterHeight * _quads * cout * 4);
        _bias = new AlignedPinned<int>(cout);
        int depth = g.FilterHeight * row;
        for (int c = 0; c < cout; c++)
        {
            int sum = 0;
            for (int k = 0; k < depth; k++) sum += (sbyte)filter[c * depth + k];
            _bias.Span[c] = unchecked((bias.IsEmpty ? 0 : bias[c]) + (inputOffset - 128) * sum);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int j = 0; j < row; j++)
                {
                    int quad = j / 4, block = c / Block;
                    int at = (((ky * _quads + quad) * _blocks + block) * Block + c % Block) * 4 + j % 4;
                    _weights.Span[at] = (sbyte)filter[c * depth + ky * row + j];
                }
        }
        // Every tap of every output pixel lies in the frame; the zero point fills what is outside the input.
        (_frameRows, _frameColumns) = FrameSize(g);
        // 16 bytes of slack: the last filter row's quadruples may read up to 3 bytes past its taps.
        _frame = GC.AllocateArray<byte>(g.Batches * _frameRows * _frameColumns * cin + 16, pinned: true);
        _frame.AsSpan().Fill((byte)(-inputOffset + 128));
        _bytes = new FirstLayerBytes(epilogue, filter, bias, cout, depth, inputOffset);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> Bytes(Vector512<int> acc, int first, bool twice) => _bytes.Of(acc, first, twice);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        Frame();
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    /// <summary>Copies the input into the frame's interior as u = x + 128 (the frame's border is set once).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Frame()
    {
        var g = _g;
        int cin = g.InputDepth, length = g.InputWidth * cin;
        byte* frame = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_frame));
        var flip = Vector256.Create((byte)0x80);
        for (int b = 0; b < g.Batches; b++)
            for (int iy = 0; iy < g.InputHeight; iy++)
            {
                byte* source = _x + (nint)(b * g.InputHeight + iy) * length;
                byte* target = frame + ((nint)(b * _frameRows + g.PadTop + iy) * _frameColumns + g.PadLeft) * cin;
                int i = 0;
                for (; i + 32 <= length; i += 32) Avx2.Xor(Avx.LoadVector256(source + i), flip).Store(target + i);
                for (; i < length; i++) target[i] = (byte)(source[i] ^ 0x80);
            }
    }

    /// <summary>Output rows [start, end) (batch · OutputHeight + oy).</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        var g = _g;
        int cin = g.InputDepth;
        byte* frame = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_frame));
        for (int row = start; row < end; row++)
        {
            int b = row / g.OutputHeight, oy = row % g.OutputHeight;
            byte* top = frame + (nint)(b * _frameRows + oy * g.StrideH) * _frameColumns * cin;
            byte* y = _y + (nint)row * g.OutputWidth * g.OutputDepth;
            int ox = 0;
            if (_blocks == 2)
                for (; ox + 4 <= g.OutputWidth; ox += 4) Four16(top + (nint)ox * g.StrideW * cin, y + ox * 16);
            else if (_blocks == 3)
                for (; ox + 4 <= g.OutputWidth; ox += 4) Four24(top + (nint)ox * g.StrideW * cin, y + ox * 24);
            else
                for (; ox + 2 <= g.OutputWidth; ox += 2) Two32(top + (nint)ox * g.StrideW * cin, y + ox * 32);
            for (; ox < g.OutputWidth; ox++) One(top + (nint)ox * g.StrideW * cin, y + ox * g.OutputDepth);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Quad(byte* at) => Avx2.BroadcastScalarToVector256((int*)at).AsByte();

    /// <summary>Four adjacent output pixels of 16 channels from the first tap of the first one.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Four16(byte* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        sbyte* w = _weights.Pointer;
        int* bias = _bias.Pointer;
        var (lo, hi) = (Avx.LoadVector256(bias), Avx.LoadVector256(bias + 8));
        Vector256<int> a0 = lo, a1 = hi, b0 = lo, b1 = hi, c0 = lo, c1 = hi, d0 = lo, d1 = hi;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            byte* at = first + ky * line;
            for (int q = 0; q < _quads; q++, w += 2 * Block * 4)
            {
                var (wl, wh) = (Avx.LoadVector256(w), Avx.LoadVector256(w + Block * 4));
                var u = Quad(at + 4 * q);
                a0 = VnniDot.MultiplyWideningAndAdd(a0, u, wl);
                a1 = VnniDot.MultiplyWideningAndAdd(a1, u, wh);
                u = Quad(at + pixel + 4 * q);
                b0 = VnniDot.MultiplyWideningAndAdd(b0, u, wl);
                b1 = VnniDot.MultiplyWideningAndAdd(b1, u, wh);
                u = Quad(at + 2 * pixel + 4 * q);
                c0 = VnniDot.MultiplyWideningAndAdd(c0, u, wl);
                c1 = VnniDot.MultiplyWideningAndAdd(c1, u, wh);
                u = Quad(at + 3 * pixel + 4 * q);
                d0 = VnniDot.MultiplyWideningAndAdd(d0, u, wl);
                d1 = VnniDot.MultiplyWideningAndAdd(d1, u, wh);
            }
        }
        Bytes(Vector512Lanes.Join(a0, a1), 0, twice: false).Store(y);
        Bytes(Vector512Lanes.Join(b0, b1), 0, twice: false).Store(y + 16);
        Bytes(Vector512Lanes.Join(c0, c1), 0, twice: false).Store(y + 32);
        Bytes(Vector512Lanes.Join(d0, d1), 0, twice: false).Store(y + 48);
    }

    /// <summary>
    /// Four adjacent output pixels of 24 channels from the first tap of the first one: each pixel's channels 0–15 are
    /// requantized as one 16-lane vector, channels 16–23 as one 8-lane vector.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Four24(byte* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        sbyte* w = _weights.Pointer;
        int* bias = _bias.Pointer;
        var (p0, p1, p2) = (Avx.LoadVector256(bias), Avx.LoadVector256(bias + 8), Avx.LoadVector256(bias + 16));
        Vector256<int> a0 = p0, a1 = p1, a2 = p2, b0 = p0, b1 = p1, b2 = p2, c0 = p0, c1 = p1, c2 = p2, d0 = p0, d1 = p1, d2 = p2;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            byte* at = first + ky * line;
            for (int q = 0; q < _quads; q++, w += 3 * Block * 4)
            {
                var (w0, w1, w2) = (Avx.LoadVector256(w), Avx.LoadVector256(w + Block * 4), Avx.LoadVector256(w + 2 * Block * 4));
                var u = Quad(at + 4 * q);
                a0 = VnniDot.MultiplyWideningAndAdd(a0, u, w0);
                a1 = VnniDot.MultiplyWideningAndAdd(a1, u, w1);
                a2 = VnniDot.MultiplyWideningAndAdd(a2, u, w2);
                u = Quad(at + pixel + 4 * q);
                b0 = VnniDot.MultiplyWideningAndAdd(b0, u, w0);
                b1 = VnniDot.MultiplyWideningAndAdd(b1, u, w1);
                b2 = VnniDot.MultiplyWideningAndAdd(b2, u, w2);
                u = Quad(at + 2 * pixel + 4 * q);
                c0 = VnniDot.MultiplyWideningAndAdd(c0, u, w0);
                c1 = VnniDot.MultiplyWideningAndAdd(c1, u, w1);
                c2 = VnniDot.MultiplyWideningAndAdd(c2, u, w2);
                u = Quad(at + 3 * pixel + 4 * q);
                d0 = VnniDot.MultiplyWideningAndAdd(d0, u, w0);
                d1 = VnniDot.MultiplyWideningAndAdd(d1, u, w1);
                d2 = VnniDot.MultiplyWideningAndAdd(d2, u, w2);
            }
        }
        // Channels 0–15 of each pixel on 16 lanes; channels 16–23 of two pixels together on another 16.
        Bytes(Vector512Lanes.Join(a0, a1), 0, twice: false).Store(y);
        Bytes(Vector512Lanes.Join(b0, b1), 0, twice: false).Store(y + 24);
        Bytes(Vector512Lanes.Join(c0, c1), 0, twice: false).Store(y + 48);
        Bytes(Vector512Lanes.Join(d0, d1), 0, twice: false).Store(y + 72);
        var tails = Bytes(Vector512Lanes.Join(a2, b2), 16, twice: true).AsUInt64();
        *(ulong*)(y + 16) = tails.ToScalar();
        *(ulong*)(y + 40) = tails.GetElement(1);
        tails = Bytes(Vector512Lanes.Join(c2, d2), 16, twice: true).AsUInt64();
        *(ulong*)(y + 64) = tails.ToScalar();
        *(ulong*)(y + 88) = tails.GetElement(1);
    }

    /// <summary>Two adjacent output pixels of 32 channels from the first tap of the first one.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Two32(byte* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        sbyte* w = _weights.Pointer;
        int* bias = _bias.Pointer;
        var (p0, p1, p2, p3) = (Avx.LoadVector256(bias), Avx.LoadVector256(bias + 8), Avx.LoadVector256(bias + 16), Avx.LoadVector256(bias + 24));
        Vector256<int> a0 = p0, a1 = p1, a2 = p2, a3 = p3, b0 = p0, b1 = p1, b2 = p2, b3 = p3;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            byte* at = first + ky * line;
            for (int q = 0; q < _quads; q++, w += 4 * Block * 4)
            {
                var u = Quad(at + 4 * q);
                var v = Quad(at + pixel + 4 * q);
                var w0 = Avx.LoadVector256(w);
                a0 = VnniDot.MultiplyWideningAndAdd(a0, u, w0);
                b0 = VnniDot.MultiplyWideningAndAdd(b0, v, w0);
                var w1 = Avx.LoadVector256(w + 32);
                a1 = VnniDot.MultiplyWideningAndAdd(a1, u, w1);
                b1 = VnniDot.MultiplyWideningAndAdd(b1, v, w1);
                var w2 = Avx.LoadVector256(w + 64);
                a2 = VnniDot.MultiplyWideningAndAdd(a2, u, w2);
                b2 = VnniDot.MultiplyWideningAndAdd(b2, v, w2);
                var w3 = Avx.LoadVector256(w + 96);
                a3 = VnniDot.MultiplyWideningAndAdd(a3, u, w3);
                b3 = VnniDot.MultiplyWideningAndAdd(b3, v, w3);
            }
        }
        Bytes(Vector512Lanes.Join(a0, a1), 0, twice: false).Store(y);
        Bytes(Vector512Lanes.Join(a2, a3), 16, twice: false).Store(y + 16);
        Bytes(Vector512Lanes.Join(b0, b1), 0, twice: false).Store(y + 32);
        Bytes(Vector512Lanes.Join(b2, b3), 16, twice: false).Store(y + 48);
    }

    /// <summary>One output pixel (a row's last ones), two blocks at a time, an odd last block alone.</summary>
    [MethodImpl(JitHints.Hot)]
    private void One(byte* first, byte* y)
    {
        var g = _g;
        nint line = (nint)_frameColumns * g.InputDepth;
        sbyte* weights = _weights.Pointer;
        int* bias = _bias.Pointer;
        int pair = 0;
        for (; pair + 2 <= _blocks; pair += 2)
        {
            Vector256<int> a = Avx.LoadVector256(bias + pair * Block), b = Avx.LoadVector256(bias + (pair + 1) * Block);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int q = 0; q < _quads; q++)
                {
                    var u = Quad(first + ky * line + 4 * q);
                    sbyte* w = weights + ((ky * _quads + q) * _blocks + pair) * Block * 4;
                    a = VnniDot.MultiplyWideningAndAdd(a, u, Avx.LoadVector256(w));
                    b = VnniDot.MultiplyWideningAndAdd(b, u, Avx.LoadVector256(w + Block * 4));
                }
            Avx512F.ConvertToVector128Byte(_epilogue.Requantize(Vector512Lanes.Join(a, b), pair * Block)).Store(y + pair * Block);
        }
        if (pair < _blocks)
        {
            Vector256<int> a = Avx.LoadVector256(bias + pair * Block);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int q = 0; q < _quads; q++)
                    a = VnniDot.MultiplyWideningAndAdd(a, Quad(first + ky * line + 4 * q),
                        Avx.LoadVector256(weights + ((ky * _quads + q) * _blocks + pair) * Block * 4));
            QuantizedEpilogue.Store8(_epilogue.Requantize(a, pair * Block), y + pair * Block, 8);
        }
    }
}

/// <summary>
/// The first-layer kernels' requantization of 16 sums (bias included) to bytes: channels [first, first + 16) of one
/// pixel or, with <c>twice</c>, channels [first, first + 8) of two pixels — in the GEMM's short form where its plain
/// steps apply to the layer, else the general steps.
/// </summary>
internal readonly struct FirstLayerBytes
{
    private readonly QuantizedEpilogue _epilogue;
    private readonly ShortRequantization? _plain; // the GEMM's short form where it applies in its plain steps (null: the general steps)

    public FirstLayerBytes(QuantizedEpilogue epilogue, ReadOnlySpan<byte> filter, ReadOnlySpan<int> bias, int channels, int depth, int inputOffset)
    {
        _epilogue = epilogue;
        if (ShortRequantization.TryCreate(filter, bias, channels, depth, inputOffset, epilogue) is { Plain: true } plain) _plain = plain;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<byte> Of(Vector512<int> acc, int first, bool twice)
    {
        Vector512<int> value;
        if (_plain is { } plain) value = plain.PlainAt(first, twice).Unclamped(acc);
        else if (!twice) value = _epilogue.Unclamped(acc, first);
        else
        {
            var (m, l, r) = _epilogue.Lanes(first);
            value = Avx512F.Add(VectorRequantize.Multiply(acc, Vector512Lanes.Join(m, m), Vector512Lanes.Join(l, l).AsUInt32(), Vector512Lanes.Join(r, r)),
                Vector512.Create(_epilogue.OutputOffset));
        }
        return Avx512F.ConvertToVector128Byte(Avx512F.Min(Avx512F.Max(value, Vector512.Create(_epilogue.Min)), Vector512.Create(_epilogue.Max)));
    }
}
