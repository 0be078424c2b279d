using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RELU and RELU6 on float32 (Shaders/clamp.comp): the NaN-propagating clamp to [0, +inf] / [0, 6]; on int8/uint8 the
/// definition's 256-entry table of TFLite's QuantizedReluX (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6)]
internal sealed class ClampActivationKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        if (!p.QuantizedTable.IsEmpty)
        {
            QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
            return;
        }
        long total = node.Outputs[0].ElementCount;
        var push = new Push { Total = (uint)total, Lo = 0f, Hi = node.Builtin == BuiltinOperator.Relu6 ? 6f : float.PositiveInfinity };
        builder.DispatchElements("clamp",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))], push, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Lo, Hi;
    }
}
