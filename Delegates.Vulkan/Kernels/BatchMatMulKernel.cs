using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// BATCH_MATMUL on float32 (Shaders/batch_matmul.comp): each output one fma chain over k from +0 (the reference's
/// order), one output per invocation; the operand matrix of each broadcast batch from the definition's tables, the
/// adj_x / adj_y layouts as element strides. int8 (Shaders/batch_matmul_q8.comp): Σ_k (L + lhs offset)·(R + rhs offset)
/// in wrapping int32, MultiplyByQuantizedMultiplier, + output zero point, clamped to int8 — the reference's bits.
/// </summary>
[OpCodes(BuiltinOperator.BatchMatMul)]
internal sealed class BatchMatMulKernel : VulkanKernel<BatchMatMulParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, BatchMatMulParams p, VulkanDeviceInfo device) =>
        node.Outputs[0].ElementCount == 0
            ? NodeSupport.Refuse("BATCH_MATMUL: the output is empty, there is nothing to dispatch")
            : p.Quantized is not null ? QuantizedKernels.SupportsSize(node)
            : DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));

    protected override void Build(DelegateNode node, BatchMatMulParams p, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        int m = p.Rows, k = p.Depth, n = p.Columns;
        if (p.Quantized is { } q)
        {
            var quantized = new QuantizedPush
            {
                M = m, K = k, N = n,
                LhsRowStride = p.AdjX ? 1 : k, LhsDepthStride = p.AdjX ? m : 1,
                RhsDepthStride = p.AdjY ? 1 : n, RhsColumnStride = p.AdjY ? k : 1,
                LhsOffset = q.LhsOffset, RhsOffset = q.RhsOffset, OutputOffset = q.OutputOffset,
                Multiplier = q.Multiplier.Multiplier, Shift = q.Multiplier.Shift, Total = (uint)output.ElementCount,
            };
            builder.DispatchElements("batch_matmul_q8",
                [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
                 ShaderBinding.Read(builder.Table(p.LhsMatrix.ToArray())), ShaderBinding.Read(builder.Table(p.RhsMatrix.ToArray())),
                 ShaderBinding.Write(builder.Buffer(output))],
                quantized, (output.ElementCount + 3) / 4);
            return;
        }
        var push = new Push
        {
            M = m, K = k, N = n,
            LhsRowStride = p.AdjX ? 1 : k, LhsDepthStride = p.AdjX ? m : 1,
            RhsDepthStride = p.AdjY ? 1 : n, RhsColumnStride = p.AdjY ? k : 1,
            Total = (uint)output.ElementCount, Zero = 0f,
        };
        builder.DispatchElements("batch_matmul",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Read(builder.Table(p.LhsMatrix.ToArray())), ShaderBinding.Read(builder.Table(p.RhsMatrix.ToArray())),
             ShaderBinding.Write(builder.Buffer(output))],
            push, push.Total);
    }

    /// <summary>batch_matmul.comp's push constants (std430: two ivec4, then the total and +0).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int M, K, N, Unused;
        public int LhsRowStride, LhsDepthStride, RhsDepthStride, RhsColumnStride;
        public uint Total;
        public float Zero;
    }

    /// <summary>batch_matmul_q8.comp's push constants (std430: three ivec4, then the multiplier, shift, total and a pad word).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct QuantizedPush
    {
        public int M, K, N, Unused0;
        public int LhsRowStride, LhsDepthStride, RhsDepthStride, RhsColumnStride;
        public int LhsOffset, RhsOffset, OutputOffset, Unused1;
        public int Multiplier, Shift;
        public uint Total;
        public int Unused2;
    }
}
