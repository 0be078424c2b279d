using Accel.Operators;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// HARD_SWISH on float32 (Shaders/hard_swish.comp): SpecMath.HardSwish per element; on int8/uint8 the definition's
/// 256-entry table of TFLite's fixed-point HardSwish (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.HardSwish)]
internal sealed class HardSwishKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.HardSwish];

    protected override string Shader => "hard_swish";

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, Accel.Operators.Definitions.ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? NodeSupport.Supported : QuantizedKernels.SupportsSize(node);
}
