using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>TANH on float32 (Shaders/tanh.comp): SpecMath.Tanh per element (fma-based Expm1, Exp and reciprocal).</summary>
[OpCodes(BuiltinOperator.Tanh)]
internal sealed class TanhKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Tanh];

    protected override string Shader => "tanh";

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));
}
