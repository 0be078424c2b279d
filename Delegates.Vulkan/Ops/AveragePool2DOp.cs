using Accel.Numerics;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// AVERAGE_POOL_2D on float32 NHWC (Shaders/average_pool_2d.comp): per output element, as the reference,
/// sum = +0, then sum = sum + v over the in-bounds taps in (ky, kx) order (plain rounded adds, one invocation), then
/// sum · R(count) with R = SpecMath.ReciprocalOfCount computed here and uploaded as a table indexed by the tap count
/// (R[0] = +∞ as the reference's), then the fused-activation clamp.
/// </summary>
internal sealed class AveragePool2DOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.AveragePool2D.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Pool2DWindow.Of(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Pool2DWindow.Of(node, out var push);
        // Only counts a window can have are needed: at most filterH·filterW, and never above the input's extent.
        int maxCount = Math.Min(push.FilterHeight, push.InputHeight) * Math.Min(push.FilterWidth, push.InputWidth);
        var reciprocals = new float[maxCount + 1];
        reciprocals[0] = float.PositiveInfinity;
        for (int n = 1; n <= maxCount; n++) reciprocals[n] = SpecMath.ReciprocalOfCount(n);
        builder.DispatchElements("average_pool_2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table<float>(reciprocals)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }
}
