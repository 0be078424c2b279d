using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>RELU and RELU6 on float32 (Shaders/clamp.comp): the NaN-propagating clamp to [0, +inf] / [0, 6].</summary>
internal sealed class ClampActivationOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Relu.ToSchemaName(), BuiltinOperator.Relu6.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.Arity(node, 1, 1, 1) is { } arity) return NodeSupport.Refuse(arity);
        if (VulkanOpChecks.Float32(node, node.Inputs[0], node.Outputs[0]) is { } dtype) return NodeSupport.Refuse(dtype);
        if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse($"{node.Code.Name}: input and output sizes differ");
        return NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
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
