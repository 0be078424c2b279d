namespace Accel.Numerics;

public static partial class SpecMath
{
    /// <summary>
    /// a / b, the correctly rounded IEEE binary32 quotient (round to nearest even; gradual underflow; ±∞, ±0 and NaN as
    /// IEEE 754), computed with 32-bit integer operations only: a long division of the significands with guard, round
    /// and sticky bits. Bit-identical to the hardware division of a CPU; it exists for devices whose division is not
    /// correctly rounded (Vulkan's OpFDiv may be off by 2.5 ulp), which run this same sequence (docs/numerics.md §DIV).
    /// NaN results are the quiet NaN 0x7FC00000.
    /// </summary>
    public static float Divide(float a, float b)
    {
        uint ax = (uint)BitConverter.SingleToInt32Bits(a), bx = (uint)BitConverter.SingleToInt32Bits(b);
        uint sign = (ax ^ bx) & 0x80000000u;
        uint aa = ax & 0x7FFFFFFFu, ba = bx & 0x7FFFFFFFu;
        const uint Infinity = 0x7F800000u, QuietNaN = 0x7FC00000u;
        if (aa > Infinity || ba > Infinity) return Bits(QuietNaN);                        // NaN operand
        if (aa == Infinity) return Bits(ba == Infinity ? QuietNaN : sign | Infinity);     // ∞ / ∞, ∞ / x
        if (ba == Infinity) return Bits(sign);                                            // x / ∞ = ±0
        if (ba == 0) return Bits(aa == 0 ? QuietNaN : sign | Infinity);                   // 0 / 0, x / 0
        if (aa == 0) return Bits(sign);                                                   // 0 / x = ±0

        // Significands in [2^23, 2^24) with unbiased-ish exponents (subnormals normalised).
        int ea = (int)(aa >> 23), eb = (int)(ba >> 23);
        uint ma = aa & 0x7FFFFFu, mb = ba & 0x7FFFFFu;
        if (ea == 0) { ea = 1; while (ma < 0x800000u) { ma <<= 1; ea--; } } else ma |= 0x800000u;
        if (eb == 0) { eb = 1; while (mb < 0x800000u) { mb <<= 1; eb--; } } else mb |= 0x800000u;
        int e = ea - eb + 127;                                                            // biased exponent of ma/mb in [1, 2)
        if (ma < mb) { ma <<= 1; e--; }

        // 26 quotient bits: 24 of significand, a guard and a round bit; the remainder gives the sticky bit.
        uint q = 0, r = ma;
        for (int i = 0; i < 26; i++)
        {
            q <<= 1;
            if (r >= mb) { r -= mb; q |= 1u; }
            r <<= 1;
        }
        bool sticky = r != 0;
        if (e >= 255) return Bits(sign | Infinity);
        uint baseBits;
        if (e >= 1) baseBits = (uint)(e - 1) << 23;                                       // the significand's bit 23 adds the last 1
        else
        {
            int shift = 1 - e;                                                            // into the subnormal range
            if (shift >= 26) { sticky = true; q = 0; }
            else { sticky |= (q & ((1u << shift) - 1)) != 0; q >>= shift; }
            baseBits = 0;
        }
        uint m = q >> 2;
        bool half = (q & 2u) != 0, below = (q & 1u) != 0 || sticky;
        if (half && (below || (m & 1u) != 0)) m++;                                        // a carry moves into the exponent
        return Bits(sign | (baseBits + m));
    }

    private static float Bits(uint bits) => BitConverter.Int32BitsToSingle((int)bits);
}
