using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>ELU on float32 (Shaders/elu.comp): x &lt; 0 ? SpecMath.Expm1(x) : x per element (fma-based Expm1).</summary>
[OpCodes(BuiltinOperator.Elu)]
internal sealed class EluKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Elu];

    protected override string Shader => "elu";

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));
}
