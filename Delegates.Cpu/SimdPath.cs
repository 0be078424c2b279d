using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu;

/// <summary>Which vector width the kernels use, chosen once from what the runtime reports as accelerated.</summary>
internal static class SimdPath
{
    public static bool Use512 => Vector512.IsHardwareAccelerated;
    public static bool Use256 => Vector256.IsHardwareAccelerated;
    public static bool Use128 => Vector128.IsHardwareAccelerated;

    public static string Describe() =>
        Use512 ? "Vector512 (AVX-512)" : Use256 ? "Vector256 (AVX2)" : Use128 ? "Vector128" : "scalar";
}
