using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RSQRT on int8 (TFLite's RsqrtEvalQuantizedInt8): the definition's 256-entry table (Shaders/lookup_q8.comp); on
/// int16 the reference's 513-entry interpolated lookup over every int16 value, as a 65,536-entry table
/// (Shaders/lookup_q16.comp). An input below the zero point is the reference's error at Invoke: checked on the device
/// first (<see cref="QuantizedKernels.NonNegativeLookup"/>). float32 RSQRT is not built on Vulkan.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) => QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder) =>
        QuantizedKernels.NonNegativeLookup(node, p, builder);
}

/// <summary>
/// SQRT on int8 (TFLite's SqrtEvalQuantized): the definition's 256-entry table (Shaders/lookup_q8.comp); on int16 the
/// reference's per-element binary32 root run over every int16 value on the host, as a 65,536-entry table
/// (Shaders/lookup_q16.comp). An input below the zero point is the reference's error at Invoke: checked on the device
/// first (<see cref="QuantizedKernels.NonNegativeLookup"/>). float32 SQRT is not built on Vulkan.
/// </summary>
[OpCodes(BuiltinOperator.Sqrt)]
internal sealed class SqrtKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Sqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) => QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder) =>
        QuantizedKernels.NonNegativeLookup(node, p, builder);
}
