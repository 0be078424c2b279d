using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>EXP on float32 (Shaders/exp.comp): SpecMath.Exp per element (fma-based polynomial).</summary>
[OpCodes(BuiltinOperator.Exp)]
internal sealed class ExpKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Exp];

    protected override string Shader => "exp";

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));
}
