using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>RELU and RELU6 on float32 (Shaders/clamp.comp): the NaN-propagating clamp to [0, +inf] / [0, 6].</summary>
[OpCodes(BuiltinOperator.Relu, BuiltinOperator.Relu6)]
internal sealed class ClampActivationKernel : VulkanKernel<ElementwiseParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Relu, BuiltinOperator.Relu6];

    protected override void Build(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
    {
        long total = node.Outputs[0].ElementCount;
        var push = new Push { Total = (uint)total, Lo = 0f, Hi = node.Builtin == BuiltinOperator.Relu6 ? 6f : float.PositiveInfinity };
        builder.DispatchElements("clamp",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))], push, total);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public uint Total;
        public float Lo, Hi;
    }
}
