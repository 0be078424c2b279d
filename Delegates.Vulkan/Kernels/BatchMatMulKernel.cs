using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// BATCH_MATMUL on float32 (Shaders/batch_matmul.comp): each output one fma chain over k from +0 (the reference's
/// order), one output per invocation; the operand matrix of each broadcast batch from the definition's tables, the
/// adj_x / adj_y layouts as element strides.
/// </summary>
internal sealed class BatchMatMulKernel : VulkanKernel<BatchMatMulParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.BatchMatMul];

    protected override NodeSupport Supports(DelegateNode node, BatchMatMulParams p, VulkanDeviceInfo device) =>
        node.Outputs[0].ElementCount == 0
            ? NodeSupport.Refuse("BATCH_MATMUL: the output is empty, there is nothing to dispatch")
            : DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));

    protected override void Build(DelegateNode node, BatchMatMulParams p, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        int m = p.Rows, k = p.Depth, n = p.Columns;
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
}
