using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Accel.Numerics;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

internal static partial class VectorSpecMath
{
    // SpecMath.Sin/Cos's constants (internal there), restated bit for bit.
    private const float QuarterPi = 0.7853982f;          // 0x3F490FDB
    private const float HalfPiHi = 1.5707964f;           // 0x3FC90FDB
    private const float HalfPiLo = -4.371139E-08f;       // 0xB33BBD2E
    private const float TwoPowMinus62 = 2.1684043E-19f;  // 0x20800000
    private const float SinS3 = -0.16666667f;            // 0xBE2AAAAB
    private const float SinS5 = 0.008333334f;            // 0x3C088889
    private const float SinS7 = -0.0001984127f;          // 0xB9500D01
    private const float SinS9 = 2.7557319E-06f;          // 0x3638EF1D
    private const float SinS11 = -2.5052108E-08f;        // 0xB2D7322B
    private const float CosC2 = -0.5f;                   // 0xBF000000
    private const float CosC4 = 0.041666668f;            // 0x3D2AAAAB
    private const float CosC6 = -0.0013888889f;          // 0xBAB60B61
    private const float CosC8 = 2.4801588E-05f;          // 0x37D00D01
    private const float CosC10 = -2.7557319E-07f;        // 0xB493F27E
    private const float CosC12 = 2.0876756E-09f;         // 0x310F76C7

    /// <summary>Room for one vector's lanes (up to 16 floats) on the stack.</summary>
    private unsafe struct LaneBuffer
    {
        public fixed float V[16];
    }

    /// <summary>
    /// SpecMath.Sin per lane. The argument reduction (exact 64-bit integer arithmetic on the bits of 2/π, per lane a
    /// different table window) runs lane by lane in scalar code, SpecMath's own sequence; the polynomials, the quadrant
    /// choice and the signs run on the whole vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TV Sin<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        if (typeof(TV) == typeof(float)) return Unsafe.BitCast<float, TV>(SpecMath.Sin(Unsafe.BitCast<TV, float>(x)));
        Reduce<TS, TV>(x, out TV y, out TV quadrant);
        TV odd = QuadrantIsOdd<TS, TV>(quadrant);
        TV value = TS.Select(odd, CosKernel<TS, TV>(y), SinKernel<TS, TV>(y));
        // Negate where (quadrant & 2 ≠ 0) ≠ (x < 0).
        TV negate = TS.Xor(TS.GreaterThan(quadrant, TS.Splat(1.5f)), TS.LessThan(x, TS.Splat(0f)));
        TV result = TS.Select(negate, TS.Negate(value), value);
        result = TS.Select(TS.Equal(x, TS.Splat(0f)), x, result);
        return TS.Select(IsFinite<TS, TV>(x), result, TS.Subtract(x, x));
    }

    /// <summary>SpecMath.Cos per lane (the reduction lane by lane, as <see cref="Sin{TS, TV}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe TV Cos<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged
    {
        if (typeof(TV) == typeof(float)) return Unsafe.BitCast<float, TV>(SpecMath.Cos(Unsafe.BitCast<TV, float>(x)));
        Reduce<TS, TV>(x, out TV y, out TV quadrant);
        TV odd = QuadrantIsOdd<TS, TV>(quadrant);
        TV value = TS.Select(odd, SinKernel<TS, TV>(y), CosKernel<TS, TV>(y));
        // Negate where (quadrant + 1) & 2 ≠ 0: quadrants 1 and 2.
        TV negate = TS.Or(TS.Equal(quadrant, TS.Splat(1f)), TS.Equal(quadrant, TS.Splat(2f)));
        TV result = TS.Select(negate, TS.Negate(value), value);
        return TS.Select(IsFinite<TS, TV>(x), result, TS.Subtract(x, x));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV QuadrantIsOdd<TS, TV>(TV quadrant) where TS : ISimd<TV> where TV : unmanaged =>
        TS.Or(TS.Equal(quadrant, TS.Splat(1f)), TS.Equal(quadrant, TS.Splat(3f)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV IsFinite<TS, TV>(TV x) where TS : ISimd<TV> where TV : unmanaged =>
        TS.LessThan(TS.Abs(x), TS.Splat(float.PositiveInfinity));

    /// <summary>Per lane: y and the quadrant (as a float 0–3) of SpecMath's ReduceHalfPi; 0 and 0 for a non-finite lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Reduce<TS, TV>(TV x, out TV y, out TV quadrant) where TS : ISimd<TV> where TV : unmanaged
    {
        LaneBuffer xs, ys, qs;
        TS.Store(xs.V, x);
        for (int l = 0; l < TS.Count; l++)
        {
            float v = xs.V[l];
            if (float.IsFinite(v))
            {
                ys.V[l] = ReduceHalfPi(v, out int q);
                qs.V[l] = q;
            }
            else
            {
                ys.V[l] = 0f;
                qs.V[l] = 0f;
            }
        }
        y = TS.Load(ys.V);
        quadrant = TS.Load(qs.V);
    }

    /// <summary>SpecMath.ReduceHalfPi, restated: |x| = (4j + quadrant)·π/2 + y with |y| ≤ π/4, for finite x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ReduceHalfPi(float x, out int quadrant)
    {
        float ax = MathF.Abs(x);
        if (ax <= QuarterPi)
        {
            quadrant = 0;
            return ax;
        }
        int bits = BitConverter.SingleToInt32Bits(ax);
        uint mantissa = (uint)(bits & 0x007FFFFF) | 0x00800000u;
        int exponent = bits >> 23;
        // SpecMath's window c2, c1, c0 of 2/π's bits for this exponent, precomputed (126 ≤ exponent ≤ 254 here).
        ref uint window = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Windows), 3 * (exponent - MinReducedExponent));
        ulong c2 = window, c1 = Unsafe.Add(ref window, 1), c0 = Unsafe.Add(ref window, 2);
        ulong reduced = unchecked(((mantissa * c2) << 32) + mantissa * c1 + ((mantissa * c0) >> 32));
        ulong rounded = unchecked(reduced + (1UL << 61));
        quadrant = (int)(rounded >> 62);
        long remainder = unchecked((long)(reduced - ((ulong)quadrant << 62)));
        float rHiUnscaled = remainder;
        long rest = remainder - (long)rHiUnscaled;
        float rHi = rHiUnscaled * TwoPowMinus62;
        float rLo = (float)rest * TwoPowMinus62;
        float yHi = rHi * HalfPiHi;
        float yLo = MathF.FusedMultiplyAdd(rHi, HalfPiHi, -yHi);
        yLo = MathF.FusedMultiplyAdd(rHi, HalfPiLo, yLo);
        yLo = MathF.FusedMultiplyAdd(rLo, HalfPiHi, yLo);
        return yHi + yLo;
    }

    /// <summary>The smallest exponent field the reduction meets: |x| &gt; π/4 ≥ 2^-1.</summary>
    private const int MinReducedExponent = 126;

    /// <summary>Per exponent field 126…254: the three 32-bit words c2, c1, c0 of 2/π's bits SpecMath's reduction extracts.</summary>
    private static readonly uint[] Windows = BuildWindows();

    private static uint[] BuildWindows()
    {
        var windows = new uint[3 * (255 - MinReducedExponent)];
        for (int exponent = MinReducedExponent; exponent < 255; exponent++)
        {
            int start = exponent - 151 + 31;
            int word = start >> 5, shift = start & 31;
            ulong w0 = TwoOverPiBits(word), w1 = TwoOverPiBits(word + 1), w2 = TwoOverPiBits(word + 2), w3 = TwoOverPiBits(word + 3);
            int at = 3 * (exponent - MinReducedExponent);
            windows[at] = (uint)(((w0 << 32) | w1) >> (32 - shift));
            windows[at + 1] = (uint)(((w1 << 32) | w2) >> (32 - shift));
            windows[at + 2] = (uint)(((w2 << 32) | w3) >> (32 - shift));
        }
        return windows;
    }

    /// <summary>SpecMath.TwoOverPiBits, restated: word <paramref name="index"/> of 2/π's binary expansion (word 0 is padding).</summary>
    private static ulong TwoOverPiBits(int index) => index switch
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

    /// <summary>SpecMath.SinKernel per lane: y + (y·z)·S(z), z = y².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV SinKernel<TS, TV>(TV y) where TS : ISimd<TV> where TV : unmanaged
    {
        TV z = TS.Multiply(y, y);
        TV p = TS.Splat(SinS11);
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(SinS9));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(SinS7));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(SinS5));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(SinS3));
        return TS.FusedMultiplyAdd(TS.Multiply(y, z), p, y);
    }

    /// <summary>SpecMath.CosKernel per lane: 1 + z·C(z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV CosKernel<TS, TV>(TV y) where TS : ISimd<TV> where TV : unmanaged
    {
        TV z = TS.Multiply(y, y);
        TV p = TS.Splat(CosC12);
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(CosC10));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(CosC8));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(CosC6));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(CosC4));
        p = TS.FusedMultiplyAdd(p, z, TS.Splat(CosC2));
        return TS.FusedMultiplyAdd(p, z, TS.Splat(1f));
    }
}
