using System.Runtime.CompilerServices;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// SpecMath.Erfc per lane, for any width (docs/numerics.md §Erf): the same binary32 operations in every lane (same
/// constants, same order, FMA exactly where SpecMath has one); SpecMath's branches (|x| &lt; 0.5, the mid and tail
/// polynomials, the underflow cut, the reflection x ≤ −0.5) are all computed and then selected per lane, so each lane
/// equals the scalar function bit for bit (the scheme of <see cref="VectorSpecMath"/>, whose Exp and reciprocal it uses).
/// </summary>
internal static class VectorErfMath
{
    // SpecMath's constants (its private fields), restated bit for bit; VectorErfMathTests pins the results to SpecMath.
    private const float SmallC7 = -8.5779884E-06f;  // 0xB70FEA2E
    private const float SmallC6 = 0.00010858782f;   // 0x38E3B9A4
    private const float SmallC5 = -0.00084232324f;  // 0xBA5CCF5B
    private const float SmallC4 = 0.0052164062f;    // 0x3BAAEE63
    private const float SmallC3 = -0.026863551f;    // 0xBCDC10F3
    private const float SmallC2 = 0.11283743f;      // 0x3DE7174F
    private const float SmallC1 = -0.37612635f;     // 0xBEC093A2
    private const float SmallC0 = 0.12837917f;      // 0x3E0375D4

    private const float MidCenter = 1.25f;
    private const float MidC11 = -2.0357365E-05f;   // 0xB7AAC51C
    private const float MidC10 = 6.4074397E-05f;    // 0x38865FAE
    private const float MidC9 = -0.00016099794f;    // 0xB928D18E
    private const float MidC8 = 0.00046743575f;     // 0x39F5122A
    private const float MidC7 = -0.0013263628f;     // 0xBAADD95A
    private const float MidC6 = 0.0035550427f;      // 0x3B68FBB8
    private const float MidC5 = -0.009081551f;      // 0xBC14CAC9
    private const float MidC4 = 0.022011107f;       // 0x3CB450A3
    private const float MidC3 = -0.050218277f;      // 0xBD4DB1AE
    private const float MidC2 = 0.10679559f;        // 0x3DDAB7A5
    private const float MidC1 = -0.20882188f;       // 0xBE55D567
    private const float MidC0 = 0.36782292f;        // 0x3EBC5349

    private const float TailCenter = 0.3f;          // 0x3E99999A
    private const float TailC11 = -0.12306522f;     // 0xBDFC099E
    private const float TailC10 = -0.96964687f;     // 0xBF783AC7
    private const float TailC9 = 0.88762397f;       // 0x3F633B53
    private const float TailC8 = -0.19292827f;      // 0xBE458EFD
    private const float TailC7 = -0.26659608f;      // 0xBE887F48
    private const float TailC6 = 0.34155875f;       // 0x3EAEE0CA
    private const float TailC5 = -0.15844813f;      // 0xBE22403A
    private const float TailC4 = -0.0815473f;       // 0xBDA70245
    private const float TailC3 = 0.2080724f;        // 0x3E5510EE
    private const float TailC2 = -0.13558385f;      // 0xBE0AD67E
    private const float TailC1 = -0.13460101f;      // 0xBE09D4D9
    private const float TailC0 = 0.5416332f;        // 0x3F0AA879

    /// <summary>SpecMath.Erfc per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Erfc<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV one = TS.Splat(1f);
        TV nan = TS.IsNaN(x);
        TV small = TS.Select(TS.GreaterThan(x, TS.Splat(-0.5f)), TS.LessThan(x, TS.Splat(0.5f)), TS.Splat(0f));
        TV negative = TS.LessThan(x, TS.Splat(0f));

        // |x| < 0.5: 1 − erf(x). Other lanes run it on 0 and are discarded.
        TV viaErf = TS.Subtract(one, ErfSmall<TS, TV>(TS.Select(small, x, TS.Splat(0f))));

        // |x| ≥ 0.5: ErfcAtLeastHalf(|x|), reflected as 2 − that for x ≤ −0.5. Lanes at or past the underflow cut
        // (+∞ and NaN among them: "not below the cut") give +0; they and the small lanes run the polynomials on 1.
        TV a = TS.Select(negative, TS.Negate(x), x);
        TV underflow = TS.Select(TS.LessThan(a, TS.Splat(SpecMath.ErfcUnderflow)), TS.Splat(0f), AllOnes<TS, TV>());
        TV large = TS.Select(TS.Or(small, underflow), one, a);
        TV atLeastHalf = TS.Select(underflow, TS.Splat(0f), AtLeastHalf<TS, TV>(large));
        TV reflected = TS.Select(negative, TS.Subtract(TS.Splat(2f), atLeastHalf), atLeastHalf);

        TV result = TS.Select(small, viaErf, reflected);
        return TS.Select(nan, x, result);
    }

    /// <summary>An all-ones lane mask (1 &lt; 2 compares true).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV AllOnes<TS, TV>() where TS : ISimd<TV> where TV : unmanaged => TS.LessThan(TS.Splat(1f), TS.Splat(2f));

    /// <summary>SpecMath.ErfSmall: fma(x, P(x²), x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ErfSmall<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV u = TS.Multiply(x, x);
        TV p = TS.Splat(SmallC7);
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC6));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC5));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC4));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC3));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC2));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC1));
        p = TS.FusedMultiplyAdd(p, u, TS.Splat(SmallC0));
        return TS.FusedMultiplyAdd(x, p, x);
    }

    /// <summary>
    /// SpecMath.ErfcAtLeastHalf below its underflow cut (x in [0.5, 10.2)): e^(−x²)·R(x), both of R's polynomials run
    /// and selected on x &lt; 2 (the tail's reciprocal of an x below 1 is discarded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV AtLeastHalf<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV square = TS.Multiply(x, x);
        TV squareLow = TS.FusedMultiplyAdd(x, x, TS.Negate(square));
        TV e = VectorSpecMath.Exp<TS, TV>(TS.Negate(square));
        e = TS.FusedMultiplyAdd(e, TS.Negate(squareLow), e);

        TV s = TS.Subtract(x, TS.Splat(MidCenter));
        TV mid = TS.Splat(MidC11);
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC10));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC9));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC8));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC7));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC6));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC5));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC4));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC3));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC2));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC1));
        mid = TS.FusedMultiplyAdd(mid, s, TS.Splat(MidC0));

        TV t = VectorSpecMath.ReciprocalAtLeastOne<TS, TV>(x);
        TV st = TS.Subtract(t, TS.Splat(TailCenter));
        TV h = TS.Splat(TailC11);
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC10));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC9));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC8));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC7));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC6));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC5));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC4));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC3));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC2));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC1));
        h = TS.FusedMultiplyAdd(h, st, TS.Splat(TailC0));
        TV tail = TS.Multiply(t, h);

        TV r = TS.Select(TS.LessThan(x, TS.Splat(2f)), mid, tail);
        return TS.Multiply(e, r);
    }

    /// <summary>SpecMath.GeluExact per lane: (0.5·x)·Erfc(x·(−1/√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV GeluExact<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Multiply(TS.Multiply(TS.Splat(0.5f), x), Erfc<TS, TV>(TS.Multiply(x, TS.Splat(SpecMath.GeluNegativeSqrtHalf))));

    /// <summary>SpecMath.GeluApproximate per lane: (0.5·x)·(1 + Tanh(√(2/π)·(x + ((0.044715·x)·x)·x))).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV GeluApproximate<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV cube = TS.Multiply(TS.Multiply(TS.Multiply(TS.Splat(SpecMath.GeluCubicCoefficient), x), x), x);
        TV inner = TS.Multiply(TS.Splat(SpecMath.GeluSqrtTwoOverPi), TS.Add(x, cube));
        TV tanh = VectorActivationMath.Tanh<TS, TV>(inner);
        return TS.Multiply(TS.Multiply(TS.Splat(0.5f), x), TS.Add(TS.Splat(1f), tanh));
    }
}
