namespace Accel.Delegates.OpenCL;

/// <summary>The kind of OpenCL device (CL_DEVICE_TYPE).</summary>
public enum OpenClDeviceType
{
    Gpu,
    Accelerator,
    /// <summary>A CPU implementation such as PoCL.</summary>
    Cpu,
    Other,
}

/// <summary>
/// A device an OpenCL platform lists: its position in the enumeration (platforms in ICD order, then each platform's
/// devices), platform, name, type, versions.
/// </summary>
public sealed record OpenClDeviceDescription(int Index, string Platform, string Name, OpenClDeviceType Type, string Version,
    string DriverVersion, string OpenClCVersion)
{
    public override string ToString() => $"{Index}: {Name} [{Type}, {Version}, driver {DriverVersion}, {OpenClCVersion}; platform {Platform}]";
}

/// <summary>
/// Which device to use. Every set criterion must match; with none set, the first GPU is taken, else the first
/// accelerator, else a CPU implementation (PoCL), else any other.
/// </summary>
/// <param name="NameContains">Case-insensitive substring of the device name (or of its platform's name).</param>
/// <param name="Index">Position in the enumeration (all platforms' devices, in order).</param>
/// <param name="Type">Device type.</param>
public sealed record OpenClDeviceSelection(string? NameContains = null, int? Index = null, OpenClDeviceType? Type = null)
{
    public bool IsDefault => NameContains is null && Index is null && Type is null;

    public bool Matches(OpenClDeviceDescription device) =>
        (NameContains is null || device.Name.Contains(NameContains, StringComparison.OrdinalIgnoreCase)
                              || device.Platform.Contains(NameContains, StringComparison.OrdinalIgnoreCase))
        && (Index is null || device.Index == Index)
        && (Type is null || device.Type == Type);

    /// <summary>Picks from the enumerated devices; null when none matches.</summary>
    public OpenClDeviceDescription? Choose(IReadOnlyList<OpenClDeviceDescription> devices)
    {
        if (!IsDefault) return devices.FirstOrDefault(Matches);
        foreach (var preferred in new[] { OpenClDeviceType.Gpu, OpenClDeviceType.Accelerator, OpenClDeviceType.Cpu })
            if (devices.FirstOrDefault(d => d.Type == preferred) is { } device) return device;
        return devices.FirstOrDefault();
    }

    public override string ToString()
    {
        if (IsDefault) return "default (GPU, else accelerator, else CPU)";
        var parts = new List<string>();
        if (NameContains is not null) parts.Add($"name containing '{NameContains}'");
        if (Index is not null) parts.Add($"index {Index}");
        if (Type is not null) parts.Add($"type {Type}");
        return string.Join(", ", parts);
    }
}
