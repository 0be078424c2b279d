namespace Accel.Numerics;

public static partial class SpecMath
{
    // Sin/Cos: |x| ≤ π/4 is used as it is; beyond, x·(2/π) is reduced modulo 4 exactly in 64-bit integer arithmetic
    // (x = M·2^E with a 24-bit M, times a 96-bit window of the bits of 2/π), giving the quadrant q and r in [−½, ½),
    // and y = r·(π/2) is formed in two-float precision. Then a Taylor polynomial of sin or cos on |y| ≤ π/4.
    internal const float QuarterPi = 0.7853982f;          // 0x3F490FDB (the float nearest π/4; above it, reduce)
    internal const float HalfPiHi = 1.5707964f;           // 0x3FC90FDB, the float nearest π/2
    internal const float HalfPiLo = -4.371139E-08f;       // 0xB33BBD2E, the float nearest π/2 − HalfPiHi
    internal const float TwoPowMinus62 = 2.1684043E-19f;  // 0x20800000

    // Taylor coefficients: sin y = y + y·z·(S3 + z·(S5 + …)), cos y = 1 + z·(C2 + z·(C4 + …)), z = y².
    internal const float SinS3 = -0.16666667f;            // 0xBE2AAAAB  −1/3!
    internal const float SinS5 = 0.008333334f;            // 0x3C088889   1/5!
    internal const float SinS7 = -0.0001984127f;          // 0xB9500D01  −1/7!
    internal const float SinS9 = 2.7557319E-06f;          // 0x3638EF1D   1/9!
    internal const float SinS11 = -2.5052108E-08f;        // 0xB2D7322B  −1/11!
    internal const float CosC2 = -0.5f;                   // 0xBF000000  −1/2!
    internal const float CosC4 = 0.041666668f;            // 0x3D2AAAAB   1/4!
    internal const float CosC6 = -0.0013888889f;          // 0xBAB60B61  −1/6!
    internal const float CosC8 = 2.4801588E-05f;          // 0x37D00D01   1/8!
    internal const float CosC10 = -2.7557319E-07f;        // 0xB493F27E  −1/10!
    internal const float CosC12 = 2.0876756E-09f;         // 0x310F76C7   1/12!

    /// <summary>
    /// sin x in binary32 (docs/numerics.md §Sin, Cos), accurate for every finite argument (exact integer reduction
    /// modulo π/2). NaN → NaN, ±∞ → NaN, ±0 → ±0.
    /// </summary>
    public static float Sin(float x) => Sin<HostSpecArithmetic>(x);

    /// <summary><see cref="Sin(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Sin<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (!float.IsFinite(x)) return x - x; // NaN stays NaN; ±∞ − ±∞ is NaN
        if (x == 0f) return x;
        float y = ReduceHalfPi<TArithmetic>(x, out int quadrant);
        // sin(x) for x ≥ 0 by quadrant: sin y, cos y, −sin y, −cos y; odd in x.
        float value = (quadrant & 1) == 0 ? SinKernel<TArithmetic>(y) : CosKernel<TArithmetic>(y);
        bool negate = ((quadrant & 2) != 0) != (x < 0f);
        return negate ? -value : value;
    }

    /// <summary>
    /// cos x in binary32 (docs/numerics.md §Sin, Cos), accurate for every finite argument. NaN → NaN, ±∞ → NaN,
    /// ±0 → 1.
    /// </summary>
    public static float Cos(float x) => Cos<HostSpecArithmetic>(x);

    /// <summary><see cref="Cos(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    public static float Cos<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (!float.IsFinite(x)) return x - x;
        float y = ReduceHalfPi<TArithmetic>(x, out int quadrant);
        // cos(x) for x ≥ 0 by quadrant: cos y, −sin y, −cos y, sin y; even in x.
        float value = (quadrant & 1) == 0 ? CosKernel<TArithmetic>(y) : SinKernel<TArithmetic>(y);
        bool negate = ((quadrant + 1) & 2) != 0;
        return negate ? -value : value;
    }

    /// <summary>
    /// |x| = (4j + quadrant)·π/2 + y with |y| ≤ π/4 (up to rounding), for finite x. |x| ≤ π/4: y = |x|, quadrant 0.
    /// </summary>
    private static float ReduceHalfPi<TArithmetic>(float x, out int quadrant) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float ax = MathF.Abs(x);
        if (ax <= QuarterPi)
        {
            quadrant = 0;
            return ax;
        }
        int bits = BitConverter.SingleToInt32Bits(ax);
        uint mantissa = (uint)(bits & 0x007FFFFF) | 0x00800000u;   // ax = mantissa · 2^(exponent − 150)
        int exponent = bits >> 23;                                 // 126..254 here
        // The window of 2/π's bits i = exponent − 151 … exponent − 56 (bit i weighs 2^-i); position p = i + 31 in the
        // table, whose first word is zero padding. Bits above the window only add multiples of 4 to |x|·2/π, bits
        // below it less than 2^-62 · 2^-8.
        int start = exponent - 151 + 31;
        int word = start >> 5, shift = start & 31;
        ulong w0 = TwoOverPiBits(word), w1 = TwoOverPiBits(word + 1), w2 = TwoOverPiBits(word + 2), w3 = TwoOverPiBits(word + 3);
        ulong c2 = (uint)(((w0 << 32) | w1) >> (32 - shift));
        ulong c1 = (uint)(((w1 << 32) | w2) >> (32 - shift));
        ulong c0 = (uint)(((w2 << 32) | w3) >> (32 - shift));
        // (|x|·2/π mod 4) · 2^62, modulo 2^64 (wrapping arithmetic drops the multiples of 4).
        ulong reduced = unchecked(((mantissa * c2) << 32) + mantissa * c1 + ((mantissa * c0) >> 32));
        ulong rounded = unchecked(reduced + (1UL << 61));
        quadrant = (int)(rounded >> 62);
        long remainder = unchecked((long)(reduced - ((ulong)quadrant << 62)));   // r · 2^62, r in [−½, ½)

        // r as rHi + rLo (each conversion rounds once; the scalings by 2^-62 are exact), then y = r · π/2 in two floats.
        float rHiUnscaled = remainder;
        long rest = remainder - (long)rHiUnscaled;
        float rHi = rHiUnscaled * TwoPowMinus62;
        float rLo = (float)rest * TwoPowMinus62;
        float yHi = rHi * HalfPiHi;
        float yLo = a.FusedMultiplyAdd(rHi, HalfPiHi, -yHi);
        yLo = a.FusedMultiplyAdd(rHi, HalfPiLo, yLo);
        yLo = a.FusedMultiplyAdd(rLo, HalfPiHi, yLo);
        return yHi + yLo;
    }

    /// <summary>sin y for |y| ≤ π/4: y + (y·z)·S(z), S in Horner form by FMA.</summary>
    private static float SinKernel<TArithmetic>(float y) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float z = y * y;
        float p = SinS11;
        p = a.FusedMultiplyAdd(p, z, SinS9);
        p = a.FusedMultiplyAdd(p, z, SinS7);
        p = a.FusedMultiplyAdd(p, z, SinS5);
        p = a.FusedMultiplyAdd(p, z, SinS3);
        return a.FusedMultiplyAdd(y * z, p, y);
    }

    /// <summary>cos y for |y| ≤ π/4: 1 + z·C(z), C in Horner form by FMA.</summary>
    private static float CosKernel<TArithmetic>(float y) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        float z = y * y;
        float p = CosC12;
        p = a.FusedMultiplyAdd(p, z, CosC10);
        p = a.FusedMultiplyAdd(p, z, CosC8);
        p = a.FusedMultiplyAdd(p, z, CosC6);
        p = a.FusedMultiplyAdd(p, z, CosC4);
        p = a.FusedMultiplyAdd(p, z, CosC2);
        return a.FusedMultiplyAdd(p, z, 1f);
    }

    /// <summary>
    /// Word <paramref name="index"/> of the binary expansion of 2/π, 32 bits per word, most significant first; word 0 is
    /// zero padding (bits 2^31 … 2^0), word 1 holds 2^-1 … 2^-32. Enough for the window of any finite float.
    /// A switch rather than an array, so device compilers (ILGPU) see constants, not a static field.
    /// </summary>
    internal static ulong TwoOverPiBits(int index) => index switch
    {
        1 => 0xA2F9836Eu,
        2 => 0x4E441529u,
        3 => 0xFC2757D1u,
        4 => 0xF534DDC0u,
        5 => 0xDB629599u,
        6 => 0x3C439041u,
        7 => 0xFE5163ABu,
        8 => 0xDEBBC561u,
        _ => 0u,
    };
}
