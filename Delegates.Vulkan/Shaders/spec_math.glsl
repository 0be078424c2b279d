// docs/numerics.md §SpecMath in GLSL: Runtime.Core/Numerics/SpecMath.cs operation for operation. Every intermediate
// is `precise` (one rounding per operation, no contraction), accelFma() exactly where SpecMath uses
// MathF.FusedMultiplyAdd, constants given by their bit patterns.

#define SPEC_LOG2E        uintBitsToFloat(0x3FB8AA3Bu)
#define SPEC_LN2_HI       uintBitsToFloat(0x3F317200u)
#define SPEC_LN2_LO       uintBitsToFloat(0x35BFBE8Eu)
#define SPEC_EXP_C2       uintBitsToFloat(0x3F000000u)
#define SPEC_EXP_C3       uintBitsToFloat(0x3E2AAAABu)
#define SPEC_EXP_C4       uintBitsToFloat(0x3D2AAAABu)
#define SPEC_EXP_C5       uintBitsToFloat(0x3C088889u)
#define SPEC_EXP_C6       uintBitsToFloat(0x3AB60B61u)
#define SPEC_EXP_C7       uintBitsToFloat(0x39500D01u)
#define SPEC_EXP_OVERFLOW  uintBitsToFloat(0x42B17217u)
#define SPEC_EXP_UNDERFLOW uintBitsToFloat(0xC2D00000u)
#define SPEC_LOGISTIC_LOW uintBitsToFloat(0xC2AE0000u)
#define SPEC_R_OFFSET     uintBitsToFloat(0x3FB4B4B5u)
#define SPEC_R_SLOPE      uintBitsToFloat(0x3EF0F0F1u)
#define SPEC_ONE_SIXTH    uintBitsToFloat(0x3E2AAAABu)
#define SPEC_POS_INF      uintBitsToFloat(0x7F800000u)

// 2^k for k in [-126, 127], from the exponent bits.
float specPow2(int k)
{
    return intBitsToFloat((k + 127) << 23);
}

// SpecMath.Exp
float specExp(float x)
{
    if (accelIsNan(x)) return x;
    if (x > SPEC_EXP_OVERFLOW) return SPEC_POS_INF;
    if (x < SPEC_EXP_UNDERFLOW) return 0.0;
    precise float scaled = x * SPEC_LOG2E;
    precise float n = roundEven(scaled);
    precise float r = accelFma(-n, SPEC_LN2_HI, x);
    r = accelFma(-n, SPEC_LN2_LO, r);
    precise float p = SPEC_EXP_C7;
    p = accelFma(p, r, SPEC_EXP_C6);
    p = accelFma(p, r, SPEC_EXP_C5);
    p = accelFma(p, r, SPEC_EXP_C4);
    p = accelFma(p, r, SPEC_EXP_C3);
    p = accelFma(p, r, SPEC_EXP_C2);
    p = accelFma(p, r, 1.0);
    p = accelFma(p, r, 1.0);
    int k = int(n);
    precise float result;
    if (k > 127)
    {
        result = p * 2.0;
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
float specReciprocal1To2(float d)
{
    precise float y = accelFma(-SPEC_R_SLOPE, d, SPEC_R_OFFSET);
    precise float e = accelFma(-d, y, 1.0);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0);
    y = accelFma(y, e, y);
    e = accelFma(-d, y, 1.0);
    y = accelFma(y, e, y);
    return y;
}

// SpecMath.ReciprocalAtLeastOne: 1/d for d in [1, 2^126).
float specReciprocalAtLeastOne(float d)
{
    int bits = floatBitsToInt(d);
    int k = (bits >> 23) - 127;
    float m = intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
    precise float result = specReciprocal1To2(m) * specPow2(-k);
    return result;
}

// SpecMath.Log (Runtime.Core/Numerics/SpecMath.Log.cs): x = m · 2^k with m in [√½, √2], ln m = 2·atanh(s),
// s = (m − 1)/(m + 1), carried as hi + lo. NaN → NaN, x < 0 → NaN, ±0 → −∞, +∞ → +∞.
float specLog(float x)
{
    if (accelIsNan(x)) return x;
    if (x < 0.0) return uintBitsToFloat(0x7FC00000u);
    if (x == 0.0) return -SPEC_POS_INF;
    if (x == SPEC_POS_INF) return x;
    int bits = floatBitsToInt(x);
    int k = 0;
    if (bits < 0x00800000)
    {
        precise float scaledX = x * uintBitsToFloat(0x4B000000u);
        bits = floatBitsToInt(scaledX);
        k = -23;
    }
    k += (bits >> 23) - 127;
    int mantissaBits = (bits & 0x007FFFFF) | 0x3F800000;
    if (mantissaBits > 0x3FB504F3)
    {
        mantissaBits -= 0x00800000;
        k += 1;
    }
    float m = intBitsToFloat(mantissaBits);
    precise float f = m - 1.0;
    precise float dHi = m + 1.0;
    precise float dLo = m - (dHi - 1.0);
    float reciprocal = specReciprocalAtLeastOne(dHi);
    precise float sHi = f * reciprocal;
    precise float residual = accelFma(-sHi, dHi, f);
    residual = accelFma(-sHi, dLo, residual);
    precise float sLo = residual * reciprocal;
    precise float zHi = sHi * sHi;
    precise float zLo = accelFma(sHi, sHi, -zHi);
    zLo = accelFma(2.0 * sHi, sLo, zLo);
    const float twoThirdsHi = uintBitsToFloat(0x3F2AAAABu), twoThirdsLo = uintBitsToFloat(0xB2AAAAABu);
    precise float uHi = twoThirdsHi * zHi;
    precise float uLo = accelFma(twoThirdsHi, zHi, -uHi);
    uLo = accelFma(twoThirdsHi, zLo, uLo);
    uLo = accelFma(twoThirdsLo, zHi, uLo);
    precise float tHi = sHi * uHi;
    precise float tLo = accelFma(sHi, uHi, -tHi);
    tLo = accelFma(sHi, uLo, tLo);
    tLo = accelFma(sLo, uHi, tLo);
    precise float q = uintBitsToFloat(0x3E088889u);
    q = accelFma(q, zHi, uintBitsToFloat(0x3E1D89D9u));
    q = accelFma(q, zHi, uintBitsToFloat(0x3E3A2E8Cu));
    q = accelFma(q, zHi, uintBitsToFloat(0x3E638E39u));
    q = accelFma(q, zHi, uintBitsToFloat(0x3E924925u));
    q = accelFma(q, zHi, uintBitsToFloat(0x3ECCCCCDu));
    precise float zz = zHi * zHi;
    precise float sz = sHi * zz;
    precise float tail = sz * q;
    float kf = float(k);
    precise float kHi = kf * SPEC_LN2_HI;
    precise float twoSHi = 2.0 * sHi;
    precise float sum1 = kHi + twoSHi;
    precise float error1 = twoSHi - (sum1 - kHi);
    precise float sum2 = sum1 + tHi;
    precise float error2 = tHi - (sum2 - sum1);
    precise float low = error1 + error2;
    low = low + 2.0 * sLo;
    low = low + tLo;
    low = low + tail;
    low = low + kf * SPEC_LN2_LO;
    precise float result = sum2 + low;
    return result;
}

// SpecMath.Logistic
float specLogistic(float x)
{
    if (accelIsNan(x)) return x;
    if (x < SPEC_LOGISTIC_LOW) return specExp(x);
    precise float denominator = 1.0 + specExp(-x);
    return specReciprocalAtLeastOne(denominator);
}

// SpecMath.HardSwish: (x * clamp(x + 3, 0, 6)) * RN(1/6), two rounded multiplies in that order.
float specHardSwish(float x)
{
    precise float t = x + 3.0;
    float r = accelClamp(t, 0.0, 6.0);
    precise float product = x * r;
    product = product * SPEC_ONE_SIXTH;
    return product;
}
