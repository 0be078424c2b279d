using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// BATCH_MATMUL (float32): out[b, i, j] = fma chain over k = 0..K−1 of L[i, k]·R[k, j] from +0, the reference's order;
/// L and R read through adj_x / adj_y strides from the operand matrices the definition resolved for each broadcast
/// batch (<see cref="BatchMatMulParams.LhsMatrix"/>, <see cref="BatchMatMulParams.RhsMatrix"/>, uploaded once).
/// </summary>
internal sealed class BatchMatMulKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<BatchMatMulParams>();
        int total = checked((int)node.Outputs[0].ElementCount);
        if (total == 0) return;
        var shape = new BatchMatMulShape(p.Rows, p.Depth, p.Columns, p.AdjX, p.AdjY);
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
