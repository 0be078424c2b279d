using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// LOG on int8 (TFLite's LogLUTPrepare): the definition's 256-entry table (Shaders/lookup_q8.comp); on int16 the
/// reference's 513-entry interpolated lookup (TFLite's int16 slope wrap included) run over every int16 value on the
/// host, as a 65,536-entry table (Shaders/lookup_q16.comp). No input is an error. float32 LOG is not built on Vulkan.
/// </summary>
[OpCodes(BuiltinOperator.Log)]
internal sealed class LogKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Log];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) => QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        if (p.TabulateInt16(node.Builtin) is { } table16) QuantizedKernels.Lookup16(node, table16, builder);
        else QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
    }
}
