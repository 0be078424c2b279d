using System.Runtime.CompilerServices;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// SpecMath's Expm1 and Tanh per lane, for any width (docs/numerics.md §Expm1, §Tanh): the same binary32 operations
/// in every lane, SpecMath's branches computed for every lane and then selected, so each lane equals the scalar
/// function bit for bit (the same scheme as <see cref="VectorSpecMath"/>, whose Exp and reciprocal they use).
/// </summary>
internal static class VectorActivationMath
{
    // SpecMath's constants, restated bit for bit (the SpecMath tests pin the values).
    private const float Log2E = 1.442695f;             // 0x3FB8AA3B
    private const float Ln2Hi = 0.693145751953125f;    // 0x3F317200
    private const float Ln2Lo = 1.4286068E-06f;        // 0x35BFBE8E
    private const float C2 = 0.5f;                     // 0x3F000000
    private const float C3 = 0.16666667f;              // 0x3E2AAAAB
    private const float C4 = 0.041666668f;             // 0x3D2AAAAB
    private const float C5 = 0.008333334f;             // 0x3C088889
    private const float C6 = 0.0013888889f;            // 0x3AB60B61
    private const float C7 = 0.0001984127f;            // 0x39500D01
    private const float C8 = 2.4801588E-05f;           // 0x37D00D01

    /// <summary>SpecMath.Expm1 per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Expm1<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV zero = TS.Splat(0f);
        TV nan = TS.IsNaN(x);
        // −TINY < x < TINY as a select of two masks (a lane-wise AND).
        TV tiny = TS.Select(TS.GreaterThan(x, TS.Splat(-SpecMath.Expm1TinyLimit)), TS.LessThan(x, TS.Splat(SpecMath.Expm1TinyLimit)), zero);
        TV far = TS.Or(TS.GreaterThan(x, TS.Splat(SpecMath.Expm1ExpLimit)), TS.LessThan(x, TS.Splat(-SpecMath.Expm1ExpLimit)));
        TV viaExp = TS.Subtract(VectorSpecMath.Exp<TS, TV>(x), TS.Splat(1f));

        // The direct path on lanes in range; far lanes run it on 0 and are discarded.
        TV xd = TS.Select(far, zero, x);
        TV n = TS.RoundToEven(TS.Multiply(xd, TS.Splat(Log2E)));
        TV minusN = TS.Negate(n);
        TV r = TS.FusedMultiplyAdd(minusN, TS.Splat(Ln2Hi), xd);
        r = TS.FusedMultiplyAdd(minusN, TS.Splat(Ln2Lo), r);
        TV p = TS.Splat(C8);
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C7));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C6));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C5));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C4));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C3));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(C2));
        TV q = TS.FusedMultiplyAdd(p, TS.Multiply(r, r), r);
        // n = 0: fma(1, q, 0) = q exactly (q ≠ 0 there since |x| ≥ 2^-25), so SpecMath's n = 0 branch needs no select.
        TV s = TS.PowerOfTwo(n, 0);
        TV direct = TS.FusedMultiplyAdd(s, q, TS.Subtract(s, TS.Splat(1f)));

        TV result = TS.Select(far, viaExp, direct);
        result = TS.Select(tiny, x, result);
        return TS.Select(nan, x, result);
    }

    /// <summary>
    /// SpecMath.Tanh per lane. SpecMath works on |x| and copies x's sign bit; here a = x &lt; 0 ? −x : x (−0 stays −0,
    /// where Expm1 and the product keep it −0) and the result is negated where x &lt; 0 — the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV nan = TS.IsNaN(x);
        TV negative = TS.LessThan(x, TS.Splat(0f));
        TV a = TS.Select(negative, TS.Negate(x), x);
        TV saturated = TS.GreaterThan(a, TS.Splat(SpecMath.TanhSaturation));
        TV inRange = TS.Select(saturated, TS.Splat(0f), a);
        TV e = Expm1<TS, TV>(TS.Multiply(TS.Splat(2f), inRange));
        TV t = TS.Multiply(e, VectorSpecMath.ReciprocalAtLeastOne<TS, TV>(TS.Add(e, TS.Splat(2f))));
        t = TS.Select(saturated, TS.Splat(1f), t);
        TV result = TS.Select(negative, TS.Negate(t), t);
        return TS.Select(nan, x, result);
    }
}
