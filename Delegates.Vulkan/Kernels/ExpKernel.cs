using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// EXP on float32 (Shaders/exp.comp): SpecMath.Exp per element (fma-based polynomial); on int8 the definition's
/// 256-entry table (Shaders/lookup_q8.comp); on int16 the reference's interpolated EXP run over every int16 value on the
/// host, as a 65,536-entry table (Shaders/lookup_q16.comp).
/// </summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    protected override string Shader => "exp";

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        node.Inputs[0]!.Type == TensorType.Float32 ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);
}
