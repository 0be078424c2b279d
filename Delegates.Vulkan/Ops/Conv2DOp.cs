using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// CONV_2D on float32 (Shaders/conv2d.comp), grouped convolution, strides, dilations, SAME/VALID and the clamp
/// activations included: the reference's per-output fma chain over (ky, kx, ci) from +0 skipping outside taps, then
/// + bias, then the clamp. One invocation computes 8 output channels of one pixel, each in its own accumulator (never
/// a split reduction), from a re-packed filter (ConvPacking; on the device when the filter is not a constant).
/// </summary>
internal sealed class Conv2DOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Conv2D.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.RequiresExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (ConvChecks.Subgroups(node, device) is { } subgroups) return NodeSupport.Refuse(subgroups);
        if (Plan(node, out var plan) is { } refusal) return NodeSupport.Refuse(refusal);
        return plan.Packing.Refusal("CONV_2D", device) is { } size ? NodeSupport.Refuse(size) : NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Plan(node, out var plan);
        ConvDispatch.Record(builder, node.Inputs[0]!, plan.Packing.PackedFilter(builder, node.Inputs[1]!), ConvChecks.Bias(node),
            node.Outputs[0], plan.Geometry, plan.Packing);
    }

    private readonly record struct DispatchPlan(ConvDispatch.Geometry Geometry, ConvPacking Packing);

    /// <summary>The reference's Prepare checks and the dispatch geometry; null when supported, else the refusal.</summary>
    private static string? Plan(DelegateNode node, out DispatchPlan plan)
    {
        plan = default;
        if (VulkanOpChecks.Arity(node, 2, 3, 1) is { } arity) return arity;
        if (node.Options is not Conv2DOptions options) return "CONV_2D without Conv2DOptions";
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        if (input.Rank != 4 || filter.Rank != 4)
            return $"CONV_2D: input and filter must have rank 4, have {input.Rank} and {filter.Rank}";
        if (options.Padding is not (Padding.Same or Padding.Valid)) return $"CONV_2D: padding {(int)options.Padding} is neither SAME nor VALID";
        if (options.StrideH <= 0 || options.StrideW <= 0 || options.DilationH <= 0 || options.DilationW <= 0)
            return "CONV_2D: strides and dilation factors must be positive";
        int inputDepth = input.Dim(3), outputDepth = filter.Dim(0), filterDepth = filter.Dim(3);
        if (filterDepth <= 0 || inputDepth % filterDepth != 0)
            return $"CONV_2D: filter depth {filterDepth} does not divide the input depth {inputDepth}";
        int groups = inputDepth / filterDepth;
        if (groups <= 0 || outputDepth % groups != 0) return $"CONV_2D: output depth {outputDepth} is not divisible by the group count {groups}";
        if (ConvChecks.TensorsAndBias(node, outputDepth) is { } tensors) return tensors;
        if (ConvChecks.Activation(node, options.FusedActivation, out float lo, out float hi) is { } activation) return activation;
        var rows = SpatialPadding.Compute(options.Padding, input.Dim(1), filter.Dim(1), options.StrideH, options.DilationH);
        var cols = SpatialPadding.Compute(options.Padding, input.Dim(2), filter.Dim(2), options.StrideW, options.DilationW);
        if (ConvChecks.OutputShape(node, [input.Dim(0), rows.OutputSize, cols.OutputSize, outputDepth]) is { } shape) return shape;
        var geometry = new ConvDispatch.Geometry(input.Dim(0), input.Dim(1), input.Dim(2), inputDepth, rows.OutputSize, cols.OutputSize,
            filter.Dim(1), filter.Dim(2), options.StrideH, options.StrideW, options.DilationH, options.DilationW, rows.PadBefore, cols.PadBefore, lo, hi);
        if (geometry.Refusal("CONV_2D") is { } size) return size;
        plan = new DispatchPlan(geometry, new ConvPacking(outputDepth, filter.Dim(1) * filter.Dim(2), filterDepth, groups));
        return null;
    }
}
