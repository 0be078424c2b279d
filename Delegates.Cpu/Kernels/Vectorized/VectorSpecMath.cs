using System.Runtime.CompilerServices;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// <see cref="SpecMath"/> per lane, for any width. Every function performs, in every lane, exactly the binary32
/// operations SpecMath performs (same constants, same order, FMA exactly where SpecMath has one). SpecMath's branches
/// become "compute every case, then select per lane": the arithmetic of the taken branch is unchanged, the other
/// branches' results are discarded, so each lane equals the scalar function bit for bit.
/// </summary>
internal static partial class VectorSpecMath
{
    // The constants are SpecMath's (its private fields, restated bit for bit; the SpecMath tests pin them).
    private const float Log2E = 1.442695f;             // 0x3FB8AA3B
    private const float Ln2Hi = 0.693145751953125f;    // 0x3F317200
    private const float Ln2Lo = 1.4286068E-06f;        // 0x35BFBE8E
    private const float ExpC2 = 0.5f;                  // 0x3F000000
    private const float ExpC3 = 0.16666667f;           // 0x3E2AAAAB
    private const float ExpC4 = 0.041666668f;          // 0x3D2AAAAB
    private const float ExpC5 = 0.008333334f;          // 0x3C088889
    private const float ExpC6 = 0.0013888889f;         // 0x3AB60B61
    private const float ExpC7 = 0.0001984127f;         // 0x39500D01
    private const float RecipStartOffset = 1.4117647f; // 0x3FB4B4B5
    private const float RecipStartSlope = 0.47058824f; // 0x3EF0F0F1

    /// <summary>SpecMath.Exp per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV nan = TS.IsNaN(x);
        TV overflow = TS.GreaterThan(x, TS.Splat(SpecMath.ExpOverflowThreshold));
        TV underflow = TS.LessThan(x, TS.Splat(SpecMath.ExpUnderflowThreshold));

        TV n = TS.RoundToEven(TS.Multiply(x, TS.Splat(Log2E)));
        TV minusN = TS.Negate(n);
        TV r = TS.FusedMultiplyAdd(minusN, TS.Splat(Ln2Hi), x);
        r = TS.FusedMultiplyAdd(minusN, TS.Splat(Ln2Lo), r);

        TV p = TS.Splat(ExpC7);
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(ExpC6));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(ExpC5));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(ExpC4));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(ExpC3));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(ExpC2));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(1f));
        p = TS.FusedMultiplyAdd(p, r, TS.Splat(1f));

        // SpecMath's three scalings: k > 127: p·2·2^127; k < −126: p·2^(k+64)·2^−64; otherwise p·2^k.
        TV above = TS.GreaterThan(n, TS.Splat(127f));
        TV below = TS.LessThan(n, TS.Splat(-126f));
        TV scaledAbove = TS.Multiply(TS.Multiply(p, TS.Splat(2f)), TS.Splat(1.7014118E+38f)); // 2^127
        TV scaledBelow = TS.Multiply(TS.Multiply(p, TS.PowerOfTwo(n, 64)), TS.Splat(5.421011E-20f)); // 2^-64
        TV scaledNormal = TS.Multiply(p, TS.PowerOfTwo(n, 0));
        TV result = TS.Select(above, scaledAbove, TS.Select(below, scaledBelow, scaledNormal));

        result = TS.Select(underflow, TS.Splat(0f), result);
        result = TS.Select(overflow, TS.Splat(float.PositiveInfinity), result);
        return TS.Select(nan, x, result);
    }

    /// <summary>SpecMath.Reciprocal1To2 per lane (d in [1, 2]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Reciprocal1To2<TS, TV>(TV d) where TS : ISimd<TV> where TV : unmanaged
    {
        TV one = TS.Splat(1f);
        TV minusD = TS.Negate(d);
        TV y = TS.FusedMultiplyAdd(TS.Splat(-RecipStartSlope), d, TS.Splat(RecipStartOffset));
        TV e = TS.FusedMultiplyAdd(minusD, y, one);
        y = TS.FusedMultiplyAdd(y, e, y);
        e = TS.FusedMultiplyAdd(minusD, y, one);
        y = TS.FusedMultiplyAdd(y, e, y);
        e = TS.FusedMultiplyAdd(minusD, y, one);
        y = TS.FusedMultiplyAdd(y, e, y);
        e = TS.FusedMultiplyAdd(minusD, y, one);
        y = TS.FusedMultiplyAdd(y, e, y);
        return y;
    }

    /// <summary>SpecMath.ReciprocalAtLeastOne per lane (d in [1, 2^126)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ReciprocalAtLeastOne<TS, TV>(TV d) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Multiply(Reciprocal1To2<TS, TV>(TS.MantissaOneToTwo(d)), TS.InverseExponentScale(d));

    /// <summary>SpecMath.Logistic per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Logistic<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV nan = TS.IsNaN(x);
        TV low = TS.LessThan(x, TS.Splat(SpecMath.LogisticLowerThreshold));
        // One Exp serves both branches: Exp(x) where x < −87, Exp(−x) elsewhere.
        TV e = Exp<TS, TV>(TS.Select(low, x, TS.Negate(x)));
        TV viaReciprocal = ReciprocalAtLeastOne<TS, TV>(TS.Add(TS.Splat(1f), e));
        TV result = TS.Select(low, e, viaReciprocal);
        return TS.Select(nan, x, result);
    }

    /// <summary>SpecMath.HardSwish per lane: (x · clamp(x + 3, 0, 6)) · RN(1/6).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV HardSwish<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV zero = TS.Splat(0f);
        TV six = TS.Splat(6f);
        TV t = TS.Add(x, TS.Splat(3f));
        TV r = TS.Select(TS.LessThan(t, zero), zero, TS.Select(TS.GreaterThan(t, six), six, t));
        return TS.Multiply(TS.Multiply(x, r), TS.Splat(SpecMath.OneSixth));
    }
}
