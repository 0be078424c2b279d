using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// MAX_POOL_2D and AVERAGE_POOL_2D on int8/uint8 NHWC (the reference's QuantizedKernels.Pool): over the in-bounds taps
/// the maximum (32 channels at a time with byte-lane max), or the exact int32 sum divided by the tap count with halves
/// away from zero ((s ± n/2) / n, truncating); then the clamp. No rescaling. Threads take output rows. The average's
/// channels run on int32 lanes (16 with AVX-512, 64 channels per step with four accumulators; 8 with AVX2), the sums
/// widened from the bytes, and the division as a float division truncated: exact for tap counts n ≤ 2^16, since
/// a = s ± ⌊n/2⌋ is then an integer below 2^24 in magnitude (a float exactly) and a / n, when not an integer, lies at least
/// 1/n ≥ 2^−16 from every integer while |a / n| &lt; 2^8 puts the correctly rounded quotient within 2^−17 of it, so
/// truncating the quotient truncates a / n (docs/numerics.md §Quantized execution). The remaining channels, larger
/// counts and the scalar path run the reference's steps.
/// </summary>
internal sealed unsafe class QuantizedPoolCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedPoolCpuNode> Work =
        static (in QuantizedPoolCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly Pool2DGeometry _g;
    private readonly int _batches, _height, _width, _depth, _outputHeight, _outputWidth, _min, _max;
    private readonly bool _signed, _average;
    private readonly int _lanes; // the average's vector lanes: 16 (AVX-512), 8 (AVX2) or 1 (scalar)
    private byte* _x, _y;

    /// <summary>The largest tap count whose average the float division finishes exactly (see the class summary).</summary>
    internal const int MaxLaneTaps = 1 << 16;

    public QuantizedPoolCpuNode(Tensor input, Tensor output, Pool2DParams p, QuantizedPoolParams q, bool average, QuantizedIsa isa)
    {
        _lanes = isa == QuantizedIsa.Scalar || !Avx2.IsSupported ? 1 : Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? 16 : 8;
        (_input, _output, _g, _average, _min, _max) = (input, output, p.Geometry, average, q.ActivationMin, q.ActivationMax);
        (_batches, _height, _width, _depth) = (input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3));
        (_outputHeight, _outputWidth) = (output.Dim(1), output.Dim(2));
        _signed = input.Type == TensorType.Int8;
    }

    public void Run(CpuThreadPool pool)
    {
        _x = QuantizedConv.Pointer(_input.Bytes);
        _y = QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_batches * _outputHeight, this, Work);
    }

    private void Rows(int start, int end)
    {
        var g = _g;
        int depth = _depth;
        int* sums = stackalloc int[_average ? depth : 0];
        for (int row = start; row < end; row++)
        {
            int oy = row % _outputHeight, b = row / _outputHeight;
            var (kyStart, kyEnd) = Pool2DGeometry.Taps(oy, g.StrideH, g.PadTop, g.FilterH, _height);
            int iyOrigin = oy * g.StrideH - g.PadTop;
            for (int ox = 0; ox < _outputWidth; ox++)
            {
                var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, _width);
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                byte* y = _y + ((nint)row * _outputWidth + ox) * depth;
                int count = Math.Max(0, kyEnd - kyStart) * Math.Max(0, kxEnd - kxStart);
                if (_average)
                {
                    int c = count > 0 ? AverageLanes(b, iyOrigin, ixOrigin, kyStart, kyEnd, kxStart, kxEnd, count, y) : 0;
                    if (c == depth) continue;
                    new Span<int>(sums, depth).Clear();
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kx);
                        if (_signed) for (int k = c; k < depth; k++) sums[k] += (sbyte)x[k];
                        else for (int k = c; k < depth; k++) sums[k] += x[k];
                    }
                    for (; c < depth; c++)
                    {
                        int acc = sums[c];
                        acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                        y[c] = Clamp(acc);
                    }
                }
                else
                {
                    int c = 0;
                    if (count > 0 && Vector256.IsHardwareAccelerated)
                    {
                        for (; c + 32 <= depth; c += 32)
                        {
                            if (_signed)
                            {
                                var m = Vector256.Create(sbyte.MinValue);
                                for (int ky = kyStart; ky < kyEnd; ky++)
                                for (int kx = kxStart; kx < kxEnd; kx++)
                                    m = Vector256.Max(m, Vector256.Load((sbyte*)Pixel(b, iyOrigin + ky, ixOrigin + kx) + c));
                                m = Vector256.Min(Vector256.Max(m, Vector256.Create((sbyte)_min)), Vector256.Create((sbyte)_max));
                                m.Store((sbyte*)y + c);
                            }
                            else
                            {
                                var m = Vector256<byte>.Zero;
                                for (int ky = kyStart; ky < kyEnd; ky++)
                                for (int kx = kxStart; kx < kxEnd; kx++)
                                    m = Vector256.Max(m, Vector256.Load(Pixel(b, iyOrigin + ky, ixOrigin + kx) + c));
                                m = Vector256.Min(Vector256.Max(m, Vector256.Create((byte)_min)), Vector256.Create((byte)_max));
                                m.Store(y + c);
                            }
                        }
                    }
                    for (; c < depth; c++)
                    {
                        int acc = int.MinValue;
                        for (int ky = kyStart; ky < kyEnd; ky++)
                        for (int kx = kxStart; kx < kxEnd; kx++)
                        {
                            byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kx);
                            acc = Math.Max(acc, _signed ? (sbyte)x[c] : x[c]);
                        }
                        y[c] = Clamp(acc);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Channels [0, depth − depth mod 8) of one average-pool output pixel on int32 lanes (none on the scalar path or
    /// beyond <see cref="MaxLaneTaps"/> taps); returns how many channels it wrote.
    /// </summary>
    private int AverageLanes(int b, int iyOrigin, int ixOrigin, int kyStart, int kyEnd, int kxStart, int kxEnd, int count, byte* y)
    {
        if (_lanes == 1 || count > MaxLaneTaps) return 0;
        int depth = _depth, c = 0;
        nint step = depth;
        if (_lanes == 16)
        {
            var half = Vector512.Create(count / 2);
            var divisor = Vector512.Create((float)count);
            var (min, max) = (Vector512.Create(_min), Vector512.Create(_max));
            for (; c + 64 <= depth; c += 64)
            {
                Vector512<int> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kxStart) + c;
                    for (int kx = kxStart; kx < kxEnd; kx++, x += step)
                    {
                        s0 += Widen16(x);
                        s1 += Widen16(x + 16);
                        s2 += Widen16(x + 32);
                        s3 += Widen16(x + 48);
                    }
                }
                Store16(Divide(s0, half, divisor, min, max), y + c);
                Store16(Divide(s1, half, divisor, min, max), y + c + 16);
                Store16(Divide(s2, half, divisor, min, max), y + c + 32);
                Store16(Divide(s3, half, divisor, min, max), y + c + 48);
            }
            for (; c + 16 <= depth; c += 16)
            {
                Vector512<int> s0 = default;
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kxStart) + c;
                    for (int kx = kxStart; kx < kxEnd; kx++, x += step) s0 += Widen16(x);
                }
                Store16(Divide(s0, half, divisor, min, max), y + c);
            }
        }
        if (c + 8 <= depth)
        {
            var half = Vector256.Create(count / 2);
            var divisor = Vector256.Create((float)count);
            var (min, max) = (Vector256.Create(_min), Vector256.Create(_max));
            for (; c + 32 <= depth; c += 32)
            {
                Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default;
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kxStart) + c;
                    for (int kx = kxStart; kx < kxEnd; kx++, x += step)
                    {
                        s0 += Widen8(x);
                        s1 += Widen8(x + 8);
                        s2 += Widen8(x + 16);
                        s3 += Widen8(x + 24);
                    }
                }
                QuantizedEpilogue.Store8(Divide(s0, half, divisor, min, max), y + c, 8);
                QuantizedEpilogue.Store8(Divide(s1, half, divisor, min, max), y + c + 8, 8);
                QuantizedEpilogue.Store8(Divide(s2, half, divisor, min, max), y + c + 16, 8);
                QuantizedEpilogue.Store8(Divide(s3, half, divisor, min, max), y + c + 24, 8);
            }
            for (; c + 8 <= depth; c += 8)
            {
                Vector256<int> s0 = default;
                for (int ky = kyStart; ky < kyEnd; ky++)
                {
                    byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kxStart) + c;
                    for (int kx = kxStart; kx < kxEnd; kx++, x += step) s0 += Widen8(x);
                }
                QuantizedEpilogue.Store8(Divide(s0, half, divisor, min, max), y + c, 8);
            }
        }
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector512<int> Widen16(byte* x) =>
        _signed ? Avx512F.ConvertToVector512Int32(Vector128.Load((sbyte*)x)) : Avx512F.ConvertToVector512Int32(Vector128.Load(x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<int> Widen8(byte* x) => _signed ? Avx2.ConvertToVector256Int32((sbyte*)x) : Avx2.ConvertToVector256Int32(x);

    /// <summary>(s ± ⌊n/2⌋) / n truncated (the sign of s choosing; s = 0 gives 0 either way), then the clamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Divide(Vector512<int> sum, Vector512<int> half, Vector512<float> divisor, Vector512<int> min, Vector512<int> max)
    {
        var rounded = sum + Vector512.ConditionalSelect(Vector512.GreaterThan(sum, Vector512<int>.Zero), half, -half);
        var quotient = Avx512F.ConvertToVector512Int32WithTruncation(Avx512F.Divide(Avx512F.ConvertToVector512Single(rounded), divisor));
        return Vector512.Min(Vector512.Max(quotient, min), max);
    }

    /// <inheritdoc cref="Divide(Vector512{int}, Vector512{int}, Vector512{float}, Vector512{int}, Vector512{int})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Divide(Vector256<int> sum, Vector256<int> half, Vector256<float> divisor, Vector256<int> min, Vector256<int> max)
    {
        var rounded = sum + Vector256.ConditionalSelect(Vector256.GreaterThan(sum, Vector256<int>.Zero), half, -half);
        var quotient = Avx.ConvertToVector256Int32WithTruncation(Avx.Divide(Avx.ConvertToVector256Single(rounded), divisor));
        return Avx2.Min(Avx2.Max(quotient, min), max);
    }

    /// <summary>16 clamped int32 lanes' low bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store16(Vector512<int> value, byte* y) => Avx512F.ConvertToVector128Byte(value).Store(y);

    private byte* Pixel(int b, int iy, int ix) => _x + ((nint)(b * _height + iy) * _width + ix) * _depth;

    private byte Clamp(int value) => (byte)(value < _min ? _min : value > _max ? _max : value);
}
