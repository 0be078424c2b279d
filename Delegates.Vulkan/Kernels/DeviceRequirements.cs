namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>Device features several kernels need, as refusals (Supports time only).</summary>
internal static class DeviceRequirements
{
    /// <summary>Null when the device's accelFma is exact; otherwise the refusal for an op whose reference uses fma.</summary>
    public static string? ExactFma(DelegateNode node, VulkanDeviceInfo device) =>
        device.FmaExact ? null : $"{node.Code.Name} needs a single-rounding fma, which this Vulkan device does not provide ({device.FmaProblem})";

    /// <summary>
    /// Null when compute shaders have subgroupBroadcast in subgroups of at least 8 invocations, which
    /// Shaders/conv_block.glsl uses to share weight loads; otherwise the refusal.
    /// </summary>
    public static string? SubgroupBroadcast(DelegateNode node, VulkanDeviceInfo device) =>
        device.Limits.SubgroupBallotInCompute && device.Limits.SubgroupSize >= 8 ? null
            : $"{node.Code.Name} needs subgroup ballot operations in compute shaders with subgroups of at least 8 invocations " +
              $"(this device: size {device.Limits.SubgroupSize}, ballot {(device.Limits.SubgroupBallotInCompute ? "yes" : "no")})";

    /// <summary>The first refusal of <paramref name="refusals"/> (null entries pass), or <see cref="NodeSupport.Supported"/>.</summary>
    public static NodeSupport FirstRefusal(params ReadOnlySpan<string?> refusals)
    {
        foreach (string? refusal in refusals)
            if (refusal is not null) return NodeSupport.Refuse(refusal);
        return NodeSupport.Supported;
    }
}
