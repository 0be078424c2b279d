namespace Accel.Numerics;

public static partial class SpecMath
{
    // erf(x)/x − 1 = P(x²) on |x| < 1: least-squares fit of degree 7 in u = x² over [0, 1], each coefficient rounded
    // to a float before the next was refitted (absolute error 9.7e-10 with the float coefficients). Fitting
    // erf(x)/x − 1 instead of erf(x)/x keeps the rounding of 2/√π out of the result: erf(x) = fma(x, P, x).
    private const float ErfSmallC7 = -8.5779884E-06f;  // 0xB70FEA2E
    private const float ErfSmallC6 = 0.00010858782f;   // 0x38E3B9A4
    private const float ErfSmallC5 = -0.00084232324f;  // 0xBA5CCF5B
    private const float ErfSmallC4 = 0.0052164062f;    // 0x3BAAEE63
    private const float ErfSmallC3 = -0.026863551f;    // 0xBCDC10F3
    private const float ErfSmallC2 = 0.11283743f;      // 0x3DE7174F
    private const float ErfSmallC1 = -0.37612635f;     // 0xBEC093A2
    private const float ErfSmallC0 = 0.12837917f;      // 0x3E0375D4

    // R(x) = erfc(x)·e^(x²) on [0.5, 2] as a polynomial in s = x − 1.25 (exact there), degree 11 (Chebyshev fit;
    // relative error 4.6e-9 with the float coefficients).
    private const float ErfcMidCenter = 1.25f;
    private const float ErfcMidC11 = -2.0357365E-05f;  // 0xB7AAC51C
    private const float ErfcMidC10 = 6.4074397E-05f;   // 0x38865FAE
    private const float ErfcMidC9 = -0.00016099794f;   // 0xB928D18E
    private const float ErfcMidC8 = 0.00046743575f;    // 0x39F5122A
    private const float ErfcMidC7 = -0.0013263628f;    // 0xBAADD95A
    private const float ErfcMidC6 = 0.0035550427f;     // 0x3B68FBB8
    private const float ErfcMidC5 = -0.009081551f;     // 0xBC14CAC9
    private const float ErfcMidC4 = 0.022011107f;      // 0x3CB450A3
    private const float ErfcMidC3 = -0.050218277f;     // 0xBD4DB1AE
    private const float ErfcMidC2 = 0.10679559f;       // 0x3DDAB7A5
    private const float ErfcMidC1 = -0.20882188f;      // 0xBE55D567
    private const float ErfcMidC0 = 0.36782292f;       // 0x3EBC5349

    // R(x) = t·H(t) with t = 1/x on [2, 10.2): H a polynomial in s = t − 0.3 (0x3E99999A), degree 11 (relative fit
    // error 1.6e-11 over t in [1/10.2, 1/2]).
    private const float ErfcTailCenter = 0.3f;         // 0x3E99999A
    private const float ErfcTailC11 = -0.12306522f;    // 0xBDFC099E
    private const float ErfcTailC10 = -0.96964687f;    // 0xBF783AC7
    private const float ErfcTailC9 = 0.88762397f;      // 0x3F633B53
    private const float ErfcTailC8 = -0.19292827f;     // 0xBE458EFD
    private const float ErfcTailC7 = -0.26659608f;     // 0xBE887F48
    private const float ErfcTailC6 = 0.34155875f;      // 0x3EAEE0CA
    private const float ErfcTailC5 = -0.15844813f;     // 0xBE22403A
    private const float ErfcTailC4 = -0.0815473f;      // 0xBDA70245
    private const float ErfcTailC3 = 0.2080724f;       // 0x3E5510EE
    private const float ErfcTailC2 = -0.13558385f;     // 0xBE0AD67E
    private const float ErfcTailC1 = -0.13460101f;     // 0xBE09D4D9
    private const float ErfcTailC0 = 0.5416332f;       // 0x3F0AA879

    /// <summary>At and above this (10.2, 0x41233333) Erfc returns +0: erfc(x) is below half the smallest subnormal from x ≈ 10.13 on.</summary>
    public const float ErfcUnderflow = 10.2f;

    /// <summary>
    /// The error function in binary32 (docs/numerics.md §Erf): NaN → NaN, ±0 → ±0, ±∞ → ±1, odd by construction.
    /// |x| &lt; 1: fma(x, P(x²), x) (P Horner in FMA); otherwise ±(1 − Erfc(|x|)). Within 1 ulp (Runtime.Core.Tests, ActivationSpecMathTests).
    /// </summary>
    public static float Erf(float x) => Erf<HostSpecArithmetic>(x);

    /// <summary>
    /// <see cref="Erf(float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>. Its plain
    /// products feed plain sums (1 − e·R), so a device compiler that contracts them (PTX without .rn) differs.
    /// </summary>
    public static float Erf<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x > -1f && x < 1f) return ErfSmall<TArithmetic>(x);
        return x < 0f ? -(1f - ErfcAtLeastHalf<TArithmetic>(-x)) : 1f - ErfcAtLeastHalf<TArithmetic>(x);
    }

    /// <summary>
    /// The complementary error function 1 − erf(x) in binary32 (docs/numerics.md §Erf), accurate in relative terms
    /// also where it is tiny (x ≫ 1): NaN → NaN, −∞ → 2, +∞ → +0. (−0.5, 0.5): 1 − Erf(x); x ≤ −0.5: 2 − Erfc(−x);
    /// x ≥ 1: e^(−x²) · R(x) with x² split exactly (h = x·x, l = fma(x, x, −h); e^(−x²) = fma(Exp(−h), −l, Exp(−h)))
    /// and R a fitted polynomial (in x − 1.25 on [0.5, 2], 1/x times a polynomial in 1/x − 0.3 on [2, 10.2)); +0 from
    /// 10.2 on. Within 3.7 ulp where the result is normal (Runtime.Core.Tests, ActivationSpecMathTests).
    /// </summary>
    public static float Erfc(float x) => Erfc<HostSpecArithmetic>(x);

    /// <summary><see cref="Erfc(float)"/> with the FMAs and round-to-even supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Erfc<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x > -0.5f && x < 0.5f) return 1f - ErfSmall<TArithmetic>(x);
        return x < 0f ? 2f - ErfcAtLeastHalf<TArithmetic>(-x) : ErfcAtLeastHalf<TArithmetic>(x);
    }

    /// <summary>erf(x) for |x| &lt; 1: fma(x, P(x²), x); keeps −0 and the subnormals.</summary>
    private static float ErfSmall<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float u = x * x;
        float p = ErfSmallC7;
        p = a.FusedMultiplyAdd(p, u, ErfSmallC6);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC5);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC4);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC3);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC2);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC1);
        p = a.FusedMultiplyAdd(p, u, ErfSmallC0);
        return a.FusedMultiplyAdd(x, p, x);
    }

    /// <summary>erfc(x) for x ≥ 0.5 (+∞ included): e^(−x²) · R(x), +0 from <see cref="ErfcUnderflow"/> on.</summary>
    private static float ErfcAtLeastHalf<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (x >= ErfcUnderflow) return 0f;
        var a = default(TArithmetic);
        float square = x * x;
        float squareLow = a.FusedMultiplyAdd(x, x, -square); // x² − square, exactly
        float e = Exp<TArithmetic>(-square);
        e = a.FusedMultiplyAdd(e, -squareLow, e);            // e^(−square)·(1 − squareLow) ≈ e^(−x²)

        float r;
        if (x < 2f)
        {
            float s = x - ErfcMidCenter;
            r = ErfcMidC11;
            r = a.FusedMultiplyAdd(r, s, ErfcMidC10);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC9);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC8);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC7);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC6);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC5);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC4);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC3);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC2);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC1);
            r = a.FusedMultiplyAdd(r, s, ErfcMidC0);
        }
        else
        {
            float t = ReciprocalAtLeastOne<TArithmetic>(x);
            float s = t - ErfcTailCenter;
            float h = ErfcTailC11;
            h = a.FusedMultiplyAdd(h, s, ErfcTailC10);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC9);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC8);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC7);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC6);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC5);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC4);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC3);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC2);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC1);
            h = a.FusedMultiplyAdd(h, s, ErfcTailC0);
            r = t * h;
        }
        return e * r;
    }
}
