using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Delegates.Cpu.Kernels.Gemm;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// An int8 CONV_2D with one output channel (a segmentation head such as pose_landmark's 3×3×8 → 1 at 256×256), on
/// AVX-VNNI, for Cin of 4, 8, 16 or 32 and horizontal stride 1: the GEMM would pad the channel to an 8-channel block
/// and gather a packed row per pixel; here a 32-byte load of one tap covers <c>32 / Cin</c> adjacent output pixels
/// (their inputs are adjacent), so each tap is one <c>vpdpbusd</c> of x + 128 (u8) against the tap's weights repeated
/// per pixel; the lanes of a pixel are then summed, and the bias (with (x_off − 128)·Σw folded in) and the
/// requantization follow. Pixels with taps outside the input (the borders) take the reference's sum directly, over
/// the taps inside. Every sum is exact modulo 2^32 (docs/numerics.md §CPU delegate int8).
/// With AVX-512, Cin 4 or 8 and rows of at least 16 pixels, whole rows run 16 pixels per step (<see cref="Row16"/>):
/// their lanes summed with <c>vphaddd</c>, one 16-lane requantization — the GEMM's short form where the node's sum
/// bound allows it — and one 16-byte store; rows above and below the input read a row of the input's zero point, and
/// steps with taps left or right of it read a strip copied with zero-point columns around it (a zero-point tap adds
/// (x + x_off)·w = 0, as the reference's skipped tap does). On pose_landmark_full's 256×256×8 → 1 head the border
/// pixels alone cost as much as the interior did on the scalar path.
/// </summary>
internal sealed unsafe class QuantizedSingleChannelConvCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedSingleChannelConvCpuNode> RunChunk =
        static (in QuantizedSingleChannelConvCpuNode kernel, int start, int end) => kernel.RunRows(start, end);

    private readonly Tensor _input, _output;
    private readonly ConvLayout _g;
    private readonly QuantizedEpilogue _epilogue;
    private readonly int _inputOffset, _bias, _foldedBias, _pixelsPerVector, _lanesPerPixel;
    private readonly int[] _weights;          // [tap][Cin] as int32, for the border pixels
    private readonly sbyte[] _tapWeights;     // [tap][32]: the tap's Cin weights repeated per pixel of a vector, pinned
    private readonly nint[] _tapOffsets;      // [tap]: byte offset from an interior pixel's first tap, pinned
    private readonly Vector256<int> _multiplier, _right, _pixelLanes;
    private readonly Vector256<uint> _left;
    private readonly bool _sixteen;                               // Cin 4 or 8 with AVX-512, rows of ≥ 16 pixels: Row16 runs every row
    private readonly AlignedPinned<byte> _zeroRow = new(0);       // _sixteen: an input row of the zero point (rows above and below the input)
    private readonly nint[] _columnOffsets = [];                  // _sixteen: [kx] byte offset of tap column kx from a step's first tap column
    private readonly ShortRequantization.ChannelConstants? _short; // the short form's constants (null: the general steps)

    private byte* _x, _y;

    /// <summary>Whether this kernel takes the node: int8 VNNI path, one output channel, Cin in {4, 8, 16, 32}, horizontal stride 1.</summary>
    public static bool Fits(ConvLayout g, QuantizedIsa isa) =>
        isa == QuantizedIsa.AvxVnni && g.OutputDepth == 1 && g.InputDepth is 4 or 8 or 16 or 32 && g.StrideW == 1;

    public QuantizedSingleChannelConvCpuNode(Tensor input, Tensor output, ConvLayout g, ReadOnlySpan<byte> filter, ReadOnlySpan<int> bias,
        QuantizedEpilogue epilogue, int inputOffset)
    {
        (_input, _output, _g, _epilogue, _inputOffset) = (input, output, g, epilogue, inputOffset);
        int taps = g.FilterHeight * g.FilterWidth, cin = g.InputDepth;
        _pixelsPerVector = 32 / cin;
        _lanesPerPixel = cin / 4;
        _weights = new int[taps * cin];
        int sum = 0;
        for (int i = 0; i < _weights.Length; i++) sum += _weights[i] = (sbyte)filter[i];
        _bias = bias.IsEmpty ? 0 : bias[0];
        _foldedBias = unchecked(_bias + (inputOffset - 128) * sum);
        _tapWeights = GC.AllocateArray<sbyte>(taps * 32, pinned: true);
        _tapOffsets = GC.AllocateArray<nint>(taps, pinned: true);
        for (int tap = 0; tap < taps; tap++)
        {
            for (int i = 0; i < 32; i++) _tapWeights[tap * 32 + i] = (sbyte)_weights[tap * cin + i % cin];
            _tapOffsets[tap] = ((nint)(tap / g.FilterWidth) * g.DilationH * g.InputWidth + (nint)(tap % g.FilterWidth) * g.DilationW) * cin;
        }
        int shift = epilogue.Shifts[0];
        _multiplier = Vector256.Create(epilogue.Multipliers[0]);
        _left = Vector256.Create((uint)Math.Max(shift, 0));
        _right = Vector256.Create(Math.Max(-shift, 0));
        _pixelLanes = Vector256.Create(0, _lanesPerPixel, 2 * _lanesPerPixel, 3 * _lanesPerPixel, 0, 0, 0, 0);
        _sixteen = cin <= 8 && g.OutputWidth >= 16 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated;
        if (_sixteen)
        {
            _zeroRow = new AlignedPinned<byte>(g.InputWidth * cin);
            new Span<byte>(_zeroRow.Pointer, g.InputWidth * cin).Fill((byte)(sbyte)-inputOffset);
            _columnOffsets = new nint[g.FilterWidth];
            for (int kx = 0; kx < g.FilterWidth; kx++) _columnOffsets[kx] = (nint)kx * g.DilationW * cin;
        }
        if (ShortRequantization.TryChannel(filter[..(taps * cin)], _bias, inputOffset, epilogue.Multipliers[0], shift, epilogue.OutputOffset,
                out var constants))
            _short = constants;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_g.Batches * _g.OutputHeight, this, RunChunk);
    }

    [MethodImpl(JitHints.Hot)]
    private void RunRows(int start, int end)
    {
        if (_sixteen)
        {
            if (_epilogue.Saturates) for (int item = start; item < end; item++) Row16<SignedSaturation>(item);
            else for (int item = start; item < end; item++) Row16<ClampThenTruncate>(item);
            return;
        }
        var g = _g;
        int p = _pixelsPerVector;
        for (int item = start; item < end; item++)
        {
            int b = item / g.OutputHeight, oy = item % g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            byte* outputRow = _y + (nint)item * g.OutputWidth;
            int interiorBegin = g.OutputWidth, interiorEnd = g.OutputWidth;
            if (iyOrigin >= 0 && iyOrigin + (g.FilterHeight - 1) * g.DilationH < g.InputHeight)
            {
                interiorBegin = Math.Min(g.PadLeft, g.OutputWidth);
                int room = g.InputWidth - 1 - (g.FilterWidth - 1) * g.DilationW + g.PadLeft;
                interiorEnd = room < 0 ? interiorBegin : Math.Clamp(room + 1, interiorBegin, g.OutputWidth);
            }
            int ox = 0;
            for (; ox < interiorBegin; ox++) outputRow[ox] = BorderPixel(b, iyOrigin, ox);
            byte* inputRow = _x + (nint)(b * g.InputHeight + iyOrigin) * g.InputWidth * g.InputDepth;
            if (interiorEnd - interiorBegin >= p)
            {
                for (; ox + 2 * p <= interiorEnd; ox += 2 * p) Pixels(inputRow, ox, outputRow, twoVectors: true);
                for (; ox + p <= interiorEnd; ox += p) Pixels(inputRow, ox, outputRow, twoVectors: false);
                // Fewer than a vector's pixels left: step back over pixels already written (the same bytes again).
                if (ox < interiorEnd) Pixels(inputRow, interiorEnd - p, outputRow, twoVectors: false);
                ox = interiorEnd;
            }
            for (; ox < g.OutputWidth; ox++) outputRow[ox] = BorderPixel(b, iyOrigin, ox);
        }
    }

    /// <summary>One (or two) vectors of adjacent interior pixels from <paramref name="ox"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Pixels(byte* inputRow, int ox, byte* outputRow, bool twoVectors)
    {
        int taps = _tapOffsets.Length, cin = _g.InputDepth;
        sbyte* weights = (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapWeights));
        nint* offsets = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapOffsets));
        byte* first = inputRow + (nint)(ox - _g.PadLeft) * cin, second = first + 32;
        var flip = Vector256.Create((byte)0x80);
        Vector256<int> a = default, c = default;
        for (int tap = 0; tap < taps; tap++)
        {
            var w = Avx.LoadVector256(weights + tap * 32);
            a = VnniDot.MultiplyWideningAndAdd(a, Avx2.Xor(Avx.LoadVector256(first + offsets[tap]), flip), w);
            if (twoVectors) c = VnniDot.MultiplyWideningAndAdd(c, Avx2.Xor(Avx.LoadVector256(second + offsets[tap]), flip), w);
        }
        Store(a, outputRow + ox);
        if (twoVectors) Store(c, outputRow + ox + _pixelsPerVector);
    }

    /// <summary>
    /// Output row <paramref name="item"/> (batch × height) in 16-pixel steps, the last one stepped back over pixels
    /// already written: each step reads its taps straight from the input rows (or the zero-point row) where its columns
    /// lie inside the input, else from a strip of those columns copied with zero-point columns outside it.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(JitHints.Hot)]
    private void Row16<TClamp>(int item) where TClamp : struct, IClampedBytes
    {
        var g = _g;
        int cin = g.InputDepth, b = item / g.OutputHeight, oy = item % g.OutputHeight;
        int iyOrigin = oy * g.StrideH - g.PadTop, reach = (g.FilterWidth - 1) * g.DilationW;
        byte** rows = stackalloc byte*[g.FilterHeight];     // each filter row's input row at column 0
        byte** steps = stackalloc byte*[g.FilterHeight];    // each filter row's first tap column of the step
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int iy = iyOrigin + ky * g.DilationH;
            rows[ky] = (uint)iy < (uint)g.InputHeight ? _x + (nint)(b * g.InputHeight + iy) * g.InputWidth * cin : _zeroRow.Pointer;
        }
        int stripBytes = (16 + reach) * cin;
        byte* strips = stackalloc byte[g.FilterHeight * stripBytes];
        byte* outputRow = _y + (nint)item * g.OutputWidth;
        for (int ox = 0; ox < g.OutputWidth; ox += 16)
        {
            ox = Math.Min(ox, g.OutputWidth - 16);
            int column = ox - g.PadLeft; // the step's first tap column
            if (column >= 0 && column + 15 + reach < g.InputWidth)
                for (int ky = 0; ky < g.FilterHeight; ky++) steps[ky] = rows[ky] + (nint)column * cin;
            else
                for (int ky = 0; ky < g.FilterHeight; ky++)
                {
                    steps[ky] = strips + ky * stripBytes;
                    ZeroPointStrip.Fill(steps[ky], rows[ky], column, 16 + reach, g.InputWidth, cin, (byte)(sbyte)-_inputOffset);
                }
            Sixteen<TClamp>(steps, outputRow + ox);
        }
    }

    /// <summary>
    /// 16 adjacent pixels whose filter rows' first tap columns are <paramref name="steps"/> (Cin 4: two vectors of 8
    /// pixels; Cin 8: four of 4, each pixel's two lanes summed by <c>vphaddd</c> and put back in pixel order),
    /// requantized on 16 lanes and stored as 16 bytes at <paramref name="y"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Sixteen<TClamp>(byte** steps, byte* y) where TClamp : struct, IClampedBytes
    {
        int height = _g.FilterHeight, width = _columnOffsets.Length;
        sbyte* w = (sbyte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_tapWeights));
        nint* columns = (nint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_columnOffsets));
        var flip = Vector256.Create((byte)0x80);
        // Cin 4: two vectors of 8 pixels (a, b); Cin 8: four of 4 (a–d).
        bool four = _lanesPerPixel == 2;
        Vector256<int> a = default, b = default, c = default, d = default;
        for (int ky = 0; ky < height; ky++)
            for (int kx = 0; kx < width; kx++, w += 32)
            {
                var tap = Avx.LoadVector256(w);
                byte* at = steps[ky] + columns[kx];
                a = VnniDot.MultiplyWideningAndAdd(a, Avx2.Xor(Avx.LoadVector256(at), flip), tap);
                b = VnniDot.MultiplyWideningAndAdd(b, Avx2.Xor(Avx.LoadVector256(at + 32), flip), tap);
                if (!four) continue;
                c = VnniDot.MultiplyWideningAndAdd(c, Avx2.Xor(Avx.LoadVector256(at + 64), flip), tap);
                d = VnniDot.MultiplyWideningAndAdd(d, Avx2.Xor(Avx.LoadVector256(at + 96), flip), tap);
            }
        // Cin 8: vphaddd sums adjacent lanes within each 128-bit half: pixels [0 1 4 5 | 2 3 6 7] and [8 9 12 13 | 10 11 14 15].
        var sums = four
            ? Avx512F.PermuteVar16x32(Vector512Lanes.Join(Avx2.HorizontalAdd(a, b), Avx2.HorizontalAdd(c, d)),
                Vector512.Create(0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15))
            : Vector512Lanes.Join(a, b);
        sums = Avx512F.Add(sums, Vector512.Create(_foldedBias));
        Vector512<int> value;
        if (_short is { } k)
        {
            var (multiplier, rounding, right) = (Vector512.Create(k.Multiplier), Vector512.Create(k.Rounding), Vector512.Create(k.Right));
            value = k.Plain
                ? ShortRequantization.PlainShifted(sums, multiplier, multiplier, rounding, right)
                : ShortRequantization.Shifted(sums, new ShortRequantization.Lanes(multiplier, multiplier, rounding, right,
                    Vector512.Create(k.SignShift), Vector512.Create(k.Left)));
        }
        else
        {
            var (m, l, r) = (Vector512Lanes.Join(_multiplier, _multiplier), Vector512Lanes.Join(_left, _left), Vector512Lanes.Join(_right, _right));
            value = Avx512F.Add(VectorRequantize.Multiply(sums, m, l, r), Vector512.Create(_epilogue.OutputOffset));
        }
        TClamp.Bytes(value, Vector512.Create(_epilogue.Min), Vector512.Create(_epilogue.Max)).Store(y);
    }

    /// <summary>Sums each pixel's lanes, adds the folded bias, requantizes and stores the vector's pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Store(Vector256<int> acc, byte* y)
    {
        int lanes = _lanesPerPixel;
        if (lanes >= 2) acc = Avx2.Add(acc, Avx2.ShiftRightLogical(acc.AsInt64(), 32).AsInt32());
        if (lanes >= 4) acc = Avx2.Add(acc, Avx2.ShiftRightLogical128BitLane(acc, 8));
        if (lanes >= 8) acc = Avx2.Add(acc, Avx2.Permute2x128(acc, acc, 0x01));
        if (lanes >= 2) acc = Avx2.PermuteVar8x32(acc, _pixelLanes);
        var value = _epilogue.Requantize(Avx2.Add(acc, Vector256.Create(_foldedBias)), _multiplier, _left, _right);
        // vpshufb gathers bytes 0, 4, 8, 12 of each 128-bit half into that half's first dword.
        var picked = Avx2.Shuffle(value.AsByte(), Vector256.Create(
            (byte)0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)).AsUInt32();
        uint low = picked.ToScalar();
        switch (_pixelsPerVector)
        {
            case 8: *(ulong*)y = low | ((ulong)picked.GetUpper().ToScalar() << 32); break;
            case 4: *(uint*)y = low; break;
            case 2: *(ushort*)y = (ushort)low; break;
            default: *y = (byte)low; break;
        }
    }

    /// <summary>A pixel with taps outside the input: the reference's sum over the taps inside, then the requantization.</summary>
    [MethodImpl(JitHints.Hot)]
    private byte BorderPixel(int b, int iyOrigin, int ox)
    {
        var g = _g;
        int cin = g.InputDepth, ixOrigin = ox - g.PadLeft, acc = _bias;
        for (int ky = 0; ky < g.FilterHeight; ky++)
        {
            int iy = iyOrigin + ky * g.DilationH;
            if ((uint)iy >= (uint)g.InputHeight) continue;
            for (int kx = 0; kx < g.FilterWidth; kx++)
            {
                int ix = ixOrigin + kx * g.DilationW;
                if ((uint)ix >= (uint)g.InputWidth) continue;
                sbyte* x = (sbyte*)_x + ((nint)(b * g.InputHeight + iy) * g.InputWidth + ix) * cin;
                int tap = (ky * g.FilterWidth + kx) * cin;
                for (int c = 0; c < cin; c++) acc = unchecked(acc + (x[c] + _inputOffset) * _weights[tap + c]);
            }
        }
        return _epilogue.Apply(acc, 0);
    }
}
