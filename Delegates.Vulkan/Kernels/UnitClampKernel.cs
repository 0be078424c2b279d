using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RELU_N1_TO_1 and RELU_0_TO_1 on float32 (Shaders/clamp.comp, as RELU): the NaN-propagating clamp to [−1, 1] /
/// [0, 1]; on int8/uint8 the definition's 256-entry table of TFLite's QuantizedReluX (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1)]
internal sealed class UnitClampKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ReluN1To1, BuiltinOperator.Relu0To1];

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
        var push = new Push { Total = (uint)total, Lo = node.Builtin == BuiltinOperator.ReluN1To1 ? -1f : 0f, Hi = 1f };
        builder.DispatchElements("clamp",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))], push, total);
    }

    /// <summary>clamp.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Lo, Hi;
    }
}
