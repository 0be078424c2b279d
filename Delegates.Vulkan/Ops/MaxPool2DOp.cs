namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// MAX_POOL_2D on float32 NHWC (Shaders/max_pool_2d.comp): per output element the reference's NaN-sticky maximum
/// over the in-bounds taps in (ky, kx) order (first tap, then <c>v &gt; m || isNaN(v)</c>, so among equal values the
/// first wins), then the fused-activation clamp. Only comparisons, no rounding.
/// </summary>
internal sealed class MaxPool2DOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.MaxPool2D.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Pool2DWindow.Of(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Pool2DWindow.Of(node, out var push);
        builder.DispatchElements("max_pool_2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }
}
