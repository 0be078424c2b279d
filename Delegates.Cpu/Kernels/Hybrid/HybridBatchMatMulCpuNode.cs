using System.Runtime.CompilerServices;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Hybrid;

/// <summary>
/// The hybrid (dynamic-range) BATCH_MATMUL of the CPU delegate: float32 lhs, constant int8 rhs (per tensor or per output
/// column), float32 output. Bit-exact with the reference's HybridKernels.BatchMatMul (TFLite's batch_matmul.cc
/// EvalHybrid): every stored lhs row quantized by the same <see cref="HybridQuantization"/> code (with adj_x, the
/// column gathered first), its factor times the rhs scale when per tensor; the rhs columns held as weight rows
/// [matrix, N, K] for <see cref="HybridDotRows"/> (the exact int32 Σ_k R[k, j]·q[k] of the hybrid FULLY_CONNECTED, any
/// ISA: a wrapping int32 sum has no order); then the reference's float epilogue one operation at a time:
/// total − rowsum_j·z in binary32 truncated to int32, then 0 + scale · total.
/// </summary>
internal sealed unsafe class HybridBatchMatMulCpuNode : ICpuCompiledNode
{
    private static readonly CpuThreadPool.ChunkAction<HybridBatchMatMulCpuNode> RunChunk =
        static (in HybridBatchMatMulCpuNode kernel, int start, int end) => kernel.RunItems(start, end);

    private readonly Tensor _lhs, _output;
    private readonly int _m, _k, _n, _lhsRows, _blocks;
    private readonly bool _adjX, _asymmetric, _perChannel;
    private readonly int[] _lhsMatrix, _rhsMatrix;
    private readonly float[] _scales;
    private readonly int[] _rowSums;      // Σ_k R[k, j] per stored rhs matrix and column
    private readonly float[] _factors;
    private readonly int[] _offsets;
    private readonly float[] _column;     // one adj_x column, gathered
    private readonly HybridDotRows _dot;
    private float* _y;

    public HybridBatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p, HybridWeightsParams h, HybridDotIsa? isa = null)
    {
        _lhs = node.Inputs[0]!;
        _output = node.Outputs[0];
        (_m, _k, _n, _adjX, _lhsRows) = (p.Rows, p.Depth, p.Columns, p.AdjX, p.LhsRows);
        (_asymmetric, _perChannel, _scales) = (h.AsymmetricInputs, h.PerChannel, h.Scales);
        _lhsMatrix = p.LhsMatrix.ToArray();
        _rhsMatrix = p.RhsMatrix.ToArray();
        ReadOnlySpan<sbyte> rhs = node.Inputs[1]!.Read<sbyte>();
        int matrices = _n == 0 ? 0 : rhs.Length / (_k * _n);   // the definition refuses K = 0
        // Column j of stored matrix s as weight row s·N + j: R[k, j] = rhs[s·K·N + k·N + j], or rhs[s·N·K + j·K + k] with adj_y.
        var rows = new sbyte[matrices * _n * _k];
        for (int s = 0; s < matrices; s++)
        for (int j = 0; j < _n; j++)
        for (int kk = 0; kk < _k; kk++)
            rows[(s * _n + j) * _k + kk] = p.AdjY ? rhs[(s * _n + j) * _k + kk] : rhs[(s * _k + kk) * _n + j];
        _rowSums = new int[matrices * _n];
        HybridQuantization.RowSums(rows, matrices * _n, _k, _rowSums);
        _dot = new HybridDotRows(rows, matrices * _n, _k, _lhsRows, isa ?? HybridDot.Best());
        _blocks = (_n + HybridDotRows.BlockUnits - 1) / HybridDotRows.BlockUnits;
        _factors = new float[_lhsRows];
        _offsets = new int[_lhsRows];
        _column = _adjX ? new float[_k] : [];
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        ReadOnlySpan<float> lhs = _lhs.Read<float>();
        int m = _m, k = _k;
        for (int r = 0; r < _lhsRows; r++)
        {
            ReadOnlySpan<float> values;
            if (_adjX)
            {
                int matrix = r / m, i = r % m;
                for (int kk = 0; kk < k; kk++) _column[kk] = lhs[matrix * m * k + kk * m + i];
                values = _column;
            }
            else values = lhs.Slice(r * k, k);
            var quantized = _dot.QuantizedRow(r);
            int offset = 0;
            float factor = _asymmetric
                ? HybridImageQuantizer.AsymmetricQuantize(values, quantized, out offset)
                : HybridImageQuantizer.SymmetricQuantize(values, quantized);
            if (!_perChannel) factor *= _scales[0];   // scaling_factors[r] *= rhs scale, before any product
            _factors[r] = factor;
            _offsets[r] = offset;
            _dot.PrepareRow(r);
        }
        _y = ConvLoops.Pointer(_output.Write<float>());
        pool.For(_lhsMatrix.Length * m * _blocks, this, RunChunk);
    }

    /// <summary>Items (output matrix b, row i, block of four columns); each output written by exactly one thread.</summary>
    [MethodImpl(JitHints.Hot)]
    private void RunItems(int start, int end)
    {
        int* dots = stackalloc int[HybridDotRows.BlockUnits];
        int m = _m, n = _n;
        for (int item = start; item < end; item++)
        {
            int block = item % _blocks, outputRow = item / _blocks;
            int b = outputRow / m, i = outputRow % m;
            int first = block * HybridDotRows.BlockUnits;
            int count = Math.Min(HybridDotRows.BlockUnits, n - first);
            int r = _lhsMatrix[b] * m + i;
            int unit = _rhsMatrix[b] * n + first;
            _dot.Dots(r, unit, count, dots);
            float factor = _factors[r];
            float offset = _offsets[r];
            float* y = _y + (nint)outputRow * n + first;
            for (int c = 0; c < count; c++)
            {
                // total -= row_sum * batch_offset: an int32 minus a binary32 product, computed in binary32, truncated.
                float correction = _rowSums[unit + c] * offset;
                int total = (int)(dots[c] - correction);
                float scale = _perChannel ? factor * _scales[first + c] : factor;
                y[c] = 0f + scale * total;
            }
        }
    }
}
