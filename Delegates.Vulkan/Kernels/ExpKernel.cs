using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// EXP on float32 (Shaders/exp.comp): SpecMath.Exp per element (fma-based polynomial); on int8 the definition's
/// 256-entry table (Shaders/lookup_q8.comp). int16 EXP (TFLite's interpolated 513-entry table) is not built here.
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    protected override string Shader => "exp";

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);
}
