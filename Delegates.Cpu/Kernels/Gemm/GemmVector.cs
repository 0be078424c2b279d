using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// The few per-lane binary32 operations the convolution and matrix-product kernels need, for one vector width.
/// Kernels are written once, generic over an implementing struct, and instantiated for Vector512, Vector256,
/// Vector128 and a one-lane <see cref="float"/>; every width runs the same per-element operation sequence, so all
/// widths give the same bits. <see cref="FusedMultiplyAdd"/> is IEEE fma per lane (≡ MathF.FusedMultiplyAdd).
/// </summary>
internal unsafe interface IGemmVector<TV> where TV : unmanaged
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract TV Load(float* source);
    static abstract void Store(float* destination, TV value);
    static abstract TV Splat(float value);
    static abstract TV Add(TV a, TV b);

    /// <summary>x·w + acc with one rounding per lane.</summary>
    static abstract TV FusedMultiplyAdd(TV x, TV w, TV acc);

    /// <summary>
    /// The fused-activation clamp <c>x &lt; min ? min : (x &gt; max ? max : x)</c> per lane, with ordered compares and a
    /// bitwise select, so NaN and −0 pass through exactly as in the reference (not Min/Max, whose NaN/−0 rules differ).
    /// </summary>
    static abstract TV Clamp(TV x, TV min, TV max);
}

internal readonly unsafe struct GemmScalar : IGemmVector<float>
{
    public static int Count => 1;
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, float value) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Splat(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FusedMultiplyAdd(float x, float w, float acc) => MathF.FusedMultiplyAdd(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Clamp(float x, float min, float max) => x < min ? min : (x > max ? max : x);
}

internal readonly unsafe struct Gemm128 : IGemmVector<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector128<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> x, Vector128<float> w, Vector128<float> acc) => Vector128.FusedMultiplyAdd(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Clamp(Vector128<float> x, Vector128<float> min, Vector128<float> max) =>
        Vector128.ConditionalSelect(Vector128.LessThan(x, min), min, Vector128.ConditionalSelect(Vector128.GreaterThan(x, max), max, x));
}

internal readonly unsafe struct Gemm256 : IGemmVector<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector256<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> x, Vector256<float> w, Vector256<float> acc) => Vector256.FusedMultiplyAdd(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp(Vector256<float> x, Vector256<float> min, Vector256<float> max) =>
        Vector256.ConditionalSelect(Vector256.LessThan(x, min), min, Vector256.ConditionalSelect(Vector256.GreaterThan(x, max), max, x));
}

internal readonly unsafe struct Gemm512 : IGemmVector<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector512<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> x, Vector512<float> w, Vector512<float> acc) => Vector512.FusedMultiplyAdd(x, w, acc);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Clamp(Vector512<float> x, Vector512<float> min, Vector512<float> max) =>
        Vector512.ConditionalSelect(Vector512.LessThan(x, min), min, Vector512.ConditionalSelect(Vector512.GreaterThan(x, max), max, x));
}

/// <summary>Lanes per vector of the width a kernel is compiled for.</summary>
internal enum GemmWidth
{
    Scalar = 1,
    W128 = 4,
    W256 = 8,
    W512 = 16,
}

/// <summary>Picks the vector width of a convolution-family kernel at compile time.</summary>
internal static class GemmWidths
{
    /// <summary>
    /// The widest width this process uses: the widest accelerated one, or the one SimdPath.OverrideVariable
    /// (ACCEL_CPU_SIMD, shared with the other CPU kernels) forces, even above what the hardware accelerates.
    /// </summary>
    public static GemmWidth Widest => (GemmWidth)(SimdPath.ForcedLanes ?? SimdPath.AcceleratedLanes);

    /// <summary>
    /// The width for a kernel vectorized across <paramref name="channels"/> (CONV_2D, DEPTHWISE_CONV_2D,
    /// FULLY_CONNECTED, TRANSPOSE_CONV): no wider than the channel count (the kernels' last vector overlaps the one
    /// before instead of reading or writing past the tensor), and among those the cheapest for ⌈channels / V⌉ vector
    /// operations, the wider on a tie. A 128-bit operation costs what a 256-bit one does; a 512-bit one counts as one
    /// where the CPU executes 512-bit FMAs at full width (<see cref="FullWidth512"/>), so there e.g. 56 channels run as
    /// four Vector512 (the last overlapping) rather than seven Vector256, and as two elsewhere (Zen 4 executes it as two
    /// halves: 24 channels run as three AVX2 vectors rather than two AVX-512 ones). Fewer than 4 channels run the
    /// one-lane path. The width never changes an output's bits.
    /// </summary>
    public static GemmWidth ForMatrixProduct(int channels) => Cheapest(channels, FullWidth512 ? 1 : 2, Widest);

    /// <summary>
    /// True on CPUs known to run a 512-bit FMA at the throughput of a 256-bit one: AMD family 1Ah (Zen 5), whose
    /// server and desktop cores have 512-bit FMA pipes (measured here: 232 GFLOP/s with Vector512 against 116 with
    /// Vector256 on one core). False elsewhere, conservatively: Zen 4 (family 19h) splits a 512-bit operation into
    /// two halves, and Intel cores differ by model in the number of 512-bit FMA units.
    /// </summary>
    public static readonly bool FullWidth512 = DetectFullWidth512();

    private static bool DetectFullWidth512()
    {
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = System.Runtime.Intrinsics.X86.X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163; // "AuthenticAMD"
        if (!amd) return false;
        int eax = System.Runtime.Intrinsics.X86.X86Base.CpuId(1, 0).Eax;
        int family = (eax >> 8) & 0xF;
        if (family == 0xF) family += (eax >> 20) & 0xFF;
        return family >= 0x1A;
    }

    /// <summary>
    /// The width no wider than <paramref name="widest"/> and the channel count with the fewest ⌈channels / V⌉ vector
    /// operations, a 512-bit one costing <paramref name="cost512"/>, the wider on a tie.
    /// </summary>
    internal static GemmWidth Cheapest(int channels, int cost512, GemmWidth widest)
    {
        var best = GemmWidth.Scalar;
        long bestCost = long.MaxValue;
        for (var width = widest; width > GemmWidth.Scalar; width = Narrower(width))
        {
            int lanes = (int)width;
            if (lanes > channels) continue;
            long cost = (long)(channels + lanes - 1) / lanes * (width == GemmWidth.W512 ? cost512 : 1);
            if (cost < bestCost)
            {
                best = width;
                bestCost = cost;
            }
        }
        return best;
    }

    private static GemmWidth Narrower(GemmWidth width) => width switch
    {
        GemmWidth.W512 => GemmWidth.W256,
        GemmWidth.W256 => GemmWidth.W128,
        _ => GemmWidth.Scalar,
    };
}
