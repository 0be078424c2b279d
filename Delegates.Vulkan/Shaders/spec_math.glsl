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
