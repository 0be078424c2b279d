// SpecMath.Erfc and SpecMath's two GELU forms (docs/numerics.md §Erf, §GELU), operation for operation, constants by
// bit pattern (SpecMath.Erf.cs's decimal literals, each the nearest float). Every result is `precise` (one rounding per
// operation, no contraction), accelFma() exactly where SpecMath has an FMA. Include after common.glsl, spec_math.glsl
// and spec_activation.glsl.

#define SPEC_ERF_SMALL_C7  uintBitsToFloat(0xB70FEA2Eu)
#define SPEC_ERF_SMALL_C6  uintBitsToFloat(0x38E3B9A4u)
#define SPEC_ERF_SMALL_C5  uintBitsToFloat(0xBA5CCF5Bu)
#define SPEC_ERF_SMALL_C4  uintBitsToFloat(0x3BAAEE63u)
#define SPEC_ERF_SMALL_C3  uintBitsToFloat(0xBCDC10F3u)
#define SPEC_ERF_SMALL_C2  uintBitsToFloat(0x3DE7174Fu)
#define SPEC_ERF_SMALL_C1  uintBitsToFloat(0xBEC093A2u)
#define SPEC_ERF_SMALL_C0  uintBitsToFloat(0x3E0375D4u)
#define SPEC_ERFC_MID_C11  uintBitsToFloat(0xB7AAC51Cu)
#define SPEC_ERFC_MID_C10  uintBitsToFloat(0x38865FAEu)
#define SPEC_ERFC_MID_C9   uintBitsToFloat(0xB928D18Eu)
#define SPEC_ERFC_MID_C8   uintBitsToFloat(0x39F5122Au)
#define SPEC_ERFC_MID_C7   uintBitsToFloat(0xBAADD95Au)
#define SPEC_ERFC_MID_C6   uintBitsToFloat(0x3B68FBB8u)
#define SPEC_ERFC_MID_C5   uintBitsToFloat(0xBC14CAC9u)
#define SPEC_ERFC_MID_C4   uintBitsToFloat(0x3CB450A3u)
#define SPEC_ERFC_MID_C3   uintBitsToFloat(0xBD4DB1AEu)
#define SPEC_ERFC_MID_C2   uintBitsToFloat(0x3DDAB7A5u)
#define SPEC_ERFC_MID_C1   uintBitsToFloat(0xBE55D567u)
#define SPEC_ERFC_MID_C0   uintBitsToFloat(0x3EBC5349u)
#define SPEC_ERFC_TAIL_C11 uintBitsToFloat(0xBDFC099Eu)
#define SPEC_ERFC_TAIL_C10 uintBitsToFloat(0xBF783AC7u)
#define SPEC_ERFC_TAIL_C9  uintBitsToFloat(0x3F633B53u)
#define SPEC_ERFC_TAIL_C8  uintBitsToFloat(0xBE458EFDu)
#define SPEC_ERFC_TAIL_C7  uintBitsToFloat(0xBE887F48u)
#define SPEC_ERFC_TAIL_C6  uintBitsToFloat(0x3EAEE0CAu)
#define SPEC_ERFC_TAIL_C5  uintBitsToFloat(0xBE22403Au)
#define SPEC_ERFC_TAIL_C4  uintBitsToFloat(0xBDA70245u)
#define SPEC_ERFC_TAIL_C3  uintBitsToFloat(0x3E5510EEu)
#define SPEC_ERFC_TAIL_C2  uintBitsToFloat(0xBE0AD67Eu)
#define SPEC_ERFC_TAIL_C1  uintBitsToFloat(0xBE09D4D9u)
#define SPEC_ERFC_TAIL_C0  uintBitsToFloat(0x3F0AA879u)
#define SPEC_ERFC_MID_CENTER  uintBitsToFloat(0x3FA00000u)
#define SPEC_ERFC_TAIL_CENTER uintBitsToFloat(0x3E99999Au)
#define SPEC_ERFC_UNDERFLOW   uintBitsToFloat(0x41233333u)
#define SPEC_GELU_NEG_SQRT_HALF uintBitsToFloat(0xBF3504F3u)
#define SPEC_GELU_SQRT_2_OVER_PI uintBitsToFloat(0x3F4C422Au)
#define SPEC_GELU_CUBIC       uintBitsToFloat(0x3D372713u)

// SpecMath.ErfSmall: fma(x, P(x²), x) for |x| < 1.
float specErfSmall(float x)
{
    precise float u = x * x;
    precise float p = SPEC_ERF_SMALL_C7;
    p = accelFma(p, u, SPEC_ERF_SMALL_C6);
    p = accelFma(p, u, SPEC_ERF_SMALL_C5);
    p = accelFma(p, u, SPEC_ERF_SMALL_C4);
    p = accelFma(p, u, SPEC_ERF_SMALL_C3);
    p = accelFma(p, u, SPEC_ERF_SMALL_C2);
    p = accelFma(p, u, SPEC_ERF_SMALL_C1);
    p = accelFma(p, u, SPEC_ERF_SMALL_C0);
    precise float result = accelFma(x, p, x);
    return result;
}

// SpecMath.ErfcAtLeastHalf: e^(−x²)·R(x) for x ≥ 0.5 (+∞ included), +0 from 10.2 on.
float specErfcAtLeastHalf(float x)
{
    if (x >= SPEC_ERFC_UNDERFLOW) return 0.0;
    precise float square = x * x;
    precise float squareLow = accelFma(x, x, -square);
    precise float e = specExp(-square);
    e = accelFma(e, -squareLow, e);
    precise float r;
    if (x < 2.0)
    {
        precise float s = x - SPEC_ERFC_MID_CENTER;
        r = SPEC_ERFC_MID_C11;
        r = accelFma(r, s, SPEC_ERFC_MID_C10);
        r = accelFma(r, s, SPEC_ERFC_MID_C9);
        r = accelFma(r, s, SPEC_ERFC_MID_C8);
        r = accelFma(r, s, SPEC_ERFC_MID_C7);
        r = accelFma(r, s, SPEC_ERFC_MID_C6);
        r = accelFma(r, s, SPEC_ERFC_MID_C5);
        r = accelFma(r, s, SPEC_ERFC_MID_C4);
        r = accelFma(r, s, SPEC_ERFC_MID_C3);
        r = accelFma(r, s, SPEC_ERFC_MID_C2);
        r = accelFma(r, s, SPEC_ERFC_MID_C1);
        r = accelFma(r, s, SPEC_ERFC_MID_C0);
    }
    else
    {
        float t = specReciprocalAtLeastOne(x);
        precise float s = t - SPEC_ERFC_TAIL_CENTER;
        precise float h = SPEC_ERFC_TAIL_C11;
        h = accelFma(h, s, SPEC_ERFC_TAIL_C10);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C9);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C8);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C7);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C6);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C5);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C4);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C3);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C2);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C1);
        h = accelFma(h, s, SPEC_ERFC_TAIL_C0);
        r = t * h;
    }
    precise float result = e * r;
    return result;
}

// SpecMath.Erfc: NaN → x; |x| < 0.5 → 1 − ErfSmall(x); x ≤ −0.5 → 2 − ErfcAtLeastHalf(−x); else ErfcAtLeastHalf(x).
float specErfc(float x)
{
    if (accelIsNan(x)) return x;
    precise float result;
    if (x > -0.5 && x < 0.5) result = 1.0 - specErfSmall(x);
    else if (x < 0.0) result = 2.0 - specErfcAtLeastHalf(-x);
    else result = specErfcAtLeastHalf(x);
    return result;
}

// SpecMath.GeluExact: (0.5 · x) · Erfc(x · (−1/√2)).
float specGeluExact(float x)
{
    precise float z = x * SPEC_GELU_NEG_SQRT_HALF;
    precise float halfX = 0.5 * x;
    precise float result = halfX * specErfc(z);
    return result;
}

// SpecMath.GeluApproximate: (0.5 · x) · (1 + Tanh(√(2/π) · (x + ((0.044715 · x) · x) · x))).
float specGeluApproximate(float x)
{
    precise float cube = SPEC_GELU_CUBIC * x;
    cube = cube * x;
    cube = cube * x;
    precise float sum = x + cube;
    precise float inner = SPEC_GELU_SQRT_2_OVER_PI * sum;
    precise float halfX = 0.5 * x;
    precise float onePlus = 1.0 + specTanh(inner);
    precise float result = halfX * onePlus;
    return result;
}
