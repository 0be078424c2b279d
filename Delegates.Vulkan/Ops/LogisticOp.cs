namespace Accel.Delegates.Vulkan.Ops;

/// <summary>LOGISTIC on float32 (Shaders/logistic.comp): SpecMath.Logistic per element (fma-based Exp and reciprocal).</summary>
internal sealed class LogisticOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Logistic.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        VulkanOpChecks.RequiresExactFma(node, device) is { } fma ? NodeSupport.Refuse(fma) : UnaryFloat32.Supports(node);

    public void Build(DelegateNode node, VulkanPartitionBuilder builder) => UnaryFloat32.Build(node, builder, "logistic");
}
