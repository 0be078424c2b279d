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
    private static void InvokeQuantized(KernelContext context, BatchMatMulParams p, QuantizedBatchMatMulParams q) =>
        InvokeInteger<sbyte, Int8Element>(context, p, new Int8Element(q));

    /// <summary>
    /// int16 (TFLite's reference_ops::BatchMatMul&lt;int16_t, int64_t&gt;, the only int16 kernel batch_matmul.cc has):
    /// acc = Σ_k L[i, k]·R[k, j] exact in int64 (zero points 0), then clamp(MultiplyByQuantizedMultiplier(acc)) to
    /// int16 with TFLite's 64-bit form (16-bit mantissa). K = 0 gives 0.
    /// </summary>
    private static void InvokeInt16(KernelContext context, BatchMatMulParams p, Int16BatchMatMulParams q) =>
        InvokeInteger<short, Int16Element>(context, p, new Int16Element(q));

    /// <summary>An integer form's product of one lhs and one rhs element and its requantization of the sum.</summary>
    private interface IIntegerElement<T> where T : unmanaged
    {
        long Product(T lhs, T rhs);

        T Output(long acc);
    }

    /// <summary>
    /// The loop the integer forms share: acc = Σ_k Product(L[i, k], R[k, j]) in int64 (exact: |product| ≤ 2^32 and
    /// K ≤ 2^17 for int16; int8's int32 wrapping sum is this sum modulo 2^32, which <see cref="Int8Element"/> takes).
    /// </summary>
    private static void InvokeInteger<T, TElement>(KernelContext context, BatchMatMulParams p, TElement element)
        where T : unmanaged where TElement : struct, IIntegerElement<T>
    {
        ReadOnlySpan<T> lhs = context.Input(0).Read<T>();
        ReadOnlySpan<T> rhs = context.Input(1).Read<T>();
        Span<T> output = context.Output(0).Write<T>();
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
                    acc += element.Product(lhs[lhsBase + i * lhsRowStride + kk * lhsDepthStride], rhs[rhsBase + kk * rhsDepthStride + j * rhsColumnStride]);
                output[outputBase + i * n + j] = element.Output(acc);
            }
        }
    }

    private readonly struct Int8Element(QuantizedBatchMatMulParams q) : IIntegerElement<sbyte>
    {
        public long Product(sbyte lhs, sbyte rhs) => (lhs + q.LhsOffset) * (rhs + q.RhsOffset);

        // TFLite's int32 accumulator wraps: the exact sum modulo 2^32.
        public sbyte Output(long acc) =>
            (sbyte)Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(unchecked((int)acc), q.Multiplier) + q.OutputOffset, sbyte.MinValue, sbyte.MaxValue);
    }

    private readonly struct Int16Element(Int16BatchMatMulParams q) : IIntegerElement<short>
    {
        public long Product(short lhs, short rhs) => lhs * rhs;

        public short Output(long acc) => (short)Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multiplier), short.MinValue, short.MaxValue);
    }
}
