// TANH, ELU, GELU and PRELU (float32). SpecMath.Expm1, Tanh, Erfc and the two GELU forms (docs/numerics.md §Expm1,
// §Tanh, §Erf, §GeluExact) operation for operation, as Delegates.Vulkan's spec_activation.glsl and spec_erf.glsl:
// accelFma exactly where SpecMath has an FMA, every other operation one rounded binary32 operation (FP_CONTRACT OFF),
// constants by bit pattern. Every literal carries the f suffix: an unsuffixed one is a double in OpenCL C.
// Kernels/ActivationKernels.cs.

#define SPEC_EXPM1_C8        as_float(0x37D00D01u)
#define SPEC_EXPM1_TINY      as_float(0x33000000u)
#define SPEC_EXPM1_DIRECT    as_float(0x41840000u)
#define SPEC_TANH_SATURATION as_float(0x4111999Au)

// SpecMath.Expm1
inline float specExpm1(float x)
{
    if (accelIsNan(x)) return x;
    if (x > -SPEC_EXPM1_TINY && x < SPEC_EXPM1_TINY) return x;
    if (x > SPEC_EXPM1_DIRECT || x < -SPEC_EXPM1_DIRECT) return specExp(x) - 1.0f;
    float scaled = x * SPEC_LOG2E;
    float n = rint(scaled); // round half to even, exact
    float r = accelFma(-n, SPEC_LN2_HI, x);
    r = accelFma(-n, SPEC_LN2_LO, r);
    float p = SPEC_EXPM1_C8;
    p = accelFma(p, r, SPEC_EXP_C7);
    p = accelFma(p, r, SPEC_EXP_C6);
    p = accelFma(p, r, SPEC_EXP_C5);
    p = accelFma(p, r, SPEC_EXP_C4);
    p = accelFma(p, r, SPEC_EXP_C3);
    p = accelFma(p, r, SPEC_EXP_C2);
    float square = r * r;
    float q = accelFma(p, square, r);
    if (n == 0.0f) return q;
    float s = specPow2((int)n);
    float sMinusOne = s - 1.0f;
    return accelFma(s, q, sMinusOne);
}

// SpecMath.Tanh: on |x|, e = Expm1(2|x|), t = e * ReciprocalAtLeastOne(e + 2), the sign bit of x copied onto t.
inline float specTanh(float x)
{
    if (accelIsNan(x)) return x;
    uint bits = as_uint(x);
    float magnitude = as_float(bits & 0x7FFFFFFFu);
    float t;
    if (magnitude > SPEC_TANH_SATURATION)
    {
        t = 1.0f;
    }
    else
    {
        float twice = 2.0f * magnitude;
        float e = specExpm1(twice);
        float denominator = e + 2.0f;
        t = e * specReciprocalAtLeastOne(denominator);
    }
    return as_float(as_uint(t) | (bits & 0x80000000u));
}

#define SPEC_ERF_SMALL_C7  as_float(0xB70FEA2Eu)
#define SPEC_ERF_SMALL_C6  as_float(0x38E3B9A4u)
#define SPEC_ERF_SMALL_C5  as_float(0xBA5CCF5Bu)
#define SPEC_ERF_SMALL_C4  as_float(0x3BAAEE63u)
#define SPEC_ERF_SMALL_C3  as_float(0xBCDC10F3u)
#define SPEC_ERF_SMALL_C2  as_float(0x3DE7174Fu)
#define SPEC_ERF_SMALL_C1  as_float(0xBEC093A2u)
#define SPEC_ERF_SMALL_C0  as_float(0x3E0375D4u)
#define SPEC_ERFC_MID_C11  as_float(0xB7AAC51Cu)
#define SPEC_ERFC_MID_C10  as_float(0x38865FAEu)
#define SPEC_ERFC_MID_C9   as_float(0xB928D18Eu)
#define SPEC_ERFC_MID_C8   as_float(0x39F5122Au)
#define SPEC_ERFC_MID_C7   as_float(0xBAADD95Au)
#define SPEC_ERFC_MID_C6   as_float(0x3B68FBB8u)
#define SPEC_ERFC_MID_C5   as_float(0xBC14CAC9u)
#define SPEC_ERFC_MID_C4   as_float(0x3CB450A3u)
#define SPEC_ERFC_MID_C3   as_float(0xBD4DB1AEu)
#define SPEC_ERFC_MID_C2   as_float(0x3DDAB7A5u)
#define SPEC_ERFC_MID_C1   as_float(0xBE55D567u)
#define SPEC_ERFC_MID_C0   as_float(0x3EBC5349u)
#define SPEC_ERFC_TAIL_C11 as_float(0xBDFC099Eu)
#define SPEC_ERFC_TAIL_C10 as_float(0xBF783AC7u)
#define SPEC_ERFC_TAIL_C9  as_float(0x3F633B53u)
#define SPEC_ERFC_TAIL_C8  as_float(0xBE458EFDu)
#define SPEC_ERFC_TAIL_C7  as_float(0xBE887F48u)
#define SPEC_ERFC_TAIL_C6  as_float(0x3EAEE0CAu)
#define SPEC_ERFC_TAIL_C5  as_float(0xBE22403Au)
#define SPEC_ERFC_TAIL_C4  as_float(0xBDA70245u)
#define SPEC_ERFC_TAIL_C3  as_float(0x3E5510EEu)
#define SPEC_ERFC_TAIL_C2  as_float(0xBE0AD67Eu)
#define SPEC_ERFC_TAIL_C1  as_float(0xBE09D4D9u)
#define SPEC_ERFC_TAIL_C0  as_float(0x3F0AA879u)
#define SPEC_ERFC_MID_CENTER  as_float(0x3FA00000u)
#define SPEC_ERFC_TAIL_CENTER as_float(0x3E99999Au)
#define SPEC_ERFC_UNDERFLOW   as_float(0x41233333u)
#define SPEC_GELU_NEG_SQRT_HALF  as_float(0xBF3504F3u)
#define SPEC_GELU_SQRT_2_OVER_PI as_float(0x3F4C422Au)
#define SPEC_GELU_CUBIC          as_float(0x3D372713u)

// SpecMath.ErfSmall: fma(x, P(x²), x) for |x| < 1.
inline float specErfSmall(float x)
{
    float u = x * x;
    float p = SPEC_ERF_SMALL_C7;
    p = accelFma(p, u, SPEC_ERF_SMALL_C6);
    p = accelFma(p, u, SPEC_ERF_SMALL_C5);
    p = accelFma(p, u, SPEC_ERF_SMALL_C4);
    p = accelFma(p, u, SPEC_ERF_SMALL_C3);
    p = accelFma(p, u, SPEC_ERF_SMALL_C2);
    p = accelFma(p, u, SPEC_ERF_SMALL_C1);
    p = accelFma(p, u, SPEC_ERF_SMALL_C0);
    return accelFma(x, p, x);
}

// SpecMath.ErfcAtLeastHalf: e^(−x²)·R(x) for x ≥ 0.5 (+∞ included), +0 from 10.2 on.
inline float specErfcAtLeastHalf(float x)
{
    if (x >= SPEC_ERFC_UNDERFLOW) return 0.0f;
    float square = x * x;
    float squareLow = accelFma(x, x, -square);
    float e = specExp(-square);
    e = accelFma(e, -squareLow, e);
    float r;
    if (x < 2.0f)
    {
        float s = x - SPEC_ERFC_MID_CENTER;
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
        float s = t - SPEC_ERFC_TAIL_CENTER;
        float h = SPEC_ERFC_TAIL_C11;
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
    return e * r;
}

// SpecMath.Erfc: NaN → x; |x| < 0.5 → 1 − ErfSmall(x); x ≤ −0.5 → 2 − ErfcAtLeastHalf(−x); else ErfcAtLeastHalf(x).
inline float specErfc(float x)
{
    if (accelIsNan(x)) return x;
    if (x > -0.5f && x < 0.5f) return 1.0f - specErfSmall(x);
    if (x < 0.0f) return 2.0f - specErfcAtLeastHalf(-x);
    return specErfcAtLeastHalf(x);
}

// SpecMath.GeluExact: (0.5 · x) · Erfc(x · (−1/√2)).
inline float specGeluExact(float x)
{
    float z = x * SPEC_GELU_NEG_SQRT_HALF;
    float halfX = 0.5f * x;
    return halfX * specErfc(z);
}

// SpecMath.GeluApproximate: (0.5 · x) · (1 + Tanh(√(2/π) · (x + ((0.044715 · x) · x) · x))).
inline float specGeluApproximate(float x)
{
    float cube = SPEC_GELU_CUBIC * x;
    cube = cube * x;
    cube = cube * x;
    float sum = x + cube;
    float inner = SPEC_GELU_SQRT_2_OVER_PI * sum;
    float halfX = 0.5f * x;
    float onePlus = 1.0f + specTanh(inner);
    return halfX * onePlus;
}

// TANH: SpecMath.Tanh elementwise (docs/numerics.md §TANH).
__kernel void tanh_kernel(__global const float* x, __global float* y, int unused)
{
    int i = get_global_id(0);
    y[i] = specTanh(x[i]);
}

// ELU: x < 0 ? SpecMath.Expm1(x) : x elementwise (docs/numerics.md §ELU); NaN, ±0 and x ≥ 0 pass unchanged.
__kernel void elu(__global const float* x, __global float* y, int unused)
{
    int i = get_global_id(0);
    float v = x[i];
    y[i] = v < 0.0f ? specExpm1(v) : v;
}

// GELU: SpecMath.GeluExact, or with approximate != 0 SpecMath.GeluApproximate (docs/numerics.md §GELU).
__kernel void gelu(__global const float* x, __global float* y, int approximate)
{
    int i = get_global_id(0);
    y[i] = approximate != 0 ? specGeluApproximate(x[i]) : specGeluExact(x[i]);
}

typedef struct
{
    int dims[4];         // output shape, padded on the left to rank 4 with 1
    int strideX[4];      // element strides of x per output dimension
    int strideAlpha[4];  // element strides of alpha (0 where it broadcasts)
} PreluArgs;

// PRELU: x >= 0 ? x : x * alpha with alpha broadcast against x up to rank 4 (an alpha of x's own shape is indexed
// flat), one rounded multiply (docs/numerics.md §PRELU); -0 stays -0, NaN stays NaN.
__kernel void prelu(__global const float* x, __global const float* alpha, __global float* y, PreluArgs pc)
{
    int i = get_global_id(0);
    int4 c = accelCoordinates(i, (int4)(pc.dims[0], pc.dims[1], pc.dims[2], pc.dims[3]));
    float v = x[c.x * pc.strideX[0] + c.y * pc.strideX[1] + c.z * pc.strideX[2] + c.w * pc.strideX[3]];
    float a = alpha[c.x * pc.strideAlpha[0] + c.y * pc.strideAlpha[1] + c.z * pc.strideAlpha[2] + c.w * pc.strideAlpha[3]];
    float scaled = v * a;
    y[i] = v >= 0.0f ? v : scaled;
}
