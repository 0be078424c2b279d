// SpecMath.Divide (Runtime.Core/Numerics/SpecMath.Divide.cs) operation for operation: a / b correctly rounded (round to
// nearest even, gradual underflow, IEEE specials) with 32-bit integer operations only — a long division of the
// significands with guard, round and sticky bits. OpFDiv (GLSL '/') may be off by 2.5 ulp, so DIV never uses it
// (docs/numerics.md §DIV). NaN results are 0x7FC00000.
#ifndef ACCEL_SPEC_DIVIDE_GLSL
#define ACCEL_SPEC_DIVIDE_GLSL

float specDivide(float a, float b)
{
    uint ax = floatBitsToUint(a), bx = floatBitsToUint(b);
    uint sign = (ax ^ bx) & 0x80000000u;
    uint aa = ax & 0x7FFFFFFFu, ba = bx & 0x7FFFFFFFu;
    const uint INF = 0x7F800000u, QNAN = 0x7FC00000u;
    if (aa > INF || ba > INF) return uintBitsToFloat(QNAN);
    if (aa == INF) return uintBitsToFloat(ba == INF ? QNAN : (sign | INF));
    if (ba == INF) return uintBitsToFloat(sign);
    if (ba == 0u) return uintBitsToFloat(aa == 0u ? QNAN : (sign | INF));
    if (aa == 0u) return uintBitsToFloat(sign);

    int ea = int(aa >> 23), eb = int(ba >> 23);
    uint ma = aa & 0x7FFFFFu, mb = ba & 0x7FFFFFu;
    if (ea == 0) { ea = 1; while (ma < 0x800000u) { ma <<= 1; ea--; } } else ma |= 0x800000u;
    if (eb == 0) { eb = 1; while (mb < 0x800000u) { mb <<= 1; eb--; } } else mb |= 0x800000u;
    int e = ea - eb + 127;
    if (ma < mb) { ma <<= 1; e--; }

    uint q = 0u, r = ma;
    for (int i = 0; i < 26; i++)
    {
        q <<= 1;
        if (r >= mb) { r -= mb; q |= 1u; }
        r <<= 1;
    }
    bool sticky = r != 0u;
    if (e >= 255) return uintBitsToFloat(sign | INF);
    uint baseBits;
    if (e >= 1) baseBits = uint(e - 1) << 23;
    else
    {
        int shift = 1 - e;
        if (shift >= 26) { sticky = true; q = 0u; }
        else { sticky = sticky || (q & ((1u << uint(shift)) - 1u)) != 0u; q >>= uint(shift); }
        baseBits = 0u;
    }
    uint m = q >> 2;
    bool halfway = (q & 2u) != 0u, below = (q & 1u) != 0u || sticky;
    if (halfway && (below || (m & 1u) != 0u)) m++;
    return uintBitsToFloat(sign | (baseBits + m));
}

#endif
