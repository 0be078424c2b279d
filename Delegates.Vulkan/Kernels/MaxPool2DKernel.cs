using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// MAX_POOL_2D on float32 NHWC (Shaders/max_pool_2d.comp): per output element the reference's NaN-sticky maximum
/// over the in-bounds taps in (ky, kx) order (first tap, then <c>v &gt; m || isNaN(v)</c>, so among equal values the
/// first wins), then the fused-activation clamp; the window from the definition's geometry. Only comparisons, no rounding.
/// </summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPool2DKernel : VulkanKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MaxPool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, Pool2DParams p, VulkanDeviceInfo device) =>
        p.Quantized is not null ? QuantizedKernels.SupportsSize(node) : NodeSupport.Supported;

    protected override void Build(DelegateNode node, Pool2DParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is not null)
        {
            QuantizedKernels.Pool(node, p, average: false, builder);
            return;
        }
        var push = Pool2DPush.Of(node, p.Geometry);
        builder.DispatchElements("max_pool_2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }
}
