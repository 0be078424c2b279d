using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// BATCH_MATMUL (float32): out[b, i, j] = fma chain over k = 0..K−1 of L[i, k]·R[k, j] from +0, the reference's order;
/// L and R read through adj_x / adj_y strides from the operand matrices the definition resolved for each broadcast
/// batch (<see cref="BatchMatMulParams.LhsMatrix"/>, <see cref="BatchMatMulParams.RhsMatrix"/>, uploaded once).
/// int8 (<see cref="QuantizedKernel"/>): Σ_k (L + lhs offset)·(R + rhs offset) in wrapping int32, then
/// MultiplyByQuantizedMultiplier (64-bit integers), + output zero point, clamped to int8: the reference's bits.
/// </summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<BatchMatMulParams>();
        int total = checked((int)node.Outputs[0].ElementCount);
        if (total == 0) return;
        var shape = new BatchMatMulShape(p.Rows, p.Depth, p.Columns, p.AdjX, p.AdjY);
        if (p.Quantized is { } q)
        {
            CompileQuantized(node, c, p, q, shape, total);
            return;
        }
        var lhs = c.View(node.Inputs[0]!);
        var rhs = c.View(node.Inputs[1]!);
        var output = c.View(node.Outputs[0]);
        var lhsMatrix = c.Upload(p.LhsMatrix.ToArray());
        var rhsMatrix = c.Upload(p.RhsMatrix.ToArray());
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, BatchMatMulShape, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, lhs, rhs, output, lhsMatrix, rhsMatrix, shape, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> lhs, ArrayView<float> rhs, ArrayView<float> output,
        ArrayView<int> lhsMatrix, ArrayView<int> rhsMatrix, BatchMatMulShape s, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int o = start; o < end; o++)
        {
            int j = o % s.Columns;
            int rest = o / s.Columns;
            int i = rest % s.Rows;
            int b = rest / s.Rows;
            int l = lhsMatrix[b] * s.Rows * s.Depth + i * s.LhsRowStride;
            int r = rhsMatrix[b] * s.Depth * s.Columns + j * s.RhsColumnStride;
            float acc = 0f;
            for (int k = 0; k < s.Depth; k++)
                acc = default(TArithmetic).FusedMultiplyAdd(lhs[l + k * s.LhsDepthStride], rhs[r + k * s.RhsDepthStride], acc);
            output[o] = acc;
        }
    }
    private static void CompileQuantized(DelegateNode node, IlgpuCompilation c, BatchMatMulParams p, QuantizedBatchMatMulParams q,
        BatchMatMulShape shape, int total)
    {
        var lhs = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var rhs = QuantizedKernels.Bytes(c, node.Inputs[1]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        var lhsMatrix = c.Upload(p.LhsMatrix.ToArray());
        var rhsMatrix = c.Upload(p.RhsMatrix.ToArray());
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var args = new QuantizedBatchMatMulArgs(q.LhsOffset, q.RhsOffset, q.OutputOffset, q.Multiplier.Multiplier, q.Multiplier.Shift, total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, BatchMatMulShape, QuantizedBatchMatMulArgs>(
            QuantizedKernel);
        c.Add(() => kernel(chunks, lhs, rhs, output, lhsMatrix, rhsMatrix, shape, args), chunks);
    }

    public static void QuantizedKernel(Index1D chunk, ArrayView<byte> lhs, ArrayView<byte> rhs, ArrayView<byte> output,
        ArrayView<int> lhsMatrix, ArrayView<int> rhsMatrix, BatchMatMulShape s, QuantizedBatchMatMulArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int o = start; o < end; o++)
        {
            int j = o % s.Columns;
            int rest = o / s.Columns;
            int i = rest % s.Rows;
            int b = rest / s.Rows;
            int l = lhsMatrix[b] * s.Rows * s.Depth + i * s.LhsRowStride;
            int r = rhsMatrix[b] * s.Depth * s.Columns + j * s.RhsColumnStride;
            int acc = 0;
            for (int k = 0; k < s.Depth; k++)
                acc = unchecked(acc + ((sbyte)lhs[l + k * s.LhsDepthStride] + q.LhsOffset) * ((sbyte)rhs[r + k * s.RhsDepthStride] + q.RhsOffset));
            int value = Quantization.MultiplyByQuantizedMultiplier(acc, q.Multiplier, q.Shift) + q.OutputOffset;
            output[o] = QuantizedKernels.Clamp(value, sbyte.MinValue, sbyte.MaxValue);
        }
    }
}

/// <summary>The int8 BATCH_MATMUL's offsets and multiplier, and the launch's element split.</summary>
internal readonly struct QuantizedBatchMatMulArgs(int lhsOffset, int rhsOffset, int outputOffset, int multiplier, int shift, int total, int chunkSize)
{
    public readonly int LhsOffset = lhsOffset, RhsOffset = rhsOffset, OutputOffset = outputOffset;
    public readonly int Multiplier = multiplier, Shift = shift, Total = total, ChunkSize = chunkSize;
}

/// <summary>BATCH_MATMUL's sizes and the element strides of L[i, k] and R[k, j] (swapped by adj_x / adj_y).</summary>
internal readonly struct BatchMatMulShape(int rows, int depth, int columns, bool adjX, bool adjY)
{
    public readonly int Rows = rows;
    public readonly int Depth = depth;
    public readonly int Columns = columns;
    public readonly int LhsRowStride = adjX ? 1 : depth;
    public readonly int LhsDepthStride = adjX ? rows : 1;
    public readonly int RhsDepthStride = adjY ? 1 : columns;
    public readonly int RhsColumnStride = adjY ? depth : 1;
}
