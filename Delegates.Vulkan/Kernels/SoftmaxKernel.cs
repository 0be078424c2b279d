using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// SOFTMAX on float32 (Shaders/softmax.comp): one invocation per row of the definition's Depth elements, the
/// reference's sequence in its order (maximum, specExp of (x − m)·beta with a sequential sum, SoftmaxMultiplier's
/// fma-based reciprocal, one multiply per element).
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : VulkanKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    protected override NodeSupport Supports(DelegateNode node, SoftmaxParams p, VulkanDeviceInfo device) =>
        DeviceRequirements.FirstRefusal(DeviceRequirements.ExactFma(node, device));

    protected override void Build(DelegateNode node, SoftmaxParams p, VulkanPartitionBuilder builder) =>
        builder.DispatchElements("softmax",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            new Push { Rows = (uint)p.Rows, Depth = (uint)p.Depth, Beta = p.Beta }, p.Rows);

    /// <summary>softmax.comp's push constants (std430).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Rows;
        public uint Depth;
        public float Beta;
    }
}
