using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int8 BATCH_MATMUL (the reference's InvokeQuantized): each invoke first packs every operand matrix as int16 with its
/// offset added — lhs as [M, K] rows, rhs as [N, K] columns, whatever adj_x / adj_y — into buffers allocated at compile
/// time; then each output is an exact int32 dot product over k (AVX2 vpmaddwd: |pair| ≤ 2·255², no saturation), then
/// MultiplyByQuantizedMultiplier, + zero point, the int8 clamp. Output rows are split over the pool.
/// </summary>
internal sealed unsafe class QuantizedBatchMatMulCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<QuantizedBatchMatMulCpuNode> Work =
        static (in QuantizedBatchMatMulCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _lhs, _rhs, _output;
    private readonly BatchMatMulParams _p;
    private readonly QuantizedBatchMatMulParams _q;
    private readonly int[] _lhsMatrix, _rhsMatrix;
    private readonly short[] _packedLhs, _packedRhs;
    private readonly int _lhsMatrices, _rhsMatrices;

    public QuantizedBatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p, QuantizedBatchMatMulParams q)
    {
        (_lhs, _rhs, _output, _p, _q) = (node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0], p, q);
        _lhsMatrix = p.LhsMatrix.ToArray();
        _rhsMatrix = p.RhsMatrix.ToArray();
        _packedLhs = new short[_lhs.ElementCount];
        _packedRhs = new short[_rhs.ElementCount];
        long lhsSize = (long)p.Rows * p.Depth, rhsSize = (long)p.Depth * p.Columns;
        _lhsMatrices = lhsSize == 0 ? 0 : (int)(_lhs.ElementCount / lhsSize);
        _rhsMatrices = rhsSize == 0 ? 0 : (int)(_rhs.ElementCount / rhsSize);
    }

    public void Run(CpuThreadPool pool)
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        ReadOnlySpan<sbyte> lhs = _lhs.Read<sbyte>(), rhs = _rhs.Read<sbyte>();
        // L[i, kk] and R[kk, j] as the reference indexes them; packed L row-major [M, K], R column-major [N, K].
        int lhsRowStride = _p.AdjX ? 1 : k, lhsDepthStride = _p.AdjX ? m : 1;
        int rhsDepthStride = _p.AdjY ? 1 : n, rhsColumnStride = _p.AdjY ? k : 1;
        for (int mat = 0; mat < _lhsMatrices; mat++)
        for (int i = 0; i < m; i++)
        for (int kk = 0; kk < k; kk++)
            _packedLhs[(mat * m + i) * k + kk] = (short)(lhs[mat * m * k + i * lhsRowStride + kk * lhsDepthStride] + _q.LhsOffset);
        for (int mat = 0; mat < _rhsMatrices; mat++)
        for (int j = 0; j < n; j++)
        for (int kk = 0; kk < k; kk++)
            _packedRhs[(mat * n + j) * k + kk] = (short)(rhs[mat * k * n + kk * rhsDepthStride + j * rhsColumnStride] + _q.RhsOffset);
        pool.For(_p.Batches * m, this, Work);
    }

    private void Rows(int start, int end)
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        Span<sbyte> output = _output.Write<sbyte>();
        fixed (short* l = _packedLhs, r = _packedRhs)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / m, i = row % m;
                short* lrow = l + ((long)_lhsMatrix[b] * m + i) * k;
                short* rmat = r + (long)_rhsMatrix[b] * n * k;
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
