// The binary element-wise ops with NumPy broadcasting up to rank 6, then the fused-activation clamp (MAXIMUM,
// MINIMUM, SQUARED_DIFFERENCE get [-inf, +inf], which passes every value). docs/numerics.md §ADD, SUB, MUL: one
// rounded operation; §MAXIMUM, MINIMUM: the reference's ternary with the operand order kept (never fmax/fmin);
// §SQUARED_DIFFERENCE: d = a - b rounded, then d * d rounded (FP_CONTRACT OFF: no fma). int32: wrapping.
// §DIV (float32 only): the correctly rounded quotient by specDivide, never '/' (2.5 ulp allowed in OpenCL C).
// Kernels/BinaryArithmeticKernel.cs.
typedef struct
{
    int dims[6];     // output shape, padded on the left to rank 6 with 1
    int strideA[6];  // element strides of a per output dimension (0 where a broadcasts)
    int strideB[6];
    uint lo;         // fused activation bounds as raw 32-bit words (float or int32)
    uint hi;
    int operation;   // 0 add, 1 sub, 2 mul, 3 maximum, 4 minimum, 5 squared difference, 6 div (float32)
} BinaryArgs;

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

inline int2 binaryOperands(int i, const BinaryArgs* pc)
{
    int rest = i, ia = 0, ib = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = rest % pc->dims[d];
        rest /= pc->dims[d];
        ia += c * pc->strideA[d];
        ib += c * pc->strideB[d];
    }
    return (int2)(ia, ib);
}

__kernel void binary(__global const float* a, __global const float* b, __global float* y, BinaryArgs pc)
{
    int i = get_global_id(0);
    int2 index = binaryOperands(i, &pc);
    float x = a[index.x], z = b[index.y], r;
    switch (pc.operation)
    {
        case 0: r = x + z; break;
        case 1: r = x - z; break;
        case 2: r = x * z; break;
        case 3: r = x > z ? x : z; break; // ordered >: false for NaN, so z (NaN or not) is taken
        case 4: r = x < z ? x : z; break;
        case 6: r = specDivide(x, z); break;
        default: { float d = x - z; r = d * d; break; }
    }
    y[i] = accelClamp(r, as_float(pc.lo), as_float(pc.hi));
}

__kernel void binary_int32(__global const int* a, __global const int* b, __global int* y, BinaryArgs pc)
{
    int i = get_global_id(0);
    int2 index = binaryOperands(i, &pc);
    int x = a[index.x], z = b[index.y], r;
    // Unsigned arithmetic wraps (signed overflow is undefined in C), as the reference's unchecked int32 does.
    switch (pc.operation)
    {
        case 0: r = as_int(as_uint(x) + as_uint(z)); break;
        case 1: r = as_int(as_uint(x) - as_uint(z)); break;
        case 2: r = as_int(as_uint(x) * as_uint(z)); break;
        case 3: r = x > z ? x : z; break;
        case 4: r = x < z ? x : z; break;
        default: { uint d = as_uint(x) - as_uint(z); r = as_int(d * d); break; }
    }
    int lo = as_int(pc.lo), hi = as_int(pc.hi);
    y[i] = r < lo ? lo : (r > hi ? hi : r);
}
