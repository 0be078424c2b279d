using System.Runtime.CompilerServices;

namespace Accel.Numerics;

/// <summary>
/// Accel's own deterministic float32 math (docs/numerics.md §SpecMath). Every function is a fixed sequence of
/// IEEE-754 binary32 operations (round-to-nearest-even), each one rounded exactly once, with fused multiply-adds only
/// where written (<see cref="ISpecArithmetic.FusedMultiplyAdd"/>: .NET's <see cref="MathF.FusedMultiplyAdd"/> on the
/// host), so any backend that performs the same sequence reproduces the same bits. No library transcendental (MathF.Exp, MathF.Log …) is used: their results vary by platform.
/// </summary>
public static partial class SpecMath
{
    // Range reduction e^x = 2^n · e^r, n = round(x · log2 e), r = x − n · ln2 (Cody–Waite, ln2 split in two floats).
    private const float Log2E = 1.442695f;             // 0x3FB8AA3B, the float nearest log2(e)
    private const float Ln2Hi = 0.693145751953125f;    // 0x3F317200, 9 trailing zero bits: n · Ln2Hi is exact for |n| < 512
    private const float Ln2Lo = 1.4286068E-06f;        // 0x35BFBE8E, the float nearest ln2 − Ln2Hi

    // Taylor coefficients of e^r (the floats nearest 1/k!), degree 7; on |r| ≤ ln2/2 the truncation error is < 2^-27.
    private const float ExpC2 = 0.5f;                  // 0x3F000000
    private const float ExpC3 = 0.16666667f;           // 0x3E2AAAAB
    private const float ExpC4 = 0.041666668f;          // 0x3D2AAAAB
    private const float ExpC5 = 0.008333334f;          // 0x3C088889
    private const float ExpC6 = 0.0013888889f;         // 0x3AB60B61
    private const float ExpC7 = 0.0001984127f;         // 0x39500D01

    /// <summary>Largest x whose e^x is finite in binary32 (0x42B17217); above it Exp returns +∞.</summary>
    public const float ExpOverflowThreshold = 88.72283f;

    /// <summary>Below this (0xC2D00000) e^x is below half the smallest subnormal, so Exp returns +0.</summary>
    public const float ExpUnderflowThreshold = -104f;

    /// <summary>Below this (0xC2AE0000) Logistic returns Exp(x): 1 + e^-x would exceed the reciprocal's range.</summary>
    public const float LogisticLowerThreshold = -87f;

    // Reciprocal on [1, 2]: linear start 24/17 − (8/17)·d (relative error ≤ 1/17), then four Newton steps.
    private const float RecipStartOffset = 1.4117647f; // 0x3FB4B4B5, the float nearest 24/17
    private const float RecipStartSlope = 0.47058824f; // 0x3EF0F0F1, the float nearest 8/17

    /// <summary>The float nearest 1/6 (0x3E2AAAAB), HARD_SWISH's final scale.</summary>
    public const float OneSixth = 0.16666667f;

    /// <summary>
    /// e^x in binary32, within 0.94 ulp of the exact value over the whole domain (measured exhaustively), with
    /// gradual underflow. NaN → NaN, +∞ → +∞, −∞ → +0, ±0 → 1. Algorithm (docs/numerics.md §Exp):
    /// n = roundToEven(x · log2e); r = fma(−n, ln2Hi, x) (exact); r = fma(−n, ln2Lo, r);
    /// p = Horner in FMA over c7..c0 (1/k!); result = p · 2^n, the scaling split in two so only the last product rounds.
    /// </summary>
    public static float Exp(float x) => Exp<HostSpecArithmetic>(x);

    /// <summary>
    /// <see cref="Exp(float)"/> with its fused multiply-adds and its round-to-even supplied by
    /// <typeparamref name="TArithmetic"/>: the one copy of the sequence, shared with device backends whose compilers
    /// need their own FMA/rounding instruction (ILGPU's PTX). Same bits whenever TArithmetic is an exact fma and
    /// roundEven.
    /// </summary>
    public static float Exp<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x > ExpOverflowThreshold) return float.PositiveInfinity;
        if (x < ExpUnderflowThreshold) return 0f;

        var a = default(TArithmetic);
        float n = a.RoundToEven(x * Log2E); // n in [-150, 128]
        float r = a.FusedMultiplyAdd(-n, Ln2Hi, x);
        r = a.FusedMultiplyAdd(-n, Ln2Lo, r);

        float p = ExpC7;
        p = a.FusedMultiplyAdd(p, r, ExpC6);
        p = a.FusedMultiplyAdd(p, r, ExpC5);
        p = a.FusedMultiplyAdd(p, r, ExpC4);
        p = a.FusedMultiplyAdd(p, r, ExpC3);
        p = a.FusedMultiplyAdd(p, r, ExpC2);
        p = a.FusedMultiplyAdd(p, r, 1f);
        p = a.FusedMultiplyAdd(p, r, 1f);

        int k = (int)n;
        // 2^128 is not a float: scale by 2 first (exact), then by 2^127.
        if (k > 127) return p * 2f * PowerOfTwo(127);
        // Results below 2^-126 are subnormal: an exact scale into the normal range, then one rounding multiply.
        if (k < -126) return p * PowerOfTwo(k + 64) * PowerOfTwo(-64);
        return p * PowerOfTwo(k);
    }

    /// <summary>
    /// 1/d for d in [1, 2]: y = fma(−8/17, d, 24/17), then four times e = fma(−d, y, 1); y = fma(y, e, y).
    /// Correctly rounded for every d in [1, 2] except d = 0x3FFFFFFF (returns 0x3F000000; exact 1/d lies just above
    /// the midpoint). Outside [1, 2] the result is unspecified.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reciprocal1To2(float d) => Reciprocal1To2<HostSpecArithmetic>(d);

    /// <summary><see cref="Reciprocal1To2(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reciprocal1To2<TArithmetic>(float d) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float y = a.FusedMultiplyAdd(-RecipStartSlope, d, RecipStartOffset);
        float e = a.FusedMultiplyAdd(-d, y, 1f);
        y = a.FusedMultiplyAdd(y, e, y);
        e = a.FusedMultiplyAdd(-d, y, 1f);
        y = a.FusedMultiplyAdd(y, e, y);
        e = a.FusedMultiplyAdd(-d, y, 1f);
        y = a.FusedMultiplyAdd(y, e, y);
        e = a.FusedMultiplyAdd(-d, y, 1f);
        y = a.FusedMultiplyAdd(y, e, y);
        return y;
    }

    /// <summary>
    /// 1/d for d in [1, 2^126): d = m · 2^k with m in [1, 2) taken from the bits, result = Reciprocal1To2(m) · 2^-k
    /// (the scaling is exact). Outside that range the result is unspecified.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReciprocalAtLeastOne(float d) => ReciprocalAtLeastOne<HostSpecArithmetic>(d);

    /// <summary><see cref="ReciprocalAtLeastOne(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReciprocalAtLeastOne<TArithmetic>(float d) where TArithmetic : struct, ISpecArithmetic
    {
        int bits = BitConverter.SingleToInt32Bits(d);
        int k = (bits >> 23) - 127;
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F800000);
        return Reciprocal1To2<TArithmetic>(m) * PowerOfTwo(-k);
    }

    /// <summary>
    /// The logistic function 1/(1 + e^-x): NaN → NaN; x &lt; −87 → Exp(x) (there 1 + e^x rounds to 1 and the exact
    /// value equals e^x far below an ulp); otherwise ReciprocalAtLeastOne(1 + Exp(−x)).
    /// Within 2.5 ulp of the exact value for every float input; non-decreasing on x &lt; 0 (docs/numerics.md §LOGISTIC).
    /// </summary>
    public static float Logistic(float x) => Logistic<HostSpecArithmetic>(x);

    /// <summary><see cref="Logistic(float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Logistic<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x < LogisticLowerThreshold) return Exp<TArithmetic>(x);
        return ReciprocalAtLeastOne<TArithmetic>(1f + Exp<TArithmetic>(-x));
    }

    /// <summary>
    /// The multiplier SOFTMAX scales every e_i by: 1/sum for a row's sum of exponentials (docs/numerics.md §SOFTMAX).
    /// The sum is at least 1 (the row's maximum contributes Exp(0) = 1), so ReciprocalAtLeastOne applies below 2^126;
    /// a sum ≥ 2^126 (+∞ included; possible only with beta &lt; 0) gives +0 and NaN gives NaN.
    /// </summary>
    public static float SoftmaxMultiplier(float sum) => SoftmaxMultiplier<HostSpecArithmetic>(sum);

    /// <summary><see cref="SoftmaxMultiplier(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float SoftmaxMultiplier<TArithmetic>(float sum) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(sum)) return sum;
        if (sum >= SoftmaxSumLimit) return 0f;
        return ReciprocalAtLeastOne<TArithmetic>(sum);
    }

    /// <summary>2^126 (0x7E800000): ReciprocalAtLeastOne's range ends below it; a SOFTMAX sum at or above it (only with beta &lt; 0) gets multiplier +0.</summary>
    public const float SoftmaxSumLimit = 8.507059E+37f;

    /// <summary>
    /// HARD_SWISH: t = x + 3; r = clamp(t, 0, 6) (NaN-propagating); result = (x · r) · RN(1/6). Two rounded multiplies
    /// in that order; TFLite divides by 6 instead, which differs by at most 1 ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HardSwish(float x)
    {
        float t = x + 3f;
        float r = t < 0f ? 0f : (t > 6f ? 6f : t);
        return x * r * OneSixth;
    }

    /// <summary>
    /// R(n) = the binary32 value nearest 1/n, the host-computed reciprocal that AVERAGE_POOL_2D and MEAN multiply by.
    /// n must be in [1, 2^24] so that n converts to float exactly and the single division is correctly rounded.
    /// </summary>
    public static float ReciprocalOfCount(int n)
    {
        if (n < 1 || n > MaxExactCount)
            throw new ArgumentOutOfRangeException(nameof(n), n, $"count must be in [1, {MaxExactCount}]");
        return 1f / n;
    }

    /// <summary>The largest element count <see cref="ReciprocalOfCount"/> accepts (2^24).</summary>
    public const int MaxExactCount = 1 << 24;

    /// <summary>2^k for k in [-126, 127], built from the exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float PowerOfTwo(int k) => BitConverter.Int32BitsToSingle((k + 127) << 23);
}

/// <summary>
/// The two primitive operations of SpecMath's sequences that a device compiler may not lower to the exact
/// instruction: a fused multiply-add rounded once, and round-to-nearest-even to an integral float. SpecMath's
/// generic overloads take an implementation as a type argument (a struct, so each instantiation compiles only its own
/// code); <see cref="HostSpecArithmetic"/> is .NET's.
/// </summary>
public interface ISpecArithmetic
{
    /// <summary>a · b + c rounded once to nearest-even.</summary>
    float FusedMultiplyAdd(float a, float b, float c);

    /// <summary>x rounded to the nearest integral float, ties to even.</summary>
    float RoundToEven(float x);
}

/// <summary>.NET's own operations: <see cref="MathF.FusedMultiplyAdd"/> and <see cref="MathF.Round(float, MidpointRounding)"/>.</summary>
public readonly struct HostSpecArithmetic : ISpecArithmetic
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float FusedMultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float RoundToEven(float x) => MathF.Round(x, MidpointRounding.ToEven);
}
