namespace Accel.Delegates.Vulkan;

/// <summary>The kind of Vulkan physical device (VkPhysicalDeviceType).</summary>
public enum VulkanDeviceType
{
    Other = 0,
    IntegratedGpu = 1,
    DiscreteGpu = 2,
    VirtualGpu = 3,
    /// <summary>A CPU implementation such as Mesa's lavapipe (llvmpipe).</summary>
    Cpu = 4,
}

/// <summary>A physical device the Vulkan loader lists: its enumeration index, name, type and API version.</summary>
public sealed record VulkanDeviceDescription(int Index, string Name, VulkanDeviceType Type, Version ApiVersion)
{
    public override string ToString() => $"{Index}: {Name} [{Type}, Vulkan {ApiVersion}]";
}

/// <summary>
/// Which physical device to use. Every set criterion must match; with none set, the first discrete GPU is taken,
/// else the first integrated GPU, else a virtual GPU, else a CPU implementation (lavapipe).
/// </summary>
/// <param name="NameContains">Case-insensitive substring of the device name.</param>
/// <param name="Index">Position in the loader's enumeration (vkEnumeratePhysicalDevices).</param>
/// <param name="Type">Device type.</param>
public sealed record VulkanDeviceSelection(string? NameContains = null, int? Index = null, VulkanDeviceType? Type = null)
{
    public bool IsDefault => NameContains is null && Index is null && Type is null;

    public bool Matches(VulkanDeviceDescription device) =>
        (NameContains is null || device.Name.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
        && (Index is null || device.Index == Index)
        && (Type is null || device.Type == Type);

    /// <summary>Picks from the enumerated devices; null when none matches.</summary>
    public VulkanDeviceDescription? Choose(IReadOnlyList<VulkanDeviceDescription> devices)
    {
        if (!IsDefault) return devices.FirstOrDefault(Matches);
        foreach (var preferred in new[] { VulkanDeviceType.DiscreteGpu, VulkanDeviceType.IntegratedGpu, VulkanDeviceType.VirtualGpu, VulkanDeviceType.Cpu })
            if (devices.FirstOrDefault(d => d.Type == preferred) is { } device) return device;
        return devices.FirstOrDefault();
    }

    public override string ToString()
    {
        if (IsDefault) return "default (discrete, else integrated, else virtual, else CPU)";
        var parts = new List<string>();
        if (NameContains is not null) parts.Add($"name containing '{NameContains}'");
        if (Index is not null) parts.Add($"index {Index}");
        if (Type is not null) parts.Add($"type {Type}");
        return string.Join(", ", parts);
    }
}
