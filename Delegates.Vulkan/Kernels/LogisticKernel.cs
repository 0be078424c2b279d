using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>LOGISTIC on float32 (Shaders/logistic.comp): SpecMath.Logistic per element (fma-based Exp and reciprocal).</summary>
internal sealed class LogisticKernel : UnaryFloat32Kernel
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Logistic];

    protected override string Shader => "logistic";

    protected override NodeSupport Supports(DelegateNode node, ElementwiseParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));
}
