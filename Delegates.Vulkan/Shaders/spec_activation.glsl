// SpecMath.Expm1 and SpecMath.Tanh (docs/numerics.md §Expm1, §Tanh), operation for operation, constants by bit
// pattern. Include after common.glsl and spec_math.glsl.

#define SPEC_EXPM1_C8        uintBitsToFloat(0x37D00D01u)
#define SPEC_EXPM1_TINY      uintBitsToFloat(0x33000000u)
#define SPEC_EXPM1_DIRECT    uintBitsToFloat(0x41840000u)
#define SPEC_TANH_SATURATION uintBitsToFloat(0x4111999Au)

// SpecMath.Expm1
float specExpm1(float x)
{
    if (accelIsNan(x)) return x;
    if (x > -SPEC_EXPM1_TINY && x < SPEC_EXPM1_TINY) return x;
    if (x > SPEC_EXPM1_DIRECT || x < -SPEC_EXPM1_DIRECT)
    {
        precise float viaExp = specExp(x) - 1.0;
        return viaExp;
    }
    precise float scaled = x * SPEC_LOG2E;
    precise float n = roundEven(scaled);
    precise float r = accelFma(-n, SPEC_LN2_HI, x);
    r = accelFma(-n, SPEC_LN2_LO, r);
    precise float p = SPEC_EXPM1_C8;
    p = accelFma(p, r, SPEC_EXP_C7);
    p = accelFma(p, r, SPEC_EXP_C6);
    p = accelFma(p, r, SPEC_EXP_C5);
    p = accelFma(p, r, SPEC_EXP_C4);
    p = accelFma(p, r, SPEC_EXP_C3);
    p = accelFma(p, r, SPEC_EXP_C2);
    precise float square = r * r;
    precise float q = accelFma(p, square, r);
    if (n == 0.0) return q;
    float s = specPow2(int(n));
    precise float sMinusOne = s - 1.0;
    precise float result = accelFma(s, q, sMinusOne);
    return result;
}

// SpecMath.Tanh: on |x|, e = Expm1(2|x|), t = e * ReciprocalAtLeastOne(e + 2), the sign bit of x copied onto t.
float specTanh(float x)
{
    if (accelIsNan(x)) return x;
    uint bits = floatBitsToUint(x);
    float magnitude = uintBitsToFloat(bits & 0x7FFFFFFFu);
    precise float t;
    if (magnitude > SPEC_TANH_SATURATION)
    {
        t = 1.0;
    }
    else
    {
        precise float twice = 2.0 * magnitude;
        float e = specExpm1(twice);
        precise float denominator = e + 2.0;
        t = e * specReciprocalAtLeastOne(denominator);
    }
    return uintBitsToFloat(floatBitsToUint(t) | (bits & 0x80000000u));
}
