namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>The vector width a compiled kernel runs with; every width produces the same bits.</summary>
internal enum SimdWidth
{
    Scalar = 1,
    W128 = 4,
    W256 = 8,
    W512 = 16,
}

/// <summary>Chooses the width for a kernel at compile time.</summary>
internal static class SimdWidths
{
    /// <summary>The widest accelerated width (SimdPath), unless SimdPath.OverrideVariable (ACCEL_CPU_SIMD) forces one.</summary>
    public static SimdWidth Current => (SimdWidth)(SimdPath.ForcedLanes ?? SimdPath.AcceleratedLanes);

    public static string Describe(SimdWidth width) => width switch
    {
        SimdWidth.W512 => "Vector512",
        SimdWidth.W256 => "Vector256",
        SimdWidth.W128 => "Vector128",
        _ => "scalar",
    };
}
