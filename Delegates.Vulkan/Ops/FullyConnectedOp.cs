namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// FULLY_CONNECTED on float32 (Shaders/conv2d.comp): the input read as [batch, K] rows is a 1x1 convolution over a
/// [1, 1, batch, K] image with the [units, K] weights as its filter, so each output is the reference's chain
/// acc = fma(x[b, k], w[u, k], acc) for k = 0 … K−1 from +0, then + bias (optional), then the clamp.
/// keep_num_dims only changes the output's shape, not its memory.
/// </summary>
internal sealed class FullyConnectedOp : IVulkanOp
{
    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.FullyConnected.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.RequiresExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (ConvChecks.Subgroups(node, device) is { } subgroups) return NodeSupport.Refuse(subgroups);
        if (Plan(node, out _, out var packing) is { } refusal) return NodeSupport.Refuse(refusal);
        return packing.Refusal("FULLY_CONNECTED", device) is { } size ? NodeSupport.Refuse(size) : NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Plan(node, out var geometry, out var packing);
        ConvDispatch.Record(builder, node.Inputs[0]!, packing.PackedFilter(builder, node.Inputs[1]!), ConvChecks.Bias(node),
            node.Outputs[0], geometry, packing);
    }

    /// <summary>The reference's Prepare checks, then the equivalent 1x1 convolution; null when supported, else the refusal.</summary>
    private static string? Plan(DelegateNode node, out ConvDispatch.Geometry geometry, out ConvPacking packing)
    {
        geometry = default;
        packing = default;
        if (VulkanOpChecks.Arity(node, 2, 3, 1) is { } arity) return arity;
        if (node.Options is not FullyConnectedOptions options) return "FULLY_CONNECTED without FullyConnectedOptions";
        if (options.WeightsFormat != 0) return $"FULLY_CONNECTED: weights_format {options.WeightsFormat} is not supported (only DEFAULT)";
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        if (weights.Rank != 2) return $"FULLY_CONNECTED: weights must have rank 2, have {weights.Rank}";
        if (input.Rank < 1) return "FULLY_CONNECTED: the input is a scalar";
        int units = weights.Dim(0), depth = weights.Dim(1);
        if (ConvChecks.TensorsAndBias(node, units) is { } tensors) return tensors;
        if (depth <= 0 || input.ElementCount % depth != 0)
            return $"FULLY_CONNECTED: {input.ElementCount} input elements are not rows of the weights' depth {depth}";
        if (ConvChecks.Activation(node, options.FusedActivation, out float lo, out float hi) is { } activation) return activation;
        long batch = input.ElementCount / depth;
        if (batch > int.MaxValue) return "FULLY_CONNECTED: too many input rows";
        int[] shape;
        if (options.KeepNumDims)
        {
            if (input.Dim(input.Rank - 1) != depth) return "FULLY_CONNECTED: keep_num_dims needs the input's last dimension to be the weights' depth";
            shape = input.Shape.ToArray();
            shape[^1] = units;
        }
        else
        {
            shape = [(int)batch, units];
        }
        if (ConvChecks.OutputShape(node, shape) is { } outputShape) return outputShape;
        geometry = new ConvDispatch.Geometry(1, 1, (int)batch, depth, 1, (int)batch, 1, 1, 1, 1, 1, 1, 0, 0, lo, hi);
        if (geometry.Refusal("FULLY_CONNECTED") is { } size) return size;
        packing = new ConvPacking(units, 1, depth, 1);
        return null;
    }
}
