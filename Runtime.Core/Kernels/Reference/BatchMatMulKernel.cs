using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// BATCH_MATMUL, float32 (docs/numerics.md §BATCH_MATMUL). TFLite's <c>reference_ops::BatchMatMul</c> semantics:
/// out[b, i, j] = Σ_k L[i, k]·R[k, j] with L = lhs (or its transpose with adj_x) and R = rhs (or its transpose with
/// adj_y) of the broadcast batch b. Each output is one sequential FMA chain from +0 over k ascending (TFLite rounds each
/// product and each sum). int8: <see cref="InvokeQuantized"/>; int16: <see cref="InvokeInt16"/>.
/// </summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulKernel : ReferenceKernel<BatchMatMulParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override void Invoke(KernelContext context, BatchMatMulParams p)
    {
        if (p.Quantized is { } q)
        {
            InvokeQuantized(context, p, q);
            return;
        }
        if (p.Int16 is { } q16)
        {
            InvokeInt16(context, p, q16);
            return;
        }
        if (p.Hybrid is { } h)
        {
            HybridKernels.BatchMatMul(context, p, h);
            return;
        }
        ReadOnlySpan<float> lhs = context.Input(0).Read<float>();
        ReadOnlySpan<float> rhs = context.Input(1).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        ReadOnlySpan<int> lhsMatrix = p.LhsMatrix.Span, rhsMatrix = p.RhsMatrix.Span;
        int m = p.Rows, k = p.Depth, n = p.Columns;
        // Element (i, kk) of L and (kk, j) of R: the strides swap with adj_x / adj_y.
        int lhsRowStride = p.AdjX ? 1 : k, lhsDepthStride = p.AdjX ? m : 1;
        int rhsDepthStride = p.AdjY ? 1 : n, rhsColumnStride = p.AdjY ? k : 1;

        for (int b = 0; b < p.Batches; b++)
        {
            int lhsBase = lhsMatrix[b] * m * k, rhsBase = rhsMatrix[b] * k * n, outputBase = b * m * n;
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                if (j == 0) context.ThrowIfCancellationRequested(); // once per output row
                float acc = 0f;
                for (int kk = 0; kk < k; kk++)
                    acc = MathF.FusedMultiplyAdd(lhs[lhsBase + i * lhsRowStride + kk * lhsDepthStride],
                        rhs[rhsBase + kk * rhsDepthStride + j * rhsColumnStride], acc);
                output[outputBase + i * n + j] = acc;
            }
        }
    }

    /// <summary>
    /// int8 (TFLite's reference_ops::BatchMatMul for int8, which batch_matmul.cc calls with the operands swapped):
    /// acc = Σ_k (L[i, k] + lhs offset)·(R[k, j] + rhs offset) in int32 (exact, wrapping), then
    /// clamp(MultiplyByQuantizedMultiplier(acc) + output zero point) to int8. K = 0 gives the output zero point.
    /// </summary>
    private static void InvokeQuantized(KernelContext context, BatchMatMulParams p, QuantizedBatchMatMulParams q)
    {
        ReadOnlySpan<sbyte> lhs = context.Input(0).Read<sbyte>();
        ReadOnlySpan<sbyte> rhs = context.Input(1).Read<sbyte>();
        Span<sbyte> output = context.Output(0).Write<sbyte>();
        ReadOnlySpan<int> lhsMatrix = p.LhsMatrix.Span, rhsMatrix = p.RhsMatrix.Span;
        int m = p.Rows, k = p.Depth, n = p.Columns;
        int lhsRowStride = p.AdjX ? 1 : k, lhsDepthStride = p.AdjX ? m : 1;
        int rhsDepthStride = p.AdjY ? 1 : n, rhsColumnStride = p.AdjY ? k : 1;
        for (int b = 0; b < p.Batches; b++)
        {
            int lhsBase = lhsMatrix[b] * m * k, rhsBase = rhsMatrix[b] * k * n, outputBase = b * m * n;
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                if (j == 0) context.ThrowIfCancellationRequested(); // once per output row
                int acc = 0;
                for (int kk = 0; kk < k; kk++)
                    acc = unchecked(acc + (lhs[lhsBase + i * lhsRowStride + kk * lhsDepthStride] + q.LhsOffset) *
                        (rhs[rhsBase + kk * rhsDepthStride + j * rhsColumnStride] + q.RhsOffset));
                int value = Quantization.MultiplyByQuantizedMultiplier(acc, q.Multiplier) + q.OutputOffset;
                output[outputBase + i * n + j] = (sbyte)Math.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    /// <summary>
    /// int16 (TFLite's reference_ops::BatchMatMul&lt;int16_t, int64_t&gt;, the only int16 kernel batch_matmul.cc has):
    /// acc = Σ_k L[i, k]·R[k, j] exact in int64 (zero points 0), then clamp(MultiplyByQuantizedMultiplier(acc)) to
    /// int16 with TFLite's 64-bit form (16-bit mantissa). K = 0 gives 0.
    /// </summary>
    private static void InvokeInt16(KernelContext context, BatchMatMulParams p, Int16BatchMatMulParams q)
    {
        ReadOnlySpan<short> lhs = context.Input(0).Read<short>();
        ReadOnlySpan<short> rhs = context.Input(1).Read<short>();
        Span<short> output = context.Output(0).Write<short>();
        ReadOnlySpan<int> lhsMatrix = p.LhsMatrix.Span, rhsMatrix = p.RhsMatrix.Span;
        int m = p.Rows, k = p.Depth, n = p.Columns;
        int lhsRowStride = p.AdjX ? 1 : k, lhsDepthStride = p.AdjX ? m : 1;
        int rhsDepthStride = p.AdjY ? 1 : n, rhsColumnStride = p.AdjY ? k : 1;
        for (int b = 0; b < p.Batches; b++)
        {
            int lhsBase = lhsMatrix[b] * m * k, rhsBase = rhsMatrix[b] * k * n, outputBase = b * m * n;
            for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                if (j == 0) context.ThrowIfCancellationRequested(); // once per output row
                long acc = 0;
                for (int kk = 0; kk < k; kk++)
                    acc += lhs[lhsBase + i * lhsRowStride + kk * lhsDepthStride] * rhs[rhsBase + kk * rhsDepthStride + j * rhsColumnStride];
                int value = Quantization.MultiplyByQuantizedMultiplier(acc, q.Multiplier);
                output[outputBase + i * n + j] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
            }
        }
    }
}
