using System.Runtime.CompilerServices;

namespace Accel.Numerics;

public static partial class SpecMath
{
    // Log: x = m · 2^k with m in [√½, √2], then ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716, carried as an
    // unevaluated sum of two floats (hi + lo, about 44 bits) so that POW can multiply it by y without losing accuracy.
    internal const int SqrtTwoBits = 0x3FB504F3;          // 1.4142135, the float just below √2
    internal const float TwoPow23 = 8388608f;             // 0x4B000000: scales a subnormal into the normal range exactly
    internal const float TwoThirdsHi = 0.6666667f;        // 0x3F2AAAAB, the float nearest 2/3
    internal const float TwoThirdsLo = -1.9868215E-08f;   // 0xB2AAAAAB, the float nearest 2/3 − TwoThirdsHi

    // Taylor coefficients 2/(2j+1) of 2·atanh(s) = 2s + (2/3)s³ + s⁵·(2/5 + (2/7)z + … + (2/15)z⁵), z = s².
    internal const float Atanh5 = 0.4f;                   // 0x3ECCCCCD
    internal const float Atanh7 = 0.2857143f;             // 0x3E924925
    internal const float Atanh9 = 0.22222222f;            // 0x3E638E39
    internal const float Atanh11 = 0.18181819f;           // 0x3E3A2E8C
    internal const float Atanh13 = 0.15384616f;           // 0x3E1D89D9
    internal const float Atanh15 = 0.13333334f;           // 0x3E088889

    /// <summary>
    /// ln x in binary32, within 0.51 ulp of the exact value (docs/numerics.md §Log): the high part of
    /// <see cref="LogExtended{TArithmetic}(float, out float)"/>. NaN → NaN, x &lt; 0 (−∞ included) → NaN, ±0 → −∞,
    /// +∞ → +∞, 1 → +0. Subnormal arguments are handled exactly (scaled by 2^23 first).
    /// </summary>
    public static float Log(float x) => Log<HostSpecArithmetic>(x);

    /// <summary><see cref="Log(float)"/> with the FMAs supplied by <typeparamref name="TArithmetic"/>.</summary>
    [MethodImpl(JitHints.Hot)]
    public static float Log<TArithmetic>(float x) where TArithmetic : struct, ISpecArithmetic
    {
        if (float.IsNaN(x)) return x;
        if (x < 0f) return float.NaN;
        if (x == 0f) return float.NegativeInfinity;
        if (x == float.PositiveInfinity) return x;
        return LogExtended<TArithmetic>(x, out _);
    }

    /// <summary>
    /// ln x for a finite x &gt; 0 (subnormals included) as hi + lo, |lo| ≤ ulp(hi)/2, with |hi + lo − ln x| below
    /// 2^-40·|ln x|: the extra precision POW needs. Not defined for other arguments.
    /// </summary>
    // Compiled optimized from the start (as Log): tiered compilation's re-JIT of these allocated on a runtime thread
    // while LOG ran, which Delegates.Cpu.Tests' MathAllocationTests counts.
    [MethodImpl(JitHints.Hot)]
    public static float LogExtended<TArithmetic>(float x, out float lo) where TArithmetic : struct, ISpecArithmetic
    {
        var a = default(TArithmetic);
        int bits = BitConverter.SingleToInt32Bits(x);
        int k = 0;
        if (bits < 0x00800000)
        {
            bits = BitConverter.SingleToInt32Bits(x * TwoPow23);
            k = -23;
        }
        k += (bits >> 23) - 127;
        int mantissaBits = (bits & 0x007FFFFF) | 0x3F800000;
        if (mantissaBits > SqrtTwoBits)
        {
            mantissaBits -= 0x00800000; // m / 2, so m lies in [√½, √2]
            k += 1;
        }
        float m = BitConverter.Int32BitsToSingle(mantissaBits);
        float f = m - 1f;                          // exact (Sterbenz)
        float dHi = m + 1f;
        float dLo = m - (dHi - 1f);                // exact: m + 1 = dHi + dLo
        float reciprocal = ReciprocalAtLeastOne<TArithmetic>(dHi);

        // s = f / (m + 1) as sHi + sLo: one product, then the residual f − sHi·(dHi + dLo) by FMA, divided the same way.
        float sHi = f * reciprocal;
        float residual = a.FusedMultiplyAdd(-sHi, dHi, f);
        residual = a.FusedMultiplyAdd(-sHi, dLo, residual);
        float sLo = residual * reciprocal;

        // z = s² as zHi + zLo; t = (2/3)·s³ as tHi + tLo.
        float zHi = sHi * sHi;
        float zLo = a.FusedMultiplyAdd(sHi, sHi, -zHi);
        zLo = a.FusedMultiplyAdd(2f * sHi, sLo, zLo);
        float uHi = TwoThirdsHi * zHi;
        float uLo = a.FusedMultiplyAdd(TwoThirdsHi, zHi, -uHi);
        uLo = a.FusedMultiplyAdd(TwoThirdsHi, zLo, uLo);
        uLo = a.FusedMultiplyAdd(TwoThirdsLo, zHi, uLo);
        float tHi = sHi * uHi;
        float tLo = a.FusedMultiplyAdd(sHi, uHi, -tHi);
        tLo = a.FusedMultiplyAdd(sHi, uLo, tLo);
        tLo = a.FusedMultiplyAdd(sLo, uHi, tLo);

        // The remaining terms, s⁵·Q(z), below 2^-12 of the result: one float suffices.
        float q = Atanh15;
        q = a.FusedMultiplyAdd(q, zHi, Atanh13);
        q = a.FusedMultiplyAdd(q, zHi, Atanh11);
        q = a.FusedMultiplyAdd(q, zHi, Atanh9);
        q = a.FusedMultiplyAdd(q, zHi, Atanh7);
        q = a.FusedMultiplyAdd(q, zHi, Atanh5);
        float tail = sHi * (zHi * zHi) * q;

        // ln x = k·ln2Hi + 2sHi + tHi + (k·ln2Lo + 2sLo + tLo + tail), the first three summed error-free
        // (each Fast2Sum's larger operand first: |k·ln2Hi| ≥ ln2 > |2s| when k ≠ 0, and |tHi| < |2sHi|/100).
        float kf = k;
        float kHi = kf * Ln2Hi;                   // exact: |k| ≤ 150 and Ln2Hi has 9 trailing zero bits
        float twoSHi = 2f * sHi;
        float sum1 = kHi + twoSHi;
        float error1 = twoSHi - (sum1 - kHi);
        float sum2 = sum1 + tHi;
        float error2 = tHi - (sum2 - sum1);
        float low = error1 + error2;
        low += 2f * sLo;
        low += tLo;
        low += tail;
        low += kf * Ln2Lo;
        float hi = sum2 + low;
        lo = low - (hi - sum2);
        return hi;
    }
}
