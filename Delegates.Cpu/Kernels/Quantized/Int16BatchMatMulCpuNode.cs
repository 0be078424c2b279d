using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// int16 × int16 BATCH_MATMUL (the reference's InvokeInt16, TFLite's BatchMatMul&lt;int16_t, int64_t&gt;): each invoke first
/// packs every operand matrix — lhs as [M, K] rows, rhs as [N, K] columns, whatever adj_x / adj_y — into buffers
/// allocated at compile time; then each output is the exact int64 dot product over k (an integer sum, so any order),
/// then the 64-bit MultiplyByQuantizedMultiplier and the int16 clamp. Output rows are split over the pool. No vector
/// dot product: vpmaddwd's pair sum wraps int32 when both pairs are (−32768)², and K is small in real models.
/// </summary>
internal sealed unsafe class Int16BatchMatMulCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<Int16BatchMatMulCpuNode> Work =
        static (in Int16BatchMatMulCpuNode node, int start, int end) => node.Rows(start, end);

    private readonly Tensor _lhs, _rhs, _output;
    private readonly BatchMatMulParams _p;
    private readonly Int16BatchMatMulParams _q;
    private readonly int[] _lhsMatrix, _rhsMatrix;
    private readonly short[] _packedLhs, _packedRhs;
    private readonly int _lhsMatrices, _rhsMatrices;

    public Int16BatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p, Int16BatchMatMulParams q)
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
        ReadOnlySpan<short> lhs = _lhs.Read<short>(), rhs = _rhs.Read<short>();
        // L[i, kk] and R[kk, j] as the reference indexes them; packed L row-major [M, K], R column-major [N, K].
        int lhsRowStride = _p.AdjX ? 1 : k, lhsDepthStride = _p.AdjX ? m : 1;
        int rhsDepthStride = _p.AdjY ? 1 : n, rhsColumnStride = _p.AdjY ? k : 1;
        for (int mat = 0; mat < _lhsMatrices; mat++)
        for (int i = 0; i < m; i++)
        for (int kk = 0; kk < k; kk++)
            _packedLhs[(mat * m + i) * k + kk] = lhs[mat * m * k + i * lhsRowStride + kk * lhsDepthStride];
        for (int mat = 0; mat < _rhsMatrices; mat++)
        for (int j = 0; j < n; j++)
        for (int kk = 0; kk < k; kk++)
            _packedRhs[(mat * n + j) * k + kk] = rhs[mat * k * n + kk * rhsDepthStride + j * rhsColumnStride];
        pool.For(_p.Batches * m, this, Work);
    }

    private void Rows(int start, int end)
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        Span<short> output = _output.Write<short>();
        fixed (short* l = _packedLhs, r = _packedRhs)
        {
            for (int row = start; row < end; row++)
            {
                int b = row / m, i = row % m;
                short* lrow = l + ((long)_lhsMatrix[b] * m + i) * k;
                short* rmat = r + (long)_rhsMatrix[b] * n * k;
                for (int j = 0; j < n; j++)
                {
                    int value = Quantization.MultiplyByQuantizedMultiplier(Dot(lrow, rmat + (long)j * k, k), _q.Multiplier);
                    output[row * n + j] = (short)(value < short.MinValue ? short.MinValue : value > short.MaxValue ? short.MaxValue : value);
                }
            }
        }
    }

    /// <summary>Σ a[c]·b[c] exact in int64 (|a·b| ≤ 2^30, K ≤ 2^17 by the definition): four independent chains.</summary>
    private static long Dot(short* a, short* b, int count)
    {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int c = 0;
        for (; c + 4 <= count; c += 4)
        {
            s0 += a[c] * b[c];
            s1 += a[c + 1] * b[c + 1];
            s2 += a[c + 2] * b[c + 2];
            s3 += a[c + 3] * b[c + 3];
        }
        for (; c < count; c++) s0 += a[c] * b[c];
        return s0 + s1 + s2 + s3;
    }
}
