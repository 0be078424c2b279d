using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// BATCH_MATMUL on float32 (Cl/batch_matmul.cl): each output one fma chain over k from +0 (the reference's order), one
/// output per work-item; the operand matrix of each broadcast batch from the definition's tables, the adj_x / adj_y
/// layouts as element strides. An empty output records no launch. int8: the same layout with integer accumulation
/// (<see cref="QuantizedLinearKernels.BatchMatMul"/>).
/// </summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulKernel : OpenClKernel<BatchMatMulParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    // int8: QuantizedLinearKernels.BatchMatMul (integer only, so the delegate waives the fma requirement for it).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    public override bool NeedsFma => true;

    protected override void Build(DelegateNode node, BatchMatMulParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedLinearKernels.BatchMatMul(node, p, q, builder);
            return;
        }
        int m = p.Rows, k = p.Depth, n = p.Columns;
        var args = new Args
        {
            M = m, K = k, N = n,
            LhsRowStride = p.AdjX ? 1 : k, LhsDepthStride = p.AdjX ? m : 1,
            RhsDepthStride = p.AdjY ? 1 : n, RhsColumnStride = p.AdjY ? k : 1,
            Zero = 0f,
        };
        builder.Dispatch("batch_matmul",
            [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Table(p.LhsMatrix.Span), builder.Table(p.RhsMatrix.Span),
             builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount);
    }

    /// <summary>batch_matmul.cl's BatchMatMulArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int M, K, N;
        public int LhsRowStride, LhsDepthStride, RhsDepthStride, RhsColumnStride;
        public float Zero;
    }
}
