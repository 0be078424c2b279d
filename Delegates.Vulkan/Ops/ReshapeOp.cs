namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// RESHAPE (float32 data): a device-side buffer copy of the bytes (vkCmdCopyBuffer, no shader). The shape input is
/// a constant read by the reference at Prepare; the output shape is already final here.
/// </summary>
internal sealed class ReshapeOp : IVulkanOp
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Reshape.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.Arity(node, 1, 2, 1) is { } arity) return NodeSupport.Refuse(arity);
        if (VulkanOpChecks.Float32(node, node.Inputs[0], node.Outputs[0]) is { } dtype) return NodeSupport.Refuse(dtype);
        if (node.Inputs[0]!.ByteSize != node.Outputs[0].ByteSize)
            return NodeSupport.Refuse("RESHAPE: input and output sizes differ");
        return NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder) =>
        builder.Copy(builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), (ulong)node.Outputs[0].ByteSize);
}
