using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// RESIZE_BILINEAR on int8/uint8 (the reference's QuantizedKernels.ResizeBilinear, TFLite's ResizeBilinearInteger): per
/// output row and column the Q10 source position, its lower and upper neighbours and weights (the reference's integer
/// steps; the columns' once per chunk of rows into a stack table when the output is at most 1,024 wide, else as each column
/// is reached: nothing beyond what the definition reserved), then per channel Σ value · wy · wx over the four neighbours, rounded
/// (sum ± 2^19) / 2^20 halves away from zero, and the low byte stored (the reference's cast; no clamp). The sum fits
/// int32 exactly: |value| ≤ 255 and |wy0| + |wy1|, |wx0| + |wx1| ≤ 2048 (a weight is at least −512), so
/// |sum| ≤ 255 · 2^22 &lt; 2^31. 16 channels at a time with AVX-512 (the low byte by <c>vpmovdb</c>), 8 with AVX2
/// (<c>vpmulld</c>), the rest one by one; threaded by row.
/// </summary>
internal sealed unsafe class QuantizedResizeBilinearCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedResizeBilinearCpuNode> Work =
        static (in QuantizedResizeBilinearCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly bool _signed, _vector, _wide;
    private readonly int _height, _width, _depth, _outputHeight, _outputWidth, _heightScale10, _widthScale10;
    private readonly bool _halfPixelCenters;
    private byte* _x, _y;

    /// <summary>Output widths up to this take their column positions from a 16 KB stack table built per chunk of rows.</summary>
    private const int MaxTabledColumns = 1024;

    public QuantizedResizeBilinearCpuNode(Tensor input, Tensor output, ResizeBilinearParams p, QuantizedResizeParams q, QuantizedIsa isa)
    {
        (_input, _output) = (input, output);
        _signed = input.Type == TensorType.Int8;
        _vector = isa != QuantizedIsa.Scalar;
        _wide = _vector && Avx512F.IsSupported && Vector512.IsHardwareAccelerated;
        (_height, _width, _depth) = (input.Dim(1), input.Dim(2), input.Dim(3));
        (_outputHeight, _outputWidth) = (output.Dim(1), output.Dim(2));
        (_heightScale10, _widthScale10, _halfPixelCenters) = (q.HeightScale10, q.WidthScale10, p.HalfPixelCenters);
    }

    /// <summary>Why the CPU kernel cannot run this node (a neighbour outside the input or a weight beyond the int32 bound), or null.</summary>
    public static string? Refusal(Tensor input, Tensor output, ResizeBilinearParams p, QuantizedResizeParams q)
    {
        if (!AxisFits(output.Dim(1), q.HeightScale10, p.HalfPixelCenters, input.Dim(1)) || !AxisFits(output.Dim(2), q.WidthScale10, p.HalfPixelCenters, input.Dim(2)))
            return "the integer source positions fall outside the input (the reference's steps); the CPU kernel reads only inside it";
        return null;
    }

    /// <summary>
    /// The reference's integer interpolation steps (QuantizedKernels.Interpolation): s = o · step (half-pixel centers:
    /// o · step + step / 2 − 2^9), lower max(s / 2^10, 0), upper min((s + 2^10 − 1) / 2^10, size − 1), weights
    /// 2^10 minus the upper one and s − 2^10 · lower. Only called for positions <see cref="AxisFits"/> accepted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (int Lower, int Upper, int LowerWeight, int UpperWeight) Position(int o, int scale10, bool halfPixelCenters, int size)
    {
        int s = halfPixelCenters ? o * scale10 + scale10 / 2 - (1 << 9) : o * scale10;
        int lower = Math.Max(s / (1 << 10), 0), upper = Math.Min((s + (1 << 10) - 1) / (1 << 10), size - 1);
        int upperWeight = s - (1 << 10) * lower;
        return (lower, upper, (1 << 10) - upperWeight, upperWeight);
    }

    /// <summary>
    /// Whether every position of the axis has s within int32, its neighbours inside [0, size) and |w0| + |w1| ≤ 2048
    /// (the bound that keeps the sums exact in int32). O(outputSize), no allocation.
    /// </summary>
    private static bool AxisFits(int outputSize, int scale10, bool halfPixelCenters, int size)
    {
        for (int o = 0; o < outputSize; o++)
        {
            long scaled = halfPixelCenters ? (long)o * scale10 + scale10 / 2 - (1 << 9) : (long)o * scale10;
            if (scaled is > int.MaxValue - (1 << 10) or < int.MinValue) return false;
            var (lower, upper, lowerWeight, upperWeight) = Position(o, scale10, halfPixelCenters, size);
            if (lower >= size || upper < 0 || Math.Abs((long)lowerWeight) + Math.Abs((long)upperWeight) > 2048) return false;
        }
        return true;
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_input.Dim(0) * _outputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        int depth = _depth;
        // The columns' neighbours (as byte offsets) and weights, once per chunk of rows where they fit on the stack.
        int* columns = stackalloc int[_outputWidth <= MaxTabledColumns ? 4 * _outputWidth : 0];
        if (_outputWidth <= MaxTabledColumns)
            for (int ox = 0; ox < _outputWidth; ox++)
            {
                var (lower, upper, w0, w1) = Position(ox, _widthScale10, _halfPixelCenters, _width);
                (columns[4 * ox], columns[4 * ox + 1], columns[4 * ox + 2], columns[4 * ox + 3]) = (lower * depth, upper * depth, w0, w1);
            }
        if (_wide && (depth == 8 || depth % 16 == 0) && _outputWidth <= MaxTabledColumns && _width * depth <= MaxBlendedValues)
        {
            BlendedRows(start, end, columns);
            return;
        }
        for (int row = start; row < end; row++)
        {
            int b = row / _outputHeight, oy = row % _outputHeight;
            var (y0, y1, wy0, wy1) = Position(oy, _heightScale10, _halfPixelCenters, _height);
            byte* row0 = _x + (nint)(b * _height + y0) * _width * depth;
            byte* row1 = _x + (nint)(b * _height + y1) * _width * depth;
            byte* y = _y + (nint)row * _outputWidth * depth;
            for (int ox = 0; ox < _outputWidth; ox++, y += depth)
            {
                nint x0, x1;
                int wx0, wx1;
                if (_outputWidth <= MaxTabledColumns) (x0, x1, wx0, wx1) = (columns[4 * ox], columns[4 * ox + 1], columns[4 * ox + 2], columns[4 * ox + 3]);
                else
                {
                    var (lowerColumn, upperColumn, w0, w1) = Position(ox, _widthScale10, _halfPixelCenters, _width);
                    (x0, x1, wx0, wx1) = ((nint)lowerColumn * depth, (nint)upperColumn * depth, w0, w1);
                }
                int w00 = wy0 * wx0, w10 = wy1 * wx0, w01 = wy0 * wx1, w11 = wy1 * wx1;
                int c = 0;
                if (_wide)
                {
                    var (v00, v10, v01, v11) = (Vector512.Create(w00), Vector512.Create(w10), Vector512.Create(w01), Vector512.Create(w11));
                    for (; c + 16 <= depth; c += 16)
                    {
                        var sum = Load16(row0 + x0 + c) * v00 + Load16(row1 + x0 + c) * v10 + (Load16(row0 + x1 + c) * v01 + Load16(row1 + x1 + c) * v11);
                        Avx512F.ConvertToVector128Byte(Round(sum)).Store(y + c);
                    }
                }
                if (_vector)
                {
                    var (v00, v10, v01, v11) = (Vector256.Create(w00), Vector256.Create(w10), Vector256.Create(w01), Vector256.Create(w11));
                    for (; c + 8 <= depth; c += 8)
                    {
                        var sum = Avx2.Add(Avx2.Add(Avx2.MultiplyLow(Load8(row0 + x0 + c), v00), Avx2.MultiplyLow(Load8(row1 + x0 + c), v10)),
                            Avx2.Add(Avx2.MultiplyLow(Load8(row0 + x1 + c), v01), Avx2.MultiplyLow(Load8(row1 + x1 + c), v11)));
                        // sign(sum) · ((|sum| + 2^19) >> 20): (sum ± 2^19) / 2^20 truncated, as the reference's long division.
                        var magnitude = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Abs(sum).AsInt32(), Vector256.Create(1 << 19)), 20);
                        QuantizedEpilogue.Store8(Avx2.Sign(magnitude, sum), y + c, 8);
                    }
                }
                for (; c < depth; c++)
                {
                    int sum = Value(row0 + x0 + c) * w00 + Value(row1 + x0 + c) * w10 + Value(row0 + x1 + c) * w01 + Value(row1 + x1 + c) * w11;
                    y[c] = (byte)((sum + (sum > 0 ? 1 << 19 : -(1 << 19))) / (1 << 20));
                }
            }
        }
    }

    /// <summary>Input rows of at most this many values (width × channels) are blended vertically into a 16 KB stack row first.</summary>
    private const int MaxBlendedValues = 4096;

    /// <summary>
    /// Output rows [start, end) vertically first (AVX-512, 8 channels or a multiple of 16): per output row the two input
    /// rows blended once, h = v(y0) · wy0 + v(y1) · wy1 for every input value (16 lanes of contiguous bytes), then per
    /// output pixel wx0 · h(x0) + wx1 · h(x1) — two 8-channel pixels per 16-lane vector — rounded as
    /// <see cref="Rows"/> does. Each sum is the reference's integer Σ value · wy · wx (|h| ≤ 255 · 2^11 and the
    /// weights' bound keep every partial sum within int32), so the bytes are the same.
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private void BlendedRows(int start, int end, int* columns)
    {
        int depth = _depth, values = _width * depth;
        int* blended = stackalloc int[values];
        for (int row = start; row < end; row++)
        {
            int b = row / _outputHeight, oy = row % _outputHeight;
            var (y0, y1, wy0, wy1) = Position(oy, _heightScale10, _halfPixelCenters, _height);
            byte* row0 = _x + (nint)(b * _height + y0) * values;
            byte* row1 = _x + (nint)(b * _height + y1) * values;
            var (v0, v1) = (Vector512.Create(wy0), Vector512.Create(wy1));
            int i = 0;
            for (; i + 16 <= values; i += 16) (Load16(row0 + i) * v0 + Load16(row1 + i) * v1).Store(blended + i);
            for (; i < values; i++) blended[i] = Value(row0 + i) * wy0 + Value(row1 + i) * wy1;
            byte* y = _y + (nint)row * _outputWidth * depth;
            if (depth == 8)
            {
                int ox = 0;
                for (; ox + 2 <= _outputWidth; ox += 2, y += 16)
                {
                    int* left = columns + 4 * ox, right = left + 4;
                    var sum = Vector512Lanes.Join(Vector256.Load(blended + left[0]), Vector256.Load(blended + right[0]))
                        * Vector512Lanes.Join(Vector256.Create(left[2]), Vector256.Create(right[2]))
                        + Vector512Lanes.Join(Vector256.Load(blended + left[1]), Vector256.Load(blended + right[1]))
                        * Vector512Lanes.Join(Vector256.Create(left[3]), Vector256.Create(right[3]));
                    Avx512F.ConvertToVector128Byte(Round(sum)).Store(y);
                }
                if (ox < _outputWidth)
                {
                    int* last = columns + 4 * ox;
                    var sum = Vector256.Load(blended + last[0]) * Vector256.Create(last[2]) + Vector256.Load(blended + last[1]) * Vector256.Create(last[3]);
                    *(ulong*)y = Avx512F.ConvertToVector128Byte(Round(Vector512Lanes.Join(sum, sum))).AsUInt64().ToScalar();
                }
                continue;
            }
            for (int ox = 0; ox < _outputWidth; ox++, y += depth)
            {
                int* column = columns + 4 * ox;
                int* h0 = blended + column[0], h1 = blended + column[1];
                var (w0, w1) = (Vector512.Create(column[2]), Vector512.Create(column[3]));
                for (int c = 0; c < depth; c += 16)
                    Avx512F.ConvertToVector128Byte(Round(Vector512.Load(h0 + c) * w0 + Vector512.Load(h1 + c) * w1)).Store(y + c);
            }
        }
    }

    /// <summary>(sum ± 2^19) / 2^20 truncated = (sum + 2^19 − [sum &lt; 0]) >> 20 (floor): halves away from zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Round(Vector512<int> sum) =>
        Avx512F.ShiftRightArithmetic(sum + Vector512.Create(1 << 19) - Avx512F.ShiftRightLogical(sum.AsUInt32(), 31).AsInt32(), 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Value(byte* at) => _signed ? (sbyte)*at : *at;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Load16(byte* at) =>
        ByteWidening.Widen16(at, _signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Load8(byte* at) => ByteWidening.Widen8(at, _signed);
}
