// Shared by every Accel OpenCL kernel (prepended to each partition's program by OpenClPrograms).
// Numerics rules (docs/numerics.md): no contraction of a*b+c into fma (FP_CONTRACT OFF), fma only where the spec
// writes fma (accelFma), clamps and comparisons written out (never fmin/fmax/clamp, whose NaN rules differ), no
// division, no native_* or built-in transcendental function: SpecMath's own sequences below, constants by bit pattern.
// Built with -cl-std=CL1.2 and no fast-math, mad or denormals-are-zero option.
#pragma OPENCL FP_CONTRACT OFF

// The NaN-propagating clamp of docs/numerics.md §Activations: x < lo ? lo : (x > hi ? hi : x). NaN and -0 pass through.
inline float accelClamp(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

// NaN test on the bits (independent of any compiler assumption about NaN).
inline bool accelIsNan(float x)
{
    return (as_uint(x) & 0x7FFFFFFFu) > 0x7F800000u;
}

// fma(a, b, c) with a single rounding, as docs/numerics.md requires wherever it writes fma. Every kernel uses this,
// never fma() directly. OpenCL promises fma() is correctly rounded, but some implementations emulate it; at start-up
// the delegate checks on adversarial cases (OpenClNumericsProbe) whether the device's fma() is a single rounding, and
// otherwise builds with ACCEL_FMA_FLOAT64, an exact emulation in double precision (needs cl_khr_fp64).
#ifdef ACCEL_FMA_FLOAT64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

// a*b is exact in double and the double sum rounds once; converting it to float rounds a second time, which goes
// wrong only on a midpoint between two floats. Rounding the sum to odd instead (Boldo & Melquiond) makes the two
// roundings equal one: when the sum is inexact (TwoSum error e != 0), s becomes the odd one of the two doubles
// around the exact sum. Non-finite sums make e NaN, so both tests are false and s passes unchanged.
inline float accelFma(float a, float b, float c)
{
    double product = (double)a * (double)b;
    double addend = (double)c;
    double sum = product + addend;
    double virtualC = sum - product;
    double error = (product - (sum - virtualC)) + (addend - virtualC);
    double errorTimesSum = error * sum;
    long bits = as_long(sum);
    bits += errorTimesSum < 0.0 ? -1L : 0L; // the exact sum is nearer zero than `sum`: its truncation is one below
    bits |= fabs(error) > 0.0 ? 1L : 0L;    // sticky bit
    return convert_float_rte(as_double(bits));
}
#else
inline float accelFma(float a, float b, float c)
{
    return fma(a, b, c);
}
#endif

// Row-major coordinates of a flat index in a rank-4 shape (d3 fastest).
inline int4 accelCoordinates(int index, int4 dims)
{
    int4 c;
    c.w = index % dims.w; index /= dims.w;
    c.z = index % dims.z; index /= dims.z;
    c.y = index % dims.y; index /= dims.y;
    c.x = index;
    return c;
}

// docs/numerics.md §SpecMath: Runtime.Core/Numerics/SpecMath.cs operation for operation.
#define SPEC_LOG2E        as_float(0x3FB8AA3Bu)
#define SPEC_LN2_HI       as_float(0x3F317200u)
#define SPEC_LN2_LO       as_float(0x35BFBE8Eu)
#define SPEC_EXP_C2       as_float(0x3F000000u)
#define SPEC_EXP_C3       as_float(0x3E2AAAABu)
#define SPEC_EXP_C4       as_float(0x3D2AAAABu)
#define SPEC_EXP_C5       as_float(0x3C088889u)
#define SPEC_EXP_C6       as_float(0x3AB60B61u)
#define SPEC_EXP_C7       as_float(0x39500D01u)
#define SPEC_EXP_OVERFLOW  as_float(0x42B17217u)
#define SPEC_EXP_UNDERFLOW as_float(0xC2D00000u)
#define SPEC_LOGISTIC_LOW as_float(0xC2AE0000u)
#define SPEC_R_OFFSET     as_float(0x3FB4B4B5u)
#define SPEC_R_SLOPE      as_float(0x3EF0F0F1u)
#define SPEC_ONE_SIXTH    as_float(0x3E2AAAABu)
#define SPEC_POS_INF      as_float(0x7F800000u)

// 2^k for k in [-126, 127], from the exponent bits.
inline float specPow2(int k)
{
    return as_float((k + 127) << 23);
}

// SpecMath.Exp
inline float specExp(float x)
{
    if (accelIsNan(x)) return x;
    if (x > SPEC_EXP_OVERFLOW) return SPEC_POS_INF;
    if (x < SPEC_EXP_UNDERFLOW) return 0.0f;
    float scaled = x * SPEC_LOG2E;
    float n = rint(scaled); // round half to even, exact
    float r = accelFma(-n, SPEC_LN2_HI, x);
    r = accelFma(-n, SPEC_LN2_LO, r);
    float p = SPEC_EXP_C7;
    p = accelFma(p, r, SPEC_EXP_C6);
    p = accelFma(p, r, SPEC_EXP_C5);
    p = accelFma(p, r, SPEC_EXP_C4);
    p = accelFma(p, r, SPEC_EXP_C3);
    p = accelFma(p, r, SPEC_EXP_C2);
    p = accelFma(p, r, 1.0f);
    p = accelFma(p, r, 1.0f);
    int k = (int)n;
    float result;
    if (k > 127)
    {
        result = p * 2.0f;
        result = result * specPow2(127);
    }
    else if (k < -126)
    {
        result = p * specPow2(k + 64);
        result = result * specPow2(-64);
    }
    else
    {
        result = p * specPow2(k);
    }
    return result;
}

// SpecMath.Reciprocal1To2: 1/d for d in [1, 2].
inline float specReciprocal1To2(float d)
{
    float y = accelFma(-SPEC_R_SLOPE, d, SPEC_R_OFFSET);
    float e = accelFma(-d, y, 1.0f);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0f);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0f);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0f);
    y = accelFma(y, e, y);
    return y;
}

// SpecMath.ReciprocalAtLeastOne: 1/d for d in [1, 2^126).
inline float specReciprocalAtLeastOne(float d)
{
    int bits = as_int(d);
    int k = (bits >> 23) - 127;
    float m = as_float((bits & 0x007FFFFF) | 0x3F800000);
    return specReciprocal1To2(m) * specPow2(-k);
}

// SpecMath.Log (Runtime.Core/Numerics/SpecMath.Log.cs) operation for operation: x = m · 2^k with m in [√½, √2], ln m =
// 2·atanh(s), s = (m − 1)/(m + 1), carried as hi + lo; every fma written as accelFma, every other product and sum one
// rounded operation (FP_CONTRACT OFF). NaN → NaN, x < 0 → NaN, ±0 → −∞, +∞ → +∞.
inline float specLog(float x)
{
    if (accelIsNan(x)) return x;
    if (x < 0.0f) return as_float(0x7FC00000u);
    if (x == 0.0f) return -SPEC_POS_INF;
    if (x == SPEC_POS_INF) return x;
    int bits = as_int(x);
    int k = 0;
    if (bits < 0x00800000)
    {
        bits = as_int(x * as_float(0x4B000000u));
        k = -23;
    }
    k += (bits >> 23) - 127;
    int mantissaBits = (bits & 0x007FFFFF) | 0x3F800000;
    if (mantissaBits > 0x3FB504F3)
    {
        mantissaBits -= 0x00800000;
        k += 1;
    }
    float m = as_float(mantissaBits);
    float f = m - 1.0f;
    float dHi = m + 1.0f;
    float dLo = m - (dHi - 1.0f);
    float reciprocal = specReciprocalAtLeastOne(dHi);
    float sHi = f * reciprocal;
    float residual = accelFma(-sHi, dHi, f);
    residual = accelFma(-sHi, dLo, residual);
    float sLo = residual * reciprocal;
    float zHi = sHi * sHi;
    float zLo = accelFma(sHi, sHi, -zHi);
    zLo = accelFma(2.0f * sHi, sLo, zLo);
    const float twoThirdsHi = as_float(0x3F2AAAABu), twoThirdsLo = as_float(0xB2AAAAABu);
    float uHi = twoThirdsHi * zHi;
    float uLo = accelFma(twoThirdsHi, zHi, -uHi);
    uLo = accelFma(twoThirdsHi, zLo, uLo);
    uLo = accelFma(twoThirdsLo, zHi, uLo);
    float tHi = sHi * uHi;
    float tLo = accelFma(sHi, uHi, -tHi);
    tLo = accelFma(sHi, uLo, tLo);
    tLo = accelFma(sLo, uHi, tLo);
    float q = as_float(0x3E088889u);
    q = accelFma(q, zHi, as_float(0x3E1D89D9u));
    q = accelFma(q, zHi, as_float(0x3E3A2E8Cu));
    q = accelFma(q, zHi, as_float(0x3E638E39u));
    q = accelFma(q, zHi, as_float(0x3E924925u));
    q = accelFma(q, zHi, as_float(0x3ECCCCCDu));
    float tail = sHi * (zHi * zHi) * q;
    float kf = (float)k;
    float kHi = kf * SPEC_LN2_HI;
    float twoSHi = 2.0f * sHi;
    float sum1 = kHi + twoSHi;
    float error1 = twoSHi - (sum1 - kHi);
    float sum2 = sum1 + tHi;
    float error2 = tHi - (sum2 - sum1);
    float low = error1 + error2;
    low += 2.0f * sLo;
    low += tLo;
    low += tail;
    low += kf * SPEC_LN2_LO;
    return sum2 + low;
}

// SpecMath.Logistic
inline float specLogistic(float x)
{
    if (accelIsNan(x)) return x;
    if (x < SPEC_LOGISTIC_LOW) return specExp(x);
    float denominator = 1.0f + specExp(-x);
    return specReciprocalAtLeastOne(denominator);
}

// SpecMath.HardSwish: (x * clamp(x + 3, 0, 6)) * RN(1/6), two rounded multiplies in that order.
inline float specHardSwish(float x)
{
    float t = x + 3.0f;
    float r = accelClamp(t, 0.0f, 6.0f);
    float product = x * r;
    return product * SPEC_ONE_SIXTH;
}

// SpecMath.Divide (Runtime.Core/Numerics/SpecMath.Divide.cs) operation for operation: a / b correctly rounded (round to
// nearest even, gradual underflow, IEEE specials) with 32-bit integer operations only, a long division of the
// significands with guard, round and sticky bits. NaN results are 0x7FC00000.
inline float specDivide(float a, float b)
{
    uint ax = as_uint(a), bx = as_uint(b);
    uint sign = (ax ^ bx) & 0x80000000u;
    uint aa = ax & 0x7FFFFFFFu, ba = bx & 0x7FFFFFFFu;
    const uint INF = 0x7F800000u, QNAN = 0x7FC00000u;
    if (aa > INF || ba > INF) return as_float(QNAN);
    if (aa == INF) return as_float(ba == INF ? QNAN : (sign | INF));
    if (ba == INF) return as_float(sign);
    if (ba == 0u) return as_float(aa == 0u ? QNAN : (sign | INF));
    if (aa == 0u) return as_float(sign);

    int ea = (int)(aa >> 23), eb = (int)(ba >> 23);
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
    if (e >= 255) return as_float(sign | INF);
    uint baseBits;
    if (e >= 1) baseBits = (uint)(e - 1) << 23;
    else
    {
        int shift = 1 - e;
        if (shift >= 26) { sticky = true; q = 0u; }
        else { sticky = sticky || (q & ((1u << (uint)shift) - 1u)) != 0u; q >>= (uint)shift; }
        baseBits = 0u;
    }
    uint m = q >> 2;
    bool halfway = (q & 2u) != 0u, below = (q & 1u) != 0u || sticky;
    if (halfway && (below || (m & 1u) != 0u)) m++;
    return as_float(sign | (baseBits + m));
}
