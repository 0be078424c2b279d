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
    /// <summary>
    /// Test hook: <c>ACCEL_CPU_SIMD</c> = <c>scalar</c>, <c>128</c>, <c>256</c> or <c>512</c> forces a width, even one
    /// the hardware does not accelerate (.NET then emulates it, slowly but with the same per-lane results), so the
    /// Vector512 instantiations can be checked on a machine without AVX-512. Read once per process.
    /// </summary>
    public const string OverrideVariable = "ACCEL_CPU_SIMD";

    private static readonly SimdWidth? Forced = Parse(Environment.GetEnvironmentVariable(OverrideVariable));

    /// <summary>The widest accelerated width (SimdPath), unless <see cref="OverrideVariable"/> forces one.</summary>
    public static SimdWidth Current => Forced ?? Detected;

    public static SimdWidth Detected =>
        SimdPath.Use512 ? SimdWidth.W512 : SimdPath.Use256 ? SimdWidth.W256 : SimdPath.Use128 ? SimdWidth.W128 : SimdWidth.Scalar;

    public static string Describe(SimdWidth width) => width switch
    {
        SimdWidth.W512 => "Vector512",
        SimdWidth.W256 => "Vector256",
        SimdWidth.W128 => "Vector128",
        _ => "scalar",
    };

    private static SimdWidth? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "scalar" or "1" => SimdWidth.Scalar,
        "128" => SimdWidth.W128,
        "256" => SimdWidth.W256,
        "512" => SimdWidth.W512,
        _ => null,
    };
}
