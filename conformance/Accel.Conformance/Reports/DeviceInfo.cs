using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ArmIntrinsics = System.Runtime.Intrinsics.Arm;
using X86 = System.Runtime.Intrinsics.X86;

namespace Accel.Conformance.Reports;

/// <summary>A GPU seen by the operating system, with its driver where known.</summary>
public sealed record GpuInfo(string Name, string? Driver);

/// <summary>
/// The machine a report was made on: what a device farm needs to certify "this device + this backend".
/// CPU model and GPUs are read from the OS (Linux /proc and /sys; PROCESSOR_IDENTIFIER on Windows; sysctl values are
/// not read on macOS); ISA extensions are what .NET reports as hardware-supported in this process (so
/// <c>DOTNET_EnableAVX2=0</c> shows).
/// </summary>
public sealed record DeviceInfo(
    string HostName,
    string Os,
    string OsArchitecture,
    string ProcessArchitecture,
    string CpuModel,
    int LogicalCores,
    IReadOnlyList<string> IsaExtensions,
    string VectorWidth,
    string Runtime,
    string RuntimeIdentifier,
    IReadOnlyList<GpuInfo> Gpus)
{
    public static DeviceInfo Detect() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        CpuModelName(),
        Environment.ProcessorCount,
        IsaExtensionsSupported(),
        Vector512.IsHardwareAccelerated ? "512" : Vector256.IsHardwareAccelerated ? "256" : Vector128.IsHardwareAccelerated ? "128" : "scalar",
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.RuntimeIdentifier,
        DetectGpus());

    public string OneLine() =>
        $"{CpuModel} ({LogicalCores} logical cores; ISA: {(IsaExtensions.Count == 0 ? "none reported" : string.Join(" ", IsaExtensions))}), {Os} {OsArchitecture}, {Runtime}" +
        (Gpus.Count > 0 ? ", GPU: " + string.Join("; ", Gpus.Select(g => g.Driver is null ? g.Name : $"{g.Name} ({g.Driver})")) : "");

    private static string CpuModelName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                {
                    // x86: "model name"; many Arm kernels: "Hardware" or "Model".
                    if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Hardware", StringComparison.Ordinal) ||
                        line.StartsWith("Model", StringComparison.Ordinal))
                    {
                        int colon = line.IndexOf(':');
                        if (colon > 0 && line[(colon + 1)..].Trim() is { Length: > 0 } name) return name;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    }

    private static IReadOnlyList<string> IsaExtensionsSupported()
    {
        var isa = new List<string>();
        void Add(bool supported, string name)
        {
            if (supported) isa.Add(name);
        }
        Add(X86.Sse.IsSupported, "sse");
        Add(X86.Sse2.IsSupported, "sse2");
        Add(X86.Sse3.IsSupported, "sse3");
        Add(X86.Ssse3.IsSupported, "ssse3");
        Add(X86.Sse41.IsSupported, "sse4.1");
        Add(X86.Sse42.IsSupported, "sse4.2");
        Add(X86.Popcnt.IsSupported, "popcnt");
        Add(X86.Avx.IsSupported, "avx");
        Add(X86.Fma.IsSupported, "fma");
        Add(X86.Avx2.IsSupported, "avx2");
        Add(X86.Bmi1.IsSupported, "bmi1");
        Add(X86.Bmi2.IsSupported, "bmi2");
        Add(X86.Lzcnt.IsSupported, "lzcnt");
        Add(X86.AvxVnni.IsSupported, "avx-vnni");
        Add(X86.Avx512F.IsSupported, "avx512f");
        Add(X86.Avx512BW.IsSupported, "avx512bw");
        Add(X86.Avx512CD.IsSupported, "avx512cd");
        Add(X86.Avx512DQ.IsSupported, "avx512dq");
        Add(X86.Avx512Vbmi.IsSupported, "avx512vbmi");
        Add(X86.Avx10v1.IsSupported, "avx10.1");
        Add(ArmIntrinsics.AdvSimd.IsSupported, "neon");
        Add(ArmIntrinsics.AdvSimd.Arm64.IsSupported, "asimd64");
        Add(ArmIntrinsics.Aes.IsSupported, "aes");
        Add(ArmIntrinsics.Crc32.IsSupported, "crc32");
        Add(ArmIntrinsics.Dp.IsSupported, "dotprod");
        Add(ArmIntrinsics.Rdm.IsSupported, "rdm");
        Add(ArmIntrinsics.Sha256.IsSupported, "sha256");
        return isa;
    }

    /// <summary>GPUs from /sys/class/drm (PCI vendor:device and kernel driver) and NVIDIA's driver version file, on Linux.</summary>
    private static IReadOnlyList<GpuInfo> DetectGpus()
    {
        var gpus = new List<GpuInfo>();
        try
        {
            string? nvidiaVersion = File.Exists("/proc/driver/nvidia/version")
                ? File.ReadLines("/proc/driver/nvidia/version").FirstOrDefault()?.Trim()
                : null;
            if (Directory.Exists("/sys/class/drm"))
            {
                foreach (string card in Directory.EnumerateDirectories("/sys/class/drm", "card*").Order(StringComparer.Ordinal))
                {
                    string name = Path.GetFileName(card);
                    if (name.Contains('-')) continue; // connectors such as card0-HDMI-A-1
                    string device = Path.Combine(card, "device");
                    string vendor = ReadTrimmed(Path.Combine(device, "vendor")) ?? "?";
                    string id = ReadTrimmed(Path.Combine(device, "device")) ?? "?";
                    string? driver = null;
                    var driverLink = new FileInfo(Path.Combine(device, "driver"));
                    if (driverLink.LinkTarget is { } target) driver = Path.GetFileName(target);
                    if (driver == "nvidia" && nvidiaVersion is not null) driver = nvidiaVersion;
                    gpus.Add(new GpuInfo($"{name} PCI {vendor}:{id} ({VendorName(vendor)})", driver));
                }
            }
            if (gpus.Count == 0 && nvidiaVersion is not null) gpus.Add(new GpuInfo("NVIDIA GPU", nvidiaVersion));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return gpus;
    }

    private static string VendorName(string pciVendor) => pciVendor switch
    {
        "0x10de" => "NVIDIA",
        "0x1002" => "AMD",
        "0x8086" => "Intel",
        "0x1af4" => "virtio",
        "0x1234" => "QEMU",
        "0x15ad" => "VMware",
        "0x5143" => "Qualcomm",
        "0x13b5" => "Arm",
        _ => "unknown vendor",
    };

    private static string? ReadTrimmed(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : null;
}
