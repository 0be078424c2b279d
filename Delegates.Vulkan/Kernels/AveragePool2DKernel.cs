using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// AVERAGE_POOL_2D on float32 NHWC (Shaders/average_pool_2d.comp): per output element, as the reference,
/// sum = +0, then sum = sum + v over the in-bounds taps in (ky, kx) order (plain rounded adds, one invocation), then
/// sum · R(count) with the definition's table R (SpecMath.ReciprocalOfCount, R[0] = +∞) uploaded and indexed by the
/// tap count, then the fused-activation clamp; the window from the definition's geometry.
/// </summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePool2DKernel : VulkanKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AveragePool2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, Pool2DParams p, VulkanDeviceInfo device) =>
        p.Quantized is not null ? QuantizedKernels.SupportsSize(node) : NodeSupport.Supported;

    protected override void Build(DelegateNode node, Pool2DParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is not null)
        {
            QuantizedKernels.Pool(node, p, average: true, builder);
            return;
        }
        var push = Pool2DPush.Of(node, p.Geometry);
        // Only the counts a window can have are uploaded: at most filterH·filterW, and never above the input's extent.
        int maxCount = Math.Min(push.FilterHeight, push.InputHeight) * Math.Min(push.FilterWidth, push.InputWidth);
        var reciprocals = p.ReciprocalOfCount.Span[..(maxCount + 1)];
        builder.DispatchElements("average_pool_2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table(reciprocals)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }
}
