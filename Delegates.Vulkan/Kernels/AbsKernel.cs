using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// ABS on int8 (TFLite's AbsEvalQuantized): the definition's 256-entry table (Shaders/lookup_q8.comp); the float32,
/// int32 and int16 forms are not built on Vulkan (the reference or CPU delegate runs them).
/// </summary>
[OpCodes(BuiltinOperator.Abs)]
internal sealed class AbsKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Abs];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) => QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder) =>
        QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
}
