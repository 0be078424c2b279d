using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// RESIZE_BILINEAR on int16 (the reference's Int16x8Kernels.ResizeBilinear, TFLite's ResizeBilinearInteger for int16):
/// the int8 kernel's Q10 positions and weights (<see cref="QuantizedResizeBilinearCpuNode.Position"/>), then per output
/// value Σ value · wy · wx over the four neighbours, rounded (sum ± 2^19) / 2^20 halves away from zero, and the low 16
/// bits stored (the reference's cast). Each output row first blends its two input rows, h = v(y0) · wy0 + v(y1) · wy1,
/// exact in int32 (|v| ≤ 2^15 and |wy0| + |wy1| ≤ 2^11); then wx0 · h(x0) + wx1 · h(x1) in int64, the reference's exact
/// integer sum. 8 channels at a time in int64 lanes with AVX-512F/DQ (<c>vpmullq</c>, stored by <c>vpmovqw</c>); with
/// AVX2 only, as even and odd 4-lane int64 halves (<c>vpmuldq</c>; the shift by 20 logical, which leaves the low 16
/// bits the cast keeps as they are); the rest one by one; threaded by output row.
/// </summary>
internal sealed unsafe class Int16ResizeBilinearCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16ResizeBilinearCpuNode> Work =
        [MethodImpl(JitHints.Hot)] static (in Int16ResizeBilinearCpuNode node, int start, int end) => node.Rows(start, end);

    /// <summary>Input rows of at most this many values (width × channels) are blended into a stack row (64 KiB).</summary>
    public const int MaxBlendedValues = 16384;

    private readonly Tensor _input, _output;
    private readonly int _height, _width, _depth, _outputHeight, _outputWidth, _heightScale10, _widthScale10;
    private readonly bool _halfPixelCenters, _wide, _avx2;
    private readonly int[] _columns; // per output column: x0 · C, x1 · C, wx0, wx1 (the same for every row)
    private short* _x, _y;

    public Int16ResizeBilinearCpuNode(Tensor input, Tensor output, ResizeBilinearParams p, QuantizedResizeParams q)
    {
        (_input, _output) = (input, output);
        (_height, _width, _depth) = (input.Dim(1), input.Dim(2), input.Dim(3));
        (_outputHeight, _outputWidth) = (output.Dim(1), output.Dim(2));
        (_heightScale10, _widthScale10, _halfPixelCenters) = (q.HeightScale10, q.WidthScale10, p.HalfPixelCenters);
        _wide = Avx512F.IsSupported && Avx512DQ.IsSupported && Vector512.IsHardwareAccelerated && SimdPath.ForcedLanes != 1;
        _avx2 = !_wide && Avx2.IsSupported && SimdPath.ForcedLanes != 1;
        _columns = new int[_outputWidth * 4];
        for (int ox = 0; ox < _outputWidth; ox++)
        {
            var (x0, x1, wx0, wx1) = QuantizedResizeBilinearCpuNode.Position(ox, _widthScale10, _halfPixelCenters, _width);
            (_columns[4 * ox], _columns[4 * ox + 1], _columns[4 * ox + 2], _columns[4 * ox + 3]) = (x0 * _depth, x1 * _depth, wx0, wx1);
        }
    }

    /// <summary>Why the CPU kernel cannot run this node (the 8-bit kernel's position bounds, or a row too long to blend), or null.</summary>
    public static string? Refusal(Tensor input, Tensor output, ResizeBilinearParams p, QuantizedResizeParams q) =>
        QuantizedResizeBilinearCpuNode.Refusal(input, output, p, q)
        ?? ((long)input.Dim(2) * input.Dim(3) > MaxBlendedValues
            ? $"the int16 kernel blends each input row ({input.Dim(2)}×{input.Dim(3)} values) on the stack; at most {MaxBlendedValues}"
            : null);

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _x = (short*)QuantizedConv.Pointer(_input.Bytes);
        _y = (short*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_input.Dim(0) * _outputHeight, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        int depth = _depth, values = _width * depth;
        int* blended = stackalloc int[values];
        for (int row = start; row < end; row++)
        {
            int b = row / _outputHeight, oy = row % _outputHeight;
            var (y0, y1, wy0, wy1) = QuantizedResizeBilinearCpuNode.Position(oy, _heightScale10, _halfPixelCenters, _height);
            short* row0 = _x + ((long)b * _height + y0) * values;
            short* row1 = _x + ((long)b * _height + y1) * values;
            int i = 0;
            if (_wide)
            {
                var (v0, v1) = (Vector512.Create(wy0), Vector512.Create(wy1));
                for (; i + 16 <= values; i += 16)
                    (Avx512F.ConvertToVector512Int32(Vector256.Load(row0 + i)) * v0 + Avx512F.ConvertToVector512Int32(Vector256.Load(row1 + i)) * v1).Store(blended + i);
            }
            else if (_avx2)
            {
                var (v0, v1) = (Vector256.Create(wy0), Vector256.Create(wy1));
                for (; i + 8 <= values; i += 8)
                    Avx2.Add(Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(Vector128.Load(row0 + i)), v0),
                        Avx2.MultiplyLow(Avx2.ConvertToVector256Int32(Vector128.Load(row1 + i)), v1)).Store(blended + i);
            }
            for (; i < values; i++) blended[i] = row0[i] * wy0 + row1[i] * wy1;

            short* y = _y + (long)row * _outputWidth * depth;
            fixed (int* columns = _columns)
            for (int ox = 0; ox < _outputWidth; ox++, y += depth)
            {
                int* column = columns + 4 * ox;
                int wx0 = column[2], wx1 = column[3];
                int* h0 = blended + column[0], h1 = blended + column[1];
                int c = 0;
                if (_wide)
                {
                    var (w0, w1) = (Vector512.Create((long)wx0), Vector512.Create((long)wx1));
                    for (; c + 8 <= depth; c += 8)
                    {
                        var sum = Avx512DQ.MultiplyLow(Avx512F.ConvertToVector512Int64(Vector256.Load(h0 + c)), w0)
                                  + Avx512DQ.MultiplyLow(Avx512F.ConvertToVector512Int64(Vector256.Load(h1 + c)), w1);
                        // (sum ± 2^19) / 2^20 truncated = (sum + 2^19 − [sum < 0]) >> 20 (floor): halves away from zero.
                        var rounded = Avx512F.ShiftRightArithmetic(sum + Vector512.Create(1L << 19) - Avx512F.ShiftRightLogical(sum.AsUInt64(), 63).AsInt64(), 20);
                        Avx512F.ConvertToVector128Int16(rounded).Store(y + c);
                    }
                }
                else if (_avx2)
                {
                    var (w0, w1) = (Vector256.Create(wx0), Vector256.Create(wx1));
                    for (; c + 8 <= depth; c += 8)
                    {
                        var (a, b2) = (Vector256.Load(h0 + c), Vector256.Load(h1 + c));
                        var even = Rounded(Avx2.Add(Avx2.Multiply(a, w0), Avx2.Multiply(b2, w1)));
                        var odd = Rounded(Avx2.Add(Avx2.Multiply(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), w0),
                            Avx2.Multiply(Avx2.ShiftRightLogical(b2.AsInt64(), 32).AsInt32(), w1)));
                        // Channel c + 2i in qword i's low dword, c + 2i + 1 in its high one; their low 16 bits, in order.
                        var values8 = Avx2.Blend(even.AsInt32(), Avx2.ShiftLeftLogical(odd, 32).AsInt32(), 0b1010_1010) & Vector256.Create(0xFFFF);
                        Avx2.Permute4x64(Avx2.PackUnsignedSaturate(values8, values8).AsInt64(), 0b11_01_10_00).AsInt16().GetLower().Store(y + c);
                    }
                }
                for (; c < depth; c++)
                {
                    long sum = (long)h0[c] * wx0 + (long)h1[c] * wx1;
                    y[c] = (short)((sum + (sum > 0 ? 1L << 19 : -(1L << 19))) / (1L << 20));
                }
            }
        }
    }

    /// <summary>(sum + 2^19 − [sum &lt; 0]) >> 20 on AVX2's int64 lanes, shifted logically: the low 16 bits are the arithmetic shift's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> Rounded(Vector256<long> sum) =>
        Avx2.ShiftRightLogical(Avx2.Subtract(Avx2.Add(sum, Vector256.Create(1L << 19)), Avx2.ShiftRightLogical(sum, 63)), 20);
}
