// The binary element-wise ops with NumPy broadcasting up to rank 6, then the fused-activation clamp (MAXIMUM,
// MINIMUM, SQUARED_DIFFERENCE get [-inf, +inf], which passes every value). docs/numerics.md §ADD, SUB, MUL: one
// rounded operation; §MAXIMUM, MINIMUM: the reference's ternary with the operand order kept (never fmax/fmin);
// §SQUARED_DIFFERENCE: d = a - b rounded, then d * d rounded (FP_CONTRACT OFF: no fma). int32: wrapping.
// §DIV (float32 only): the correctly rounded quotient by specDivide (common.cl), never '/' (2.5 ulp allowed in OpenCL C).
// int32 DIV: truncation toward zero on the magnitudes as unsigned words (-2^31 / -1 saturating to 2^31 - 1); a zero
// denominator never gets here — quant.cl's domain_check_i32 fails the invoke first (Kernels/DivKernel.cs).
// Kernels/BinaryArithmeticKernel.cs.
typedef struct
{
    int dims[6];     // output shape, padded on the left to rank 6 with 1
    int strideA[6];  // element strides of a per output dimension (0 where a broadcasts)
    int strideB[6];
    uint lo;         // fused activation bounds as raw 32-bit words (float or int32)
    uint hi;
    int operation;   // 0 add, 1 sub, 2 mul, 3 maximum, 4 minimum, 5 squared difference, 6 div
} BinaryArgs;

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
        case 6:
        {
            if (z == -1) { r = x == INT_MIN ? INT_MAX : -x; break; }
            if (z == 0) { r = 0; break; } // unreachable: the invoke has already failed on the denominator check
            uint q = (x < 0 ? 0u - as_uint(x) : as_uint(x)) / (z < 0 ? 0u - as_uint(z) : as_uint(z));
            r = (x < 0) != (z < 0) ? as_int(0u - q) : as_int(q);
            break;
        }
        default: { uint d = as_uint(x) - as_uint(z); r = as_int(d * d); break; }
    }
    int lo = as_int(pc.lo), hi = as_int(pc.hi);
    y[i] = r < lo ? lo : (r > hi ? hi : r);
}
