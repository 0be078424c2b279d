namespace Accel.Numerics;

public static partial class SpecMath
{
    // e^r − 1 on |r| ≤ ln2/2 as r + r²·p(r), p the Taylor polynomial of (e^r − 1 − r)/r² to degree 6 (coefficients
    // 1/k!, k = 2..8, the floats nearest them; ExpC2..ExpC7 are shared with Exp); truncation error < 2^-30 relative.
    private const float Expm1C8 = 2.4801588E-05f;     // 0x37D00D01, the float nearest 1/8!

    /// <summary>Below this magnitude (2^-25, 0x33000000) Expm1 returns x itself: x + x²/2 rounds to x.</summary>
    public const float Expm1TinyLimit = 2.9802322E-08f;

    /// <summary>
    /// Above this magnitude (16.5, 0x41840000) Expm1 is Exp(x) − 1: there |n| would exceed 24, where 2^n − 1 is no
    /// longer exact, and the subtraction of 1 changes Exp(x) by at most one rounding.
    /// </summary>
    public const float Expm1ExpLimit = 16.5f;

    /// <summary>
    /// e^x − 1 in binary32 without the cancellation of Exp(x) − 1 near 0 (TFLite's ELU uses std::expm1). NaN → NaN,
    /// ±0 → ±0, +∞ → +∞, −∞ → −1. Within 1.28 ulp of the exact value (Runtime.Core.Tests, ActivationSpecMathTests). Algorithm
    /// (docs/numerics.md §Expm1): |x| &lt; 2^-25 → x; |x| &gt; 16.5 → Exp(x) − 1; otherwise n = roundToEven(x · log2e),
    /// r = x − n·ln2 (two FMAs, as Exp), q = fma(p(r), r·r, r); n = 0 → q, else fma(2^n, q, 2^n − 1).
    /// </summary>
    public static float Expm1(float x) => Expm1<HostSpecArithmetic>(x);

    /// <summary><see cref="Expm1(float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Expm1<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x > -Expm1TinyLimit && x < Expm1TinyLimit) return x;
        // Exp's last product is exact unless its result is subnormal, where −1 absorbs it: no contraction can differ.
        if (x > Expm1ExpLimit || x < -Expm1ExpLimit) return Exp<TArithmetic>(x) - 1f;

        var a = default(TArithmetic);
        float n = a.RoundToEven(x * Log2E); // n in [-24, 24]
        float r = a.FusedMultiplyAdd(-n, Ln2Hi, x);
        r = a.FusedMultiplyAdd(-n, Ln2Lo, r);

        float p = Expm1C8;
        p = a.FusedMultiplyAdd(p, r, ExpC7);
        p = a.FusedMultiplyAdd(p, r, ExpC6);
        p = a.FusedMultiplyAdd(p, r, ExpC5);
        p = a.FusedMultiplyAdd(p, r, ExpC4);
        p = a.FusedMultiplyAdd(p, r, ExpC3);
        p = a.FusedMultiplyAdd(p, r, ExpC2);
        float q = a.FusedMultiplyAdd(p, r * r, r); // e^r − 1

        if (n == 0f) return q;
        float s = PowerOfTwo((int)n);
        // e^x − 1 = 2^n·(1 + q) − 1 = 2^n·q + (2^n − 1), where 2^n − 1 is exact for |n| ≤ 24: one rounding.
        return a.FusedMultiplyAdd(s, q, s - 1f);
    }
}
