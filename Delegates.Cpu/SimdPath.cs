using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu;

/// <summary>
/// Which vector width the kernels use: the widest the runtime reports as hardware-accelerated, unless the test hook
/// <see cref="KernelWidthSwitch"/> forces one.
/// </summary>
/// <remarks>
/// What is accelerated follows the .NET 10 runtime's ISA switches (environment variables, read at process start):
/// <c>DOTNET_EnableAVX512=0</c> turns off AVX-512 (F+BW+CD+DQ+VL, and with it AVX10), leaving Vector256 on AVX2;
/// <c>DOTNET_EnableAVX2=0</c> or <c>DOTNET_EnableAVX=0</c> leaves Vector128; <c>DOTNET_EnableHWIntrinsic=0</c> leaves
/// the scalar path; <c>DOTNET_PreferredVectorBitWidth=256</c> (or 128) only lowers the accelerated vector width while
/// the instructions stay enabled, and <c>=512</c> enables Vector512 on CPUs where .NET would otherwise avoid it. The
/// per-subset AVX-512 switches of earlier .NET versions (<c>DOTNET_EnableAVX512F=0</c> and the like) no longer have
/// any effect in .NET 10.
/// </remarks>
internal static class SimdPath
{
    /// <summary>
    /// Test hook, an <see cref="AppContext"/> switch (runtimeconfig property or <see cref="AppContext.SetData"/> before
    /// the first CPU kernel is compiled): <c>scalar</c> (or <c>1</c>), <c>128</c>, <c>256</c> or <c>512</c> makes
    /// every CPU kernel use that width, even one the hardware does not accelerate (.NET then emulates it, slowly but
    /// with the same per-lane results), so e.g. the Vector512 instantiations can be checked on a machine without
    /// AVX-512. Read once per process, like the runtime's own ISA switches it stands beside: the width is chosen in
    /// every compiled node's constructor, so a process-wide switch, not a per-delegate option. The library reads no
    /// environment variable; the applications map <see cref="OverrideVariable"/> onto this switch at their edge.
    /// </summary>
    public const string KernelWidthSwitch = "Accel.Delegates.Cpu.KernelWidth";

    /// <summary>The environment variable the applications (accel, the ISA runner) copy into <see cref="KernelWidthSwitch"/>.</summary>
    public const string OverrideVariable = "ACCEL_CPU_SIMD";

    public static bool Use512 => Vector512.IsHardwareAccelerated;
    public static bool Use256 => Vector256.IsHardwareAccelerated;
    public static bool Use128 => Vector128.IsHardwareAccelerated;

    /// <summary>The lanes (1, 4, 8 or 16 floats) <see cref="KernelWidthSwitch"/> forces, or null when it is unset or not one of its values.</summary>
    public static readonly int? ForcedLanes = ParseLanes(AppContext.GetData(KernelWidthSwitch) as string);

    // Explicit: no beforefieldinit, so the switch is read at the first use of SimdPath, never earlier (an application
    // sets it first thing in Main).
    static SimdPath() { }

    /// <summary>The lanes a <see cref="KernelWidthSwitch"/> value names, or null for anything else.</summary>
    public static int? ParseLanes(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "scalar" or "1" => 1,
        "128" => 4,
        "256" => 8,
        "512" => 16,
        _ => null,
    };

    /// <summary>Lanes of the widest accelerated vector (1 on the scalar path).</summary>
    public static int AcceleratedLanes => Use512 ? 16 : Use256 ? 8 : Use128 ? 4 : 1;

    /// <summary>The hardware path, plus the forced kernel width when <see cref="KernelWidthSwitch"/> is set.</summary>
    public static string Describe()
    {
        string hardware = Use512 ? "Vector512 (AVX-512)" : Use256 ? "Vector256 (AVX2)" : Use128 ? "Vector128" : "scalar";
        return ForcedLanes is { } lanes ? $"{hardware}; kernels forced to {DescribeLanes(lanes)} by {KernelWidthSwitch}" : hardware;
    }

    public static string DescribeLanes(int lanes) => lanes switch
    {
        16 => "Vector512",
        8 => "Vector256",
        4 => "Vector128",
        _ => "scalar",
    };
}
