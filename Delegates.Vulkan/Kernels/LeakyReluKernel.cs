using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// LEAKY_RELU on float32 (Shaders/leaky_relu.comp): x &gt; 0 ? x : x · alpha, alpha from the params; on int8/uint8 the
/// definition's 256-entry table (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.LeakyRelu)]
internal sealed class LeakyReluKernel : VulkanKernel<LeakyReluParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LeakyRelu];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, LeakyReluParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, LeakyReluParams p, VulkanPartitionBuilder builder)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        long total = node.Outputs[0].ElementCount;
        builder.DispatchElements("leaky_relu",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Total = (uint)total, Alpha = p.Alpha }, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Alpha;
    }
}
