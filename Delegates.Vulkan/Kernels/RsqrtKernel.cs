using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RSQRT on int8 (TFLite's RsqrtEvalQuantizedInt8): the definition's 256-entry table (Shaders/lookup_q8.comp). An
/// input below the zero point is an error at Invoke on the reference, which a shader cannot report, so only nodes
/// whose zero point is −128 (no input below it exists) run here; others are refused with that reason.
/// </summary>
[OpCodes(BuiltinOperator.Rsqrt)]
internal sealed class RsqrtKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Rsqrt];

    public override IReadOnlyList<TensorType> Types => [TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedInputMinimum > sbyte.MinValue
            ? NodeSupport.Refuse($"RSQRT: input zero point {p.QuantizedInputMinimum} above −128: an input below it is an error at Invoke, which a shader cannot report")
            : QuantizedKernels.SupportsSize(node);

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder) =>
        QuantizedKernels.Lookup(node, p.QuantizedTable, builder);
}
