namespace Accel.Delegates.Vulkan.Ops;

/// <summary>HARD_SWISH on float32 (Shaders/hard_swish.comp): SpecMath.HardSwish per element.</summary>
internal sealed class HardSwishOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.HardSwish.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) => UnaryFloat32.Supports(node);

    public void Build(DelegateNode node, VulkanPartitionBuilder builder) => UnaryFloat32.Build(node, builder, "hard_swish");
}
