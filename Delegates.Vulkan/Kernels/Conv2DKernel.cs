using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// CONV_2D on float32 (Shaders/conv2d.comp), grouped convolution, strides, dilations, SAME/VALID and the clamp
/// activations included, all from the definition's <see cref="Conv2DParams"/>: the reference's per-output fma chain
/// over (ky, kx, ci) from +0 skipping outside taps, then + bias, then the clamp. One invocation computes 8 output
/// channels of one pixel, each in its own accumulator (never a split reduction), from a re-packed filter (ConvPacking;
/// on the device when the filter is not a constant).
/// </summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DKernel : VulkanKernel<Conv2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Conv2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, Conv2DParams p, VulkanDeviceInfo device) =>
        p.Quantized is not null ? QuantizedKernels.SupportsSize(node) : DeviceRequirements.FirstRefusal(
            DeviceRequirements.ExactFma(node, device),
            DeviceRequirements.SubgroupBroadcast(node, device),
            ConvDispatch.Refusal("CONV_2D", Image(node), p.Geometry),
            Packing(node, p).Refusal("CONV_2D", device));

    protected override void Build(DelegateNode node, Conv2DParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.Conv2D(node, p, q, builder);
            return;
        }
        var packing = Packing(node, p);
        ConvDispatch.Record(builder, node.Inputs[0]!, packing.PackedFilter(builder, node.Inputs[1]!), p.HasBias ? node.Inputs[2] : null,
            node.Outputs[0], Image(node), p.Geometry, p.Activation, packing);
    }

    /// <summary>Input [N, H, W, Cin] under a filter [Cout, KH, KW, Cin/groups].</summary>
    private static ConvDispatch.Image Image(DelegateNode node)
    {
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!;
        return new ConvDispatch.Image(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), filter.Dim(1), filter.Dim(2));
    }

    private static ConvPacking Packing(DelegateNode node, Conv2DParams p)
    {
        var filter = node.Inputs[1]!;
        return new ConvPacking(filter.Dim(0), filter.Dim(1) * filter.Dim(2), filter.Dim(3), p.Groups);
    }
}
