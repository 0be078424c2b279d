namespace Accel.Delegates.Vulkan.Ops;

/// <summary>Shared by elementwise float32 ops whose shader takes (input, output) and push constants { uint total }.</summary>
internal static class UnaryFloat32
{
    public static NodeSupport Supports(DelegateNode node)
    {
        if (VulkanOpChecks.Arity(node, 1, 1, 1) is { } arity) return NodeSupport.Refuse(arity);
        if (VulkanOpChecks.Float32(node, node.Inputs[0], node.Outputs[0]) is { } dtype) return NodeSupport.Refuse(dtype);
        if (node.Inputs[0]!.ElementCount != node.Outputs[0].ElementCount)
            return NodeSupport.Refuse($"{node.Code.Name}: input and output sizes differ");
        return NodeSupport.Supported;
    }

    public static void Build(DelegateNode node, VulkanPartitionBuilder builder, string shader)
    {
        long total = node.Outputs[0].ElementCount;
        builder.DispatchElements(shader,
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            (uint)total, total);
    }
}
