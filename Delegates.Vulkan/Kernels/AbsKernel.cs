using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// ABS on int8 (TFLite's AbsEvalQuantized): the definition's 256-entry table (Shaders/lookup_q8.comp); on quantized
/// int16 the reference's rescale run over every int16 value on the host, as a 65,536-entry table
/// (Shaders/lookup_q16.comp). The float32, int32 and unquantized int16 forms are not built on Vulkan.
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Int16 && p.Int16Abs is null
            ? NodeSupport.Refuse("ABS: int16 without quantization is not built on Vulkan")
            : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        if (p.TabulateInt16(node.Builtin) is { } table16) QuantizedKernels.Lookup16(node, table16, builder);
        else QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
    }
}
