using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int8 BATCH_MATMUL (the reference's InvokeQuantized): each invoke first packs every operand matrix as int16 with its
/// offset added (<see cref="BatchMatMulOperandPacker"/>); then each output is an exact int32 dot product over k (AVX2
/// vpmaddwd: |pair| ≤ 2·255², no saturation), then MultiplyByQuantizedMultiplier, + zero point, the int8 clamp. Output rows are split over the pool.
/// </summary>
internal sealed unsafe class QuantizedBatchMatMulCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedBatchMatMulCpuNode> Work =
        static (in QuantizedBatchMatMulCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _lhs, _rhs, _output;
    private readonly BatchMatMulParams _p;
    private readonly QuantizedBatchMatMulParams _q;
    private readonly BatchMatMulOperandPacker _packed;

    public QuantizedBatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p, QuantizedBatchMatMulParams q)
    {
        (_lhs, _rhs, _output, _p, _q) = (node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, q);
        _packed = new BatchMatMulOperandPacker(_lhs, _rhs, p);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        _packed.Pack(_lhs.Read<sbyte>(), _rhs.Read<sbyte>(), _q.LhsOffset, _q.RhsOffset);
        pool.For(_p.Batches * _p.Rows, this, Work);
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        Span<sbyte> output = _output.Write<sbyte>();
        fixed (short* l = _packed.Lhs, r = _packed.Rhs)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / m, i = row % m;
                short* lrow = l + ((long)_packed.LhsMatrix[b] * m + i) * k;
                short* rmat = r + (long)_packed.RhsMatrix[b] * n * k;
                for (int j = 0; j < n; j++)
                {
                    int acc = Dot(lrow, rmat + (long)j * k, k);
                    int value = Quantization.MultiplyByQuantizedMultiplier(acc, _q.Multiplier) + _q.OutputOffset;
                    output[row * n + j] = (sbyte)(value < sbyte.MinValue ? sbyte.MinValue : value > sbyte.MaxValue ? sbyte.MaxValue : value);
                }
            }
        }
    }

    /// <summary>Σ a[c]·b[c] over int16 operands, exact in (wrapping) int32.</summary>
    [MethodImpl(JitHints.Hot)]
    private static int Dot(short* a, short* b, int count)
    {
        int c = 0, sum = 0;
        if (Avx2.IsSupported && count >= 16)
        {
            var acc = Vector256<int>.Zero;
            for (; c + 16 <= count; c += 16)
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(Avx.LoadVector256(a + c), Avx.LoadVector256(b + c)));
            sum = Vector256.Sum(acc);
        }
        for (; c < count; c++) sum = unchecked(sum + a[c] * b[c]);
        return sum;
    }
}
