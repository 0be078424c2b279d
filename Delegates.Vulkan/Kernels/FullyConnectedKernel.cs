using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// FULLY_CONNECTED on float32 (Shaders/conv2d.comp): the input read as the definition's [batch, K] rows is a 1x1
/// convolution over a [1, 1, batch, K] image with the [units, K] weights as its filter, so each output is the
/// reference's chain acc = fma(x[b, k], w[u, k], acc) for k = 0 … K−1 from +0, then + bias (optional), then the clamp.
/// keep_num_dims only changes the output's shape, not its memory.
/// </summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedKernel : VulkanKernel<FullyConnectedParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FullyConnected];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, FullyConnectedParams p, VulkanDeviceInfo device) =>
        p.Quantized is not null ? QuantizedKernels.SupportsSize(node) : DeviceRequirements.FirstRefusal(
            DeviceRequirements.ExactFma(node, device),
            DeviceRequirements.SubgroupBroadcast(node, device),
            ConvDispatch.Refusal("FULLY_CONNECTED", Image(p), Geometry(p)),
            Packing(p).Refusal("FULLY_CONNECTED", device));

    protected override void Build(DelegateNode node, FullyConnectedParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.FullyConnected(node, p, q, builder);
            return;
        }
        var packing = Packing(p);
        ConvDispatch.Record(builder, node.Inputs[0]!, packing.PackedFilter(builder, node.Inputs[1]!), p.HasBias ? node.Inputs[2] : null,
            node.Outputs[0], Image(p), Geometry(p), p.Activation, packing);
    }

    /// <summary>The rows as one image row of <c>Batch</c> pixels with <c>Depth</c> channels, under a 1x1 window.</summary>
    private static ConvDispatch.Image Image(FullyConnectedParams p) => new(1, 1, p.Batch, p.Depth, 1, 1);

    /// <summary>Unit strides and dilations, no padding: output pixel b is input row b.</summary>
    private static ConvGeometry Geometry(FullyConnectedParams p) => new(1, 1, 1, 1, 0, 0, 1, p.Batch);

    private static ConvPacking Packing(FullyConnectedParams p) => new(p.Units, 1, p.Depth, 1);
}
