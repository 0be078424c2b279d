using System.Runtime.Intrinsics;
using Accel.Kernels.Reference;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// MAX_POOL_2D and AVERAGE_POOL_2D on int8/uint8 NHWC (the reference's QuantizedKernels.Pool): over the in-bounds taps
/// the maximum (32 channels at a time with byte-lane max), or the exact int32 sum divided by the tap count with halves
/// away from zero ((s ± n/2) / n, truncating); then the clamp. No rescaling. Threads take output rows.
/// </summary>
internal sealed unsafe class QuantizedPoolCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedPoolCpuNode> Work =
        static (in QuantizedPoolCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly Pool2DGeometry _g;
    private readonly int _batches, _height, _width, _depth, _outputHeight, _outputWidth, _min, _max;
    private readonly bool _signed, _average;
    private byte* _x, _y;

    public QuantizedPoolCpuNode(Tensor input, Tensor output, Pool2DParams p, QuantizedPoolParams q, bool average)
    {
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
                    new Span<int>(sums, depth).Clear();
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        byte* x = Pixel(b, iyOrigin + ky, ixOrigin + kx);
                        if (_signed) for (int c = 0; c < depth; c++) sums[c] += (sbyte)x[c];
                        else for (int c = 0; c < depth; c++) sums[c] += x[c];
                    }
                    for (int c = 0; c < depth; c++)
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

    private byte* Pixel(int b, int iy, int ix) => _x + ((nint)(b * _height + iy) * _width + ix) * _depth;

    private byte Clamp(int value) => (byte)(value < _min ? _min : value > _max ? _max : value);
}
