using System.Runtime.CompilerServices;
using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels.Quantized;

/// <summary>
/// The integer BATCH_MATMUL nodes' operand layout: every lhs matrix packed row-major as [M, K] and every rhs matrix
/// column-major as [N, K] (whatever adj_x / adj_y), as int16 with an optional offset added (int8's zero points), into
/// buffers allocated at compile time, so a dot product walks both operands contiguously.
/// </summary>
internal sealed class BatchMatMulOperandPacker
{
    private readonly BatchMatMulParams _p;
    private readonly int _lhsMatrices, _rhsMatrices;

    public BatchMatMulOperandPacker(Tensor lhs, Tensor rhs, BatchMatMulParams p)
    {
        _p = p;
        Lhs = new short[lhs.ElementCount];
        Rhs = new short[rhs.ElementCount];
        LhsMatrix = p.LhsMatrix.ToArray();
        RhsMatrix = p.RhsMatrix.ToArray();
        long lhsSize = (long)p.Rows * p.Depth, rhsSize = (long)p.Depth * p.Columns;
        _lhsMatrices = lhsSize == 0 ? 0 : (int)(lhs.ElementCount / lhsSize);
        _rhsMatrices = rhsSize == 0 ? 0 : (int)(rhs.ElementCount / rhsSize);
    }

    /// <summary>Packed lhs rows, [matrix, M, K].</summary>
    public short[] Lhs { get; }

    /// <summary>Packed rhs columns, [matrix, N, K].</summary>
    public short[] Rhs { get; }

    /// <summary>Each output batch's lhs and rhs matrix index (the definition's broadcast).</summary>
    public int[] LhsMatrix { get; }

    /// <inheritdoc cref="LhsMatrix"/>
    public int[] RhsMatrix { get; }

    /// <summary>Packs both operands, adding <paramref name="lhsOffset"/> / <paramref name="rhsOffset"/> to every value
    /// (the sums fit int16: 8-bit values plus offsets within ±255, or int16 values with offset 0).</summary>
    [MethodImpl(JitHints.Hot)]
    public void Pack<T>(ReadOnlySpan<T> lhs, ReadOnlySpan<T> rhs, int lhsOffset, int rhsOffset) where T : unmanaged, IBinaryInteger<T>
    {
        int m = _p.Rows, k = _p.Depth, n = _p.Columns;
        // L[i, kk] and R[kk, j] as the reference indexes them.
        int lhsRowStride = _p.AdjX ? 1 : k, lhsDepthStride = _p.AdjX ? m : 1;
        int rhsDepthStride = _p.AdjY ? 1 : n, rhsColumnStride = _p.AdjY ? k : 1;
        for (int mat = 0; mat < _lhsMatrices; mat++)
        for (int i = 0; i < m; i++)
        for (int kk = 0; kk < k; kk++)
            Lhs[(mat * m + i) * k + kk] = (short)(int.CreateTruncating(lhs[mat * m * k + i * lhsRowStride + kk * lhsDepthStride]) + lhsOffset);
        for (int mat = 0; mat < _rhsMatrices; mat++)
        for (int j = 0; j < n; j++)
        for (int kk = 0; kk < k; kk++)
            Rhs[(mat * n + j) * k + kk] = (short)(int.CreateTruncating(rhs[mat * k * n + kk * rhsDepthStride + j * rhsColumnStride]) + rhsOffset);
    }
}
