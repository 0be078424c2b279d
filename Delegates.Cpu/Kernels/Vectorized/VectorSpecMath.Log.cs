using System.Runtime.CompilerServices;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

internal static partial class VectorSpecMath
{
    // SpecMath.Log's and SpecMath.Pow's constants (internal there), restated bit for bit.
    private const float SmallestNormal = 1.17549435E-38f;  // 0x00800000: below it a positive float is subnormal
    private const float TwoPow23 = 8388608f;               // 0x4B000000
    private const float SqrtTwoBelow = 1.4142135f;         // 0x3FB504F3 (SpecMath.SqrtTwoBits)
    private const float TwoThirdsHi = 0.6666667f;          // 0x3F2AAAAB
    private const float TwoThirdsLo = -1.9868215E-08f;     // 0xB2AAAAAB
    private const float Atanh5 = 0.4f;                     // 0x3ECCCCCD
    private const float Atanh7 = 0.2857143f;               // 0x3E924925
    private const float Atanh9 = 0.22222222f;              // 0x3E638E39
    private const float Atanh11 = 0.18181819f;             // 0x3E3A2E8C
    private const float Atanh13 = 0.15384616f;             // 0x3E1D89D9
    private const float Atanh15 = 0.13333334f;             // 0x3E088889
    private const float PowOverflowProduct = 89f;          // 0x42B20000
    private const float PowUnderflowProduct = -105f;       // 0xC2D20000

    /// <summary>SpecMath.Log per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        TV result = LogExtended<TS, TV>(x, out _);
        // SpecMath's early returns, lowest priority first: +∞ → +∞; ±0 → −∞; x < 0 → NaN; NaN → x.
        result = TS.Select(TS.GreaterThan(x, TS.Splat(float.MaxValue)), x, result);
        result = TS.Select(TS.Equal(x, TS.Splat(0f)), TS.Splat(float.NegativeInfinity), result);
        result = TS.Select(TS.LessThan(x, TS.Splat(0f)), TS.Splat(float.NaN), result);
        return TS.Select(TS.IsNaN(x), x, result);
    }

    /// <summary>
    /// SpecMath.LogExtended per lane (hi returned, lo out) for finite x &gt; 0; other lanes give unspecified values.
    /// SpecMath's integer exponent k is carried as a float: every step adds small integers, so it stays exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV LogExtended<TS, TV>(TV x, out TV lo) where TS : ISimd<TV> where TV : unmanaged
    {
        TV zero = TS.Splat(0f);
        TV one = TS.Splat(1f);
        TV subnormal = TS.LessThan(x, TS.Splat(SmallestNormal));
        TV scaled = TS.Select(subnormal, TS.Multiply(x, TS.Splat(TwoPow23)), x);
        TV m = TS.MantissaOneToTwo(scaled);
        TV halve = TS.GreaterThan(m, TS.Splat(SqrtTwoBelow));      // ≡ mantissaBits > SqrtTwoBits (positive floats)
        m = TS.Select(halve, TS.Multiply(m, TS.Splat(0.5f)), m);  // ≡ mantissaBits − 2^23: exact halving
        TV kf = TS.Add(TS.Add(TS.ExponentAsFloat(scaled), TS.Select(subnormal, TS.Splat(-23f), zero)), TS.Select(halve, one, zero));

        TV f = TS.Subtract(m, one);
        TV dHi = TS.Add(m, one);
        TV dLo = TS.Subtract(m, TS.Subtract(dHi, one));
        TV reciprocal = ReciprocalAtLeastOne<TS, TV>(dHi);

        TV sHi = TS.Multiply(f, reciprocal);
        TV minusSHi = TS.Negate(sHi);
        TV residual = TS.FusedMultiplyAdd(minusSHi, dHi, f);
        residual = TS.FusedMultiplyAdd(minusSHi, dLo, residual);
        TV sLo = TS.Multiply(residual, reciprocal);

        TV zHi = TS.Multiply(sHi, sHi);
        TV zLo = TS.FusedMultiplyAdd(sHi, sHi, TS.Negate(zHi));
        zLo = TS.FusedMultiplyAdd(TS.Multiply(TS.Splat(2f), sHi), sLo, zLo);
        TV twoThirdsHi = TS.Splat(TwoThirdsHi);
        TV uHi = TS.Multiply(twoThirdsHi, zHi);
        TV uLo = TS.FusedMultiplyAdd(twoThirdsHi, zHi, TS.Negate(uHi));
        uLo = TS.FusedMultiplyAdd(twoThirdsHi, zLo, uLo);
        uLo = TS.FusedMultiplyAdd(TS.Splat(TwoThirdsLo), zHi, uLo);
        TV tHi = TS.Multiply(sHi, uHi);
        TV tLo = TS.FusedMultiplyAdd(sHi, uHi, TS.Negate(tHi));
        tLo = TS.FusedMultiplyAdd(sHi, uLo, tLo);
        tLo = TS.FusedMultiplyAdd(sLo, uHi, tLo);

        TV q = TS.Splat(Atanh15);
        q = TS.FusedMultiplyAdd(q, zHi, TS.Splat(Atanh13));
        q = TS.FusedMultiplyAdd(q, zHi, TS.Splat(Atanh11));
        q = TS.FusedMultiplyAdd(q, zHi, TS.Splat(Atanh9));
        q = TS.FusedMultiplyAdd(q, zHi, TS.Splat(Atanh7));
        q = TS.FusedMultiplyAdd(q, zHi, TS.Splat(Atanh5));
        TV tail = TS.Multiply(TS.Multiply(sHi, TS.Multiply(zHi, zHi)), q);

        TV kHi = TS.Multiply(kf, TS.Splat(Ln2Hi));
        TV twoSHi = TS.Multiply(TS.Splat(2f), sHi);
        TV sum1 = TS.Add(kHi, twoSHi);
        TV error1 = TS.Subtract(twoSHi, TS.Subtract(sum1, kHi));
        TV sum2 = TS.Add(sum1, tHi);
        TV error2 = TS.Subtract(tHi, TS.Subtract(sum2, sum1));
        TV low = TS.Add(error1, error2);
        low = TS.Add(low, TS.Multiply(TS.Splat(2f), sLo));
        low = TS.Add(low, tLo);
        low = TS.Add(low, tail);
        low = TS.Add(low, TS.Multiply(kf, TS.Splat(Ln2Lo)));
        TV hi = TS.Add(sum2, low);
        lo = TS.Subtract(low, TS.Subtract(hi, sum2));
        return hi;
    }

    /// <summary>
    /// SpecMath.Pow per lane: PowPositive on |x| for every lane (one LogExtended, one Exp: its halved-argument case is a
    /// per-lane choice of argument and a final doubling), then SpecMath's special cases, each a select, applied from
    /// the lowest priority to the highest so that the first case SpecMath returns from wins.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pow<TS, TV>(TV x, TV y) where TS : ISimd<TV> where TV : unmanaged
    {
        TV zero = TS.Splat(0f);
        TV one = TS.Splat(1f);
        TV infinity = TS.Splat(float.PositiveInfinity);
        TV ax = TS.Abs(x);
        TV ay = TS.Abs(y);

        // PowPositive(ax, y).
        TV logHi = LogExtended<TS, TV>(ax, out TV logLo);
        TV productHi = TS.Multiply(y, logHi);
        TV productLo = TS.FusedMultiplyAdd(y, logHi, TS.Negate(productHi));
        productLo = TS.FusedMultiplyAdd(y, logLo, productLo);
        TV w = TS.Add(productHi, productLo);
        TV wLo = TS.Subtract(productLo, TS.Subtract(w, productHi));
        TV halved = TS.GreaterThan(w, TS.Splat(SpecMath.ExpOverflowThreshold));
        TV argument = TS.Select(halved, TS.Subtract(w, TS.Splat(Ln2Hi)), w);
        TV argumentLo = TS.Select(halved, TS.Subtract(wLo, TS.Splat(Ln2Lo)), wLo);
        TV e = Exp<TS, TV>(argument);
        TV positive = TS.FusedMultiplyAdd(e, argumentLo, e);
        positive = TS.Select(halved, TS.Multiply(positive, TS.Splat(2f)), positive);
        positive = TS.Select(TS.LessThan(productHi, TS.Splat(PowUnderflowProduct)), zero, positive);
        positive = TS.Select(TS.GreaterThan(productHi, TS.Splat(PowOverflowProduct)), infinity, positive);

        // IntegerParity(y) for finite y: integral where trunc(|y|) = |y| (every |y| ≥ 2^24 is an even integer), odd
        // where, in addition, |y|/2 (exact) is not integral.
        TV integral = TS.Equal(TS.Truncate(ay), ay);
        TV half = TS.Multiply(ay, TS.Splat(0.5f));
        TV odd = TS.And(integral, TS.Xor(TS.Equal(TS.Truncate(half), half), AllOnes<TS, TV>()));
        TV negativeX = TS.LessThan(x, zero);
        TV negateResult = TS.And(negativeX, odd);
        TV negativeY = TS.LessThan(y, zero);

        TV result = TS.Select(negateResult, TS.Negate(positive), positive);
        // A negative base needs an integral exponent.
        result = TS.Select(TS.And(negativeX, TS.Xor(integral, AllOnes<TS, TV>())), TS.Splat(float.NaN), result);
        // x = ±∞: 0 or +∞ by the sign of y, negated for a negative x and an odd y.
        TV infiniteMagnitude = TS.Select(negativeY, zero, infinity);
        result = TS.Select(TS.GreaterThan(ax, TS.Splat(float.MaxValue)),
            TS.Select(negateResult, TS.Negate(infiniteMagnitude), infiniteMagnitude), result);
        // x = ±0: y < 0 gives 1/x (±∞ by x's sign) for an odd y, else +∞; y > 0 gives x for an odd y, else +0.
        TV signedInfinity = TS.Or(infinity, TS.And(x, TS.Splat(-0f)));
        TV atZero = TS.Select(negativeY, TS.Select(odd, signedInfinity, infinity), TS.Select(odd, x, zero));
        result = TS.Select(TS.Equal(x, zero), atZero, result);
        // y = ±∞: 1 for |x| = 1, else +∞ when (|x| < 1) = (y < 0), else +0.
        TV infiniteY = TS.Select(TS.Xor(TS.LessThan(ax, one), negativeY), zero, infinity);
        infiniteY = TS.Select(TS.Equal(ax, one), one, infiniteY);
        result = TS.Select(TS.GreaterThan(ay, TS.Splat(float.MaxValue)), infiniteY, result);
        // NaN in either: x + y.
        result = TS.Select(TS.Or(TS.IsNaN(x), TS.IsNaN(y)), TS.Add(x, y), result);
        // y = ±0 or x = 1: 1, even for NaN.
        return TS.Select(TS.Or(TS.Equal(y, zero), TS.Equal(x, one)), one, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV AllOnes<TS, TV>() where TS : ISimd<TV> where TV : unmanaged =>
        TS.Splat(BitConverter.Int32BitsToSingle(-1));
}
