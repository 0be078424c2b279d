namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// The checks the reference's convolution-family Prepare methods share (ConvCommon), as refusals: float32 tensors,
/// dense weights, a [Cout] bias, a clamp activation, and the exact fma every one of these chains needs.
/// </summary>
internal static class ConvChecks
{
    /// <summary>Null when input, weights, optional bias and output are float32, the weights and bias dense, the bias [<paramref name="outputChannels"/>].</summary>
    public static string? TensorsAndBias(DelegateNode node, int outputChannels)
    {
        var bias = Bias(node);
        if (VulkanOpChecks.Float32(node, node.Inputs[0], node.Inputs[1], bias, node.Outputs[0]) is { } dtype) return dtype;
        if (node.Inputs[1]!.Sparsity is not null) return $"{node.Code.Name}: weights '{node.Inputs[1]!.Name}' are sparse (they need a DENSIFY first)";
        if (bias is null) return null;
        if (bias.Sparsity is not null) return $"{node.Code.Name}: bias '{bias.Name}' is sparse";
        if (bias.Rank != 1 || bias.Dim(0) != outputChannels)
            return $"{node.Code.Name}: bias '{bias.Name}' must have shape [{outputChannels}], has [{string.Join(",", bias.Shape.ToArray())}]";
        return null;
    }

    /// <summary>
    /// Null when compute shaders have subgroupBroadcast in subgroups of at least 8 invocations, which
    /// Shaders/conv_block.glsl uses to share weight loads; otherwise the refusal.
    /// </summary>
    public static string? Subgroups(DelegateNode node, VulkanDeviceInfo device) =>
        device.Limits.SubgroupBallotInCompute && device.Limits.SubgroupSize >= 8 ? null
            : $"{node.Code.Name} needs subgroup ballot operations in compute shaders with subgroups of at least 8 invocations " +
              $"(this device: size {device.Limits.SubgroupSize}, ballot {(device.Limits.SubgroupBallotInCompute ? "yes" : "no")})";

    /// <summary>The optional bias (input 2), null when absent or omitted.</summary>
    public static Tensor? Bias(DelegateNode node) => node.Inputs.Count > 2 ? node.Inputs[2] : null;

    /// <summary>Null when <paramref name="activation"/> is a clamp (its bounds out); otherwise the refusal.</summary>
    public static string? Activation(DelegateNode node, ActivationFunctionType activation, out float lo, out float hi) =>
        VulkanOpChecks.TryClamp(activation, out lo, out hi) ? null : $"{node.Code.Name}: fused activation {activation} is not supported (only clamps)";

    /// <summary>Null when the output tensor has exactly <paramref name="shape"/>.</summary>
    public static string? OutputShape(DelegateNode node, ReadOnlySpan<int> shape)
    {
        var output = node.Outputs[0];
        return output.Shape.SequenceEqual(shape) ? null
            : $"{node.Code.Name}: output shape [{string.Join(",", output.Shape.ToArray())}] differs from the computed [{string.Join(",", shape.ToArray())}]";
    }
}
