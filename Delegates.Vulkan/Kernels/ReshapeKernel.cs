using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RESHAPE (float32 data): a device-side buffer copy of the definition's bytes (vkCmdCopyBuffer, no shader); the
/// output shape is already final here.
/// </summary>
[OpCodes(BuiltinOperator.Reshape)]
internal sealed class ReshapeKernel : VulkanKernel<ReshapeParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape];

    protected override void Build(DelegateNode node, ReshapeParams p, VulkanPartitionBuilder builder) =>
        builder.Copy(builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Outputs[0]), (ulong)p.Bytes);
}
