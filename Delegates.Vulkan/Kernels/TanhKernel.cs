using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// TANH on float32 (Shaders/tanh.comp): SpecMath.Tanh per element (fma-based Expm1, Exp and reciprocal); on int8/uint8
/// the definition's 256-entry table (Shaders/lookup_q8.comp, no float arithmetic on the device); on int16 the reference
/// over every int16 value as a 65,536-entry table (Shaders/lookup_q16.comp).
/// </summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];

    protected override string Shader => "tanh";

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        p.QuantizedTable.IsEmpty && p.Int16Sigmoid is null ? DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device)) : QuantizedKernels.SupportsSize(node);
}
