using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// <see cref="QuantizedFirstLayerCpuNode"/>'s layers (an image's int8 CONV_2D: Cin ≤ 4, KW·Cin ≤ 16, no dilation,
/// 16, 24 or 32 output channels) where .NET has AVX-512BW but no AVX-VNNI (Zen 4, Ice Lake, Cascade Lake). There the
/// GEMM gathers every output pixel's 27–75 bytes into a packed row, and the VNNI kernel's <c>vpdpbusd</c> emulated
/// costs three shuffles per product (Zen 4, int8 face_landmark's 3×3×3 → 16 layer: 0.26 ms against float's 0.08).
/// Here the input is widened once per invoke to int16 into a frame of the input's zero point, so every tap of every
/// output pixel is inside it, and a filter row's taps are taken in pairs: one int32 broadcast straight from the frame
/// against 16 channels' int16 weight pairs is one <c>vpmaddwd</c> (exact: each pair sum is at most 2 · 128 · 127 in
/// magnitude) and one add. The sums start from the bias with x_off·Σw folded in: Σ x·w + bias + x_off·Σw = Σ (x +
/// x_off)·w + bias, and a frame tap (x = the zero point, −x_off) adds nothing, as the reference skips it — the same
/// int32 sums modulo 2^32 as the reference (docs/numerics.md §CPU delegate int8). Four pixels per step, requantized as
/// the VNNI kernel does (<see cref="FirstLayerBytes"/>).
/// </summary>
internal sealed unsafe class QuantizedFirstLayerPairsCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedFirstLayerPairsCpuNode> RunChunk =
        static (in QuantizedFirstLayerPairsCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly QuantizedEpilogue _epilogue;
    private readonly FirstLayerBytes _bytes;
    private readonly int _pairs;            // tap pairs per filter row: ⌈KW·Cin / 2⌉
    private readonly AlignedPinned<short> _weights;      // [ky][pair][Cout][2], zero past KW·Cin, pinned
    private readonly AlignedPinned<int> _bias;           // [Cout]: bias + x_off·Σw, pinned
    private readonly short[] _frame;        // [batch][frame rows][frame columns][Cin] + slack: x widened, zero point outside, pinned
    private readonly int _frameRows, _frameColumns;

    private byte* _x, _y;

    /// <summary>
    /// Whether this kernel takes the node: int8 with symmetric weights on the path without VNNI where AVX-512BW is
    /// usable, Cin ≤ 4, KW·Cin ≤ 16, no dilation, Cout 16, 24 or 32.
    /// </summary>
    public static bool Fits(ConvLayout g, QuantizedIsa isa, QuantizedConvParams q, bool signed) =>
        signed && isa == QuantizedIsa.Avx2 && Avx512BW.IsSupported && Vector512.IsHardwareAccelerated && q.FilterOffset == 0
        && g.InputDepth <= 4 && g.FilterWidth * g.InputDepth <= 16 && g.DilationH == 1 && g.DilationW == 1
        && g.OutputDepth is 16 or 24 or 32 && -q.InputOffset is >= sbyte.MinValue and <= sbyte.MaxValue;

    public QuantizedFirstLayerPairsCpuNode(Tensor input, Tensor output, ConvLayout g, ReadOnlySpan<byte> filter, ReadOnlySpan<int> bias,
        QuantizedEpilogue epilogue, int inputOffset)
    {
        (_input, _output, _g, _epilogue) = (input, output, g, epilogue);
        int cin = g.InputDepth, row = g.FilterWidth * cin, cout = g.OutputDepth, depth = g.FilterHeight * row;
        _pairs = (row + 1) / 2;
        _weights = new AlignedPinned<short>(g.FilterHeight * _pairs * cout * 2);
        _bias = new AlignedPinned<int>(cout);
        for (int c = 0; c < cout; c++)
        {
            int sum = 0;
            for (int k = 0; k < depth; k++) sum += (sbyte)filter[c * depth + k];
            _bias.Span[c] = unchecked((bias.IsEmpty ? 0 : bias[c]) + inputOffset * sum);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int j = 0; j < row; j++)
                    _weights.Span[((ky * _pairs + j / 2) * cout + c) * 2 + j % 2] = (sbyte)filter[c * depth + ky * row + j];
        }
        (_frameRows, _frameColumns) = QuantizedFirstLayerCpuNode.FrameSize(g);
        // Slack: the last filter row's last pair may read one element past its taps.
        _frame = GC.AllocateArray<short>(checked(g.Batches * _frameRows * _frameColumns * cin + 16), pinned: true);
        _frame.AsSpan().Fill((short)-inputOffset);
        _bytes = new FirstLayerBytes(epilogue, filter, bias, cout, depth, inputOffset);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        Frame();
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    private short* FramePointer
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (short*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_frame));
    }

    /// <summary>Widens the input into the frame's interior (the frame's border is set once).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Frame()
    {
        var g = _g;
        int cin = g.InputDepth, length = g.InputWidth * cin;
        short* frame = FramePointer;
        for (int b = 0; b < g.Batches; b++)
            for (int iy = 0; iy < g.InputHeight; iy++)
            {
                sbyte* source = (sbyte*)_x + (nint)(b * g.InputHeight + iy) * length;
                short* target = frame + ((nint)(b * _frameRows + g.PadTop + iy) * _frameColumns + g.PadLeft) * cin;
                int i = 0;
                for (; i + 32 <= length; i += 32) Avx512BW.ConvertToVector512Int16(Avx.LoadVector256(source + i)).Store(target + i);
                for (; i < length; i++) target[i] = source[i];
            }
    }

    /// <summary>Output rows [start, end) (batch · OutputHeight + oy).</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        var g = _g;
        int cin = g.InputDepth;
        for (int row = start; row < end; row++)
        {
            int b = row / g.OutputHeight, oy = row % g.OutputHeight;
            short* top = FramePointer + (nint)(b * _frameRows + oy * g.StrideH) * _frameColumns * cin;
            byte* y = _y + (nint)row * g.OutputWidth * g.OutputDepth;
            int ox = 0;
            if (g.OutputDepth == 16)
                for (; ox + 4 <= g.OutputWidth; ox += 4) Four16(top + (nint)ox * g.StrideW * cin, y + ox * 16);
            else if (g.OutputDepth == 24)
                for (; ox + 4 <= g.OutputWidth; ox += 4) Four24(top + (nint)ox * g.StrideW * cin, y + ox * 24);
            else
                for (; ox + 4 <= g.OutputWidth; ox += 4) Four32(top + (nint)ox * g.StrideW * cin, y + ox * 32);
            for (; ox < g.OutputWidth; ox++) One(top + (nint)ox * g.StrideW * cin, y + ox * g.OutputDepth);
        }
    }

    /// <summary>The tap pair at <paramref name="at"/> in every int32 lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Pair(short* at) => Vector512.Create(*(int*)at).AsInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Dot(Vector512<int> acc, Vector512<short> pair, Vector512<short> w) =>
        Avx512BW.Add(acc, Avx512BW.MultiplyAddAdjacent(pair, w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Dot(Vector256<int> acc, Vector512<short> pair, Vector256<short> w) =>
        Avx2.Add(acc, Avx2.MultiplyAddAdjacent(pair.GetLower(), w));

    /// <summary>Four adjacent output pixels of 16 channels from the first tap of the first one.</summary>
    [MethodImpl(JitHints.Hot)]
    private void Four16(short* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        short* w = _weights.Pointer;
        var a = Vector512.Load(_bias.Pointer);
        Vector512<int> b = a, c = a, d = a;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            short* at = first + ky * line;
            for (int p = 0; p < _pairs; p++, w += 32)
            {
                var wp = Vector512.Load(w);
                a = Dot(a, Pair(at + 2 * p), wp);
                b = Dot(b, Pair(at + pixel + 2 * p), wp);
                c = Dot(c, Pair(at + 2 * pixel + 2 * p), wp);
                d = Dot(d, Pair(at + 3 * pixel + 2 * p), wp);
            }
        }
        _bytes.Of(a, 0, twice: false).Store(y);
        _bytes.Of(b, 0, twice: false).Store(y + 16);
        _bytes.Of(c, 0, twice: false).Store(y + 32);
        _bytes.Of(d, 0, twice: false).Store(y + 48);
    }

    /// <summary>
    /// Four adjacent output pixels of 24 channels: channels 0–15 of each pixel on 16 lanes, channels 16–23 of two
    /// pixels together on another 16.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void Four24(short* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        short* w = _weights.Pointer;
        var a = Vector512.Load(_bias.Pointer);
        var at8 = Vector256.Load(_bias.Pointer + 16);
        Vector512<int> b = a, c = a, d = a;
        Vector256<int> bt8 = at8, ct8 = at8, dt8 = at8;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            short* at = first + ky * line;
            for (int p = 0; p < _pairs; p++, w += 48)
            {
                var (wp, wt) = (Vector512.Load(w), Vector256.Load(w + 32));
                var u = Pair(at + 2 * p);
                (a, at8) = (Dot(a, u, wp), Dot(at8, u, wt));
                u = Pair(at + pixel + 2 * p);
                (b, bt8) = (Dot(b, u, wp), Dot(bt8, u, wt));
                u = Pair(at + 2 * pixel + 2 * p);
                (c, ct8) = (Dot(c, u, wp), Dot(ct8, u, wt));
                u = Pair(at + 3 * pixel + 2 * p);
                (d, dt8) = (Dot(d, u, wp), Dot(dt8, u, wt));
            }
        }
        _bytes.Of(a, 0, twice: false).Store(y);
        _bytes.Of(b, 0, twice: false).Store(y + 24);
        _bytes.Of(c, 0, twice: false).Store(y + 48);
        _bytes.Of(d, 0, twice: false).Store(y + 72);
        var tails = _bytes.Of(Vector512Lanes.Join(at8, bt8), 16, twice: true).AsUInt64();
        *(ulong*)(y + 16) = tails.ToScalar();
        *(ulong*)(y + 40) = tails.GetElement(1);
        tails = _bytes.Of(Vector512Lanes.Join(ct8, dt8), 16, twice: true).AsUInt64();
        *(ulong*)(y + 64) = tails.ToScalar();
        *(ulong*)(y + 88) = tails.GetElement(1);
    }

    /// <summary>Four adjacent output pixels of 32 channels (two 16-channel halves each).</summary>
    [MethodImpl(JitHints.Hot)]
    private void Four32(short* first, byte* y)
    {
        var g = _g;
        nint pixel = (nint)g.StrideW * g.InputDepth, line = (nint)_frameColumns * g.InputDepth;
        short* w = _weights.Pointer;
        var (lo, hi) = (Vector512.Load(_bias.Pointer), Vector512.Load(_bias.Pointer + 16));
        Vector512<int> a0 = lo, a1 = hi, b0 = lo, b1 = hi, c0 = lo, c1 = hi, d0 = lo, d1 = hi;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            short* at = first + ky * line;
            for (int p = 0; p < _pairs; p++, w += 64)
            {
                var (w0, w1) = (Vector512.Load(w), Vector512.Load(w + 32));
                var u = Pair(at + 2 * p);
                (a0, a1) = (Dot(a0, u, w0), Dot(a1, u, w1));
                u = Pair(at + pixel + 2 * p);
                (b0, b1) = (Dot(b0, u, w0), Dot(b1, u, w1));
                u = Pair(at + 2 * pixel + 2 * p);
                (c0, c1) = (Dot(c0, u, w0), Dot(c1, u, w1));
                u = Pair(at + 3 * pixel + 2 * p);
                (d0, d1) = (Dot(d0, u, w0), Dot(d1, u, w1));
            }
        }
        _bytes.Of(a0, 0, twice: false).Store(y);
        _bytes.Of(a1, 16, twice: false).Store(y + 16);
        _bytes.Of(b0, 0, twice: false).Store(y + 32);
        _bytes.Of(b1, 16, twice: false).Store(y + 48);
        _bytes.Of(c0, 0, twice: false).Store(y + 64);
        _bytes.Of(c1, 16, twice: false).Store(y + 80);
        _bytes.Of(d0, 0, twice: false).Store(y + 96);
        _bytes.Of(d1, 16, twice: false).Store(y + 112);
    }

    /// <summary>One output pixel (a row's last ones), 16 channels at a time, a last 8 alone.</summary>
    [MethodImpl(JitHints.Hot)]
    private void One(short* first, byte* y)
    {
        var g = _g;
        int cout = g.OutputDepth;
        nint line = (nint)_frameColumns * g.InputDepth;
        int channel = 0;
        for (; channel + 16 <= cout; channel += 16)
        {
            var a = Vector512.Load(_bias.Pointer + channel);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int p = 0; p < _pairs; p++)
                    a = Dot(a, Pair(first + ky * line + 2 * p), Vector512.Load(_weights.Pointer + ((ky * _pairs + p) * cout + channel) * 2));
            Avx512F.ConvertToVector128Byte(_epilogue.Requantize(a, channel)).Store(y + channel);
        }
        if (channel < cout)
        {
            var a = Vector256.Load(_bias.Pointer + channel);
            for (int ky = 0; ky < g.FilterHeight; ky++)
                for (int p = 0; p < _pairs; p++)
                    a = Dot(a, Pair(first + ky * line + 2 * p), Vector256.Load(_weights.Pointer + ((ky * _pairs + p) * cout + channel) * 2));
            QuantizedEpilogue.Store8(_epilogue.Requantize(a, channel), y + channel, 8);
        }
    }
}
