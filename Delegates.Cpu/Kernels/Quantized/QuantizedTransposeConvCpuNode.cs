using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int8 TRANSPOSE_CONV (the reference's QuantizedTransposeConv): per output the gather of the taps that land on it, each
/// an exact int32 dot product Σ (x + input offset)·w over the input channels — AVX2 widens both to int16 (x + offset
/// fits: |x + offset| ≤ 255) and sums pairs with vpmaddwd (|pair| ≤ 2·255·128, no saturation), so the sum equals the
/// reference's — then + bias, the channel's MultiplyByQuantizedMultiplier, + zero point, the clamp. Threads take output rows.
/// </summary>
internal sealed unsafe class QuantizedTransposeConvCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedTransposeConvCpuNode> Work =
        static (in QuantizedTransposeConvCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _input, _output;
    private readonly sbyte[] _weights;
    private readonly int[] _bias;
    private readonly TransposeConvParams _p;
    private readonly QuantizedConvParams _q;
    private readonly int _height, _width, _depth, _filterHeight, _filterWidth, _outputHeight, _outputWidth, _outputDepth;
    private sbyte* _x, _y;

    public QuantizedTransposeConvCpuNode(Tensor input, Tensor weights, Tensor? bias, Tensor output, TransposeConvParams p, QuantizedConvParams q)
    {
        (_input, _output, _p, _q) = (input, output, p, q);
        _weights = weights.Read<sbyte>().ToArray();
        _bias = bias is null ? new int[output.Dim(3)] : bias.Read<int>().ToArray();
        (_height, _width, _depth) = (input.Dim(1), input.Dim(2), input.Dim(3));
        (_filterHeight, _filterWidth) = (weights.Dim(1), weights.Dim(2));
        (_outputHeight, _outputWidth, _outputDepth) = (output.Dim(1), output.Dim(2), output.Dim(3));
    }

    public void Run(CpuThreadPool pool)
    {
        _x = (sbyte*)QuantizedConv.Pointer(_input.Bytes);
        _y = (sbyte*)QuantizedConv.Pointer(_output.WritableBytes);
        pool.For(_input.Dim(0) * _outputHeight, this, Work);
    }

    private void Rows(int start, int end)
    {
        var p = _p;
        fixed (sbyte* w = _weights)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / _outputHeight, oy = row % _outputHeight;
                for (int ox = 0; ox < _outputWidth; ox++)
                {
                    sbyte* y = _y + ((long)row * _outputWidth + ox) * _outputDepth;
                    for (int oc = 0; oc < _outputDepth; oc++)
                    {
                        int acc = 0;
                        for (int ky = 0; ky < _filterHeight; ky++)
                        {
                            int rowNumerator = oy + p.PadTop - ky;
                            if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                            int iy = rowNumerator / p.StrideH;
                            if (iy >= _height) continue;
                            for (int kx = 0; kx < _filterWidth; kx++)
                            {
                                int colNumerator = ox + p.PadLeft - kx;
                                if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                                int ix = colNumerator / p.StrideW;
                                if (ix >= _width) continue;
                                acc = unchecked(acc + Dot(_x + (((long)b * _height + iy) * _width + ix) * _depth,
                                    w + (((long)oc * _filterHeight + ky) * _filterWidth + kx) * _depth));
                            }
                        }
                        acc = unchecked(acc + _bias[oc]);
                        int value = Quantization.MultiplyByQuantizedMultiplier(acc, _q.Multipliers[oc]) + _q.OutputOffset;
                        y[oc] = (sbyte)(value < _q.ActivationMin ? _q.ActivationMin : value > _q.ActivationMax ? _q.ActivationMax : value);
                    }
                }
            }
        }
    }

    /// <summary>Σ (x[c] + input offset)·w[c] over the input channels, exact in int32.</summary>
    private int Dot(sbyte* x, sbyte* w)
    {
        int c = 0, sum = 0;
        int depth = _depth, offset = _q.InputOffset;
        if (Avx2.IsSupported && depth >= 16)
        {
            var acc = Vector256<int>.Zero;
            var offsets = Vector256.Create((short)offset);
            for (; c + 16 <= depth; c += 16)
            {
                var xs = Avx2.Add(Avx2.ConvertToVector256Int16(x + c), offsets);
                var ws = Avx2.ConvertToVector256Int16(w + c);
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(xs, ws));
            }
            sum = Vector256.Sum(acc);
        }
        for (; c < depth; c++) sum = unchecked(sum + (x[c] + offset) * w[c]);
        return sum;
    }
}
