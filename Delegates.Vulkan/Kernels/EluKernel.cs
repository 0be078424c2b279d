using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// ELU on float32 (Shaders/elu.comp): x &lt; 0 ? SpecMath.Expm1(x) : x per element (fma-based Expm1); on int8 the
/// definition's 256-entry table (Shaders/lookup_q8.comp).
/// </summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];

    protected override string Shader => "elu";

    // TFLite tabulates int8 ELU only (the definition's dtypes).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);
}
