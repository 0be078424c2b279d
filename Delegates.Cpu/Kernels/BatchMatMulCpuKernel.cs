using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// BATCH_MATMUL on the CPU delegate, bit-exact with <see cref="Accel.Kernels.Reference.BatchMatMulKernel"/>: each
/// output is one FMA chain from +0 over k ascending. Operands stored transposed (adj_x / adj_y) are first copied into
/// row-major [M, K] / [K, N] buffers allocated at compile time; then every output row is vectorized across its columns
/// (four vectors of columns at a time, each lane its own chain: broadcast L[i, k] times the contiguous R[k, j…]),
/// rows split over the pool. int8: <see cref="Quantized.QuantizedBatchMatMulCpuNode"/>; int16 × int16:
/// <see cref="Quantized.Int16BatchMatMulCpuNode"/>; hybrid (float32 lhs, constant int8 rhs):
/// <see cref="Hybrid.HybridBatchMatMulCpuNode"/>.
/// </summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulCpuKernel : CpuKernel<BatchMatMulParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, BatchMatMulParams p)
    {
        foreach (var tensor in new[] { node.Inputs[0]!, node.Inputs[1]!, node.Outputs[0] })
            if (tensor.ElementCount > int.MaxValue)
                return NodeSupport.Refuse($"'{tensor.Name}' has more than 2^31-1 elements (the CPU kernels' offsets are 32-bit)");
        return NodeSupport.Supported;
    }

    protected override ICpuCompiledNode Compile(DelegateNode node, BatchMatMulParams p) =>
        p.Hybrid is { } h ? new Hybrid.HybridBatchMatMulCpuNode(node, p, h)
        : p.Quantized is { } q ? new Quantized.QuantizedBatchMatMulCpuNode(node, p, q)
        : p.Int16 is { } q16 ? new Quantized.Int16BatchMatMulCpuNode(node, p, q16)
        : SimdWidths.Current switch
    {
        SimdWidth.W512 => new BatchMatMulCpuNode<Simd512, Vector512<float>>(node, p),
        SimdWidth.W256 => new BatchMatMulCpuNode<Simd256, Vector256<float>>(node, p),
        SimdWidth.W128 => new BatchMatMulCpuNode<Simd128, Vector128<float>>(node, p),
        _ => new BatchMatMulCpuNode<Scalar, float>(node, p),
    };
}

internal sealed unsafe class BatchMatMulCpuNode<TS, TV> : ICpuCompiledNode
    where TS : struct, ISimd<TV>
    where TV : unmanaged
{
    private static readonly CpuThreadPool.ChunkAction<BatchMatMulCpuNode<TS, TV>> RunChunk =
        [MethodImpl(JitHints.Hot)] static (in BatchMatMulCpuNode<TS, TV> kernel, int start, int end) => kernel.Rows(start, end);

    private readonly Tensor _lhs, _rhs, _output;
    private readonly int _m, _k, _n, _batches, _lhsMatrices, _rhsMatrices;
    private readonly bool _adjX, _adjY;
    private readonly int[] _lhsMatrix, _rhsMatrix;
    private readonly PinnedFloats? _packedLhs, _packedRhs;
    private float* _l, _r, _y;

    public BatchMatMulCpuNode(DelegateNode node, BatchMatMulParams p)
    {
        _lhs = node.Inputs[0]!;
        _rhs = node.Inputs[1]!;
        _output = node.Outputs[0];
        (_m, _k, _n, _adjX, _adjY, _batches) = (p.Rows, p.Depth, p.Columns, p.AdjX, p.AdjY, p.Batches);
        _lhsMatrix = p.LhsMatrix.ToArray();
        _rhsMatrix = p.RhsMatrix.ToArray();
        long lhsMatrixSize = (long)_m * _k, rhsMatrixSize = (long)_k * _n;
        _lhsMatrices = lhsMatrixSize == 0 ? 0 : (int)(_lhs.ElementCount / lhsMatrixSize);
        _rhsMatrices = rhsMatrixSize == 0 ? 0 : (int)(_rhs.ElementCount / rhsMatrixSize);
        if (_adjX) _packedLhs = new PinnedFloats((int)_lhs.ElementCount);
        if (_adjY) _packedRhs = new PinnedFloats((int)_rhs.ElementCount);
    }

    [MethodImpl(JitHints.Hot)]
    public void Run(CpuThreadPool pool)
    {
        float* lhs = ConvLoops.Pointer(_lhs.Read<float>());
        float* rhs = ConvLoops.Pointer(_rhs.Read<float>());
        _y = ConvLoops.Pointer(_output.Write<float>());
        // Stored [.., K, M] with adj_x: L[i, k] = lhs[k·M + i], copied to row-major [M, K].
        _l = _adjX ? Transpose(lhs, _packedLhs!.Pointer, _lhsMatrices, _k, _m) : lhs;
        // Stored [.., N, K] with adj_y: R[k, j] = rhs[j·K + k], copied to row-major [K, N].
        _r = _adjY ? Transpose(rhs, _packedRhs!.Pointer, _rhsMatrices, _n, _k) : rhs;
        Chunked.For(pool, _batches * _m, Math.Max(1, 16384 / Math.Max(1, _k * _n)), this, RunChunk);
    }

    /// <summary>Each of <paramref name="matrices"/> [rows, columns] matrices becomes [columns, rows].</summary>
    [MethodImpl(JitHints.Hot)]
    private static float* Transpose(float* source, float* destination, int matrices, int rows, int columns)
    {
        for (int b = 0; b < matrices; b++)
        {
            float* s = source + (nint)b * rows * columns, d = destination + (nint)b * rows * columns;
            for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                d[(nint)c * rows + r] = s[(nint)r * columns + c];
        }
        return destination;
    }

    [MethodImpl(JitHints.Hot)]
    private void Rows(int start, int end)
    {
        int w = TS.Count, k = _k, n = _n;
        for (int row = start; row < end; row++)
        {
            int b = row / _m, i = row % _m;
            float* l = _l + ((nint)_lhsMatrix[b] * _m + i) * k;
            float* r = _r + (nint)_rhsMatrix[b] * k * n;
            float* y = _y + (nint)row * n;
            int j = 0;
            for (; j + 4 * w <= n; j += 4 * w)
            {
                TV a0 = TS.Splat(0f), a1 = a0, a2 = a0, a3 = a0;
                for (int kk = 0; kk < k; kk++)
                {
                    TV x = TS.Splat(l[kk]);
                    float* rk = r + (nint)kk * n + j;
                    a0 = TS.FusedMultiplyAdd(x, TS.Load(rk), a0);
                    a1 = TS.FusedMultiplyAdd(x, TS.Load(rk + w), a1);
                    a2 = TS.FusedMultiplyAdd(x, TS.Load(rk + 2 * w), a2);
                    a3 = TS.FusedMultiplyAdd(x, TS.Load(rk + 3 * w), a3);
                }
                TS.Store(y + j, a0);
                TS.Store(y + j + w, a1);
                TS.Store(y + j + 2 * w, a2);
                TS.Store(y + j + 3 * w, a3);
            }
            for (; j + w <= n; j += w)
            {
                TV a = TS.Splat(0f);
                for (int kk = 0; kk < k; kk++) a = TS.FusedMultiplyAdd(TS.Splat(l[kk]), TS.Load(r + (nint)kk * n + j), a);
                TS.Store(y + j, a);
            }
            for (; j < n; j++)
            {
                float a = 0f;
                for (int kk = 0; kk < k; kk++) a = MathF.FusedMultiplyAdd(l[kk], r[(nint)kk * n + j], a);
                y[j] = a;
            }
        }
    }
}
