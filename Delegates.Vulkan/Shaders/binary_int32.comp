#version 450
#include "common.glsl"
// The int32 binary element-wise ops with NumPy broadcasting up to rank 6 (the layout of binary.comp), then the int32
// fused-activation clamp (NONE: the whole int32 range): ADD, SUB, MUL wrap modulo 2^32 (GLSL integer arithmetic keeps
// the low 32 bits, as the reference's unchecked operators), MAXIMUM/MINIMUM select the reference's way (a > b ? a : b),
// SQUARED_DIFFERENCE wraps twice (docs/numerics.md §ADD, SUB, MUL, §MAXIMUM, MINIMUM, §SQUARED_DIFFERENCE).
// DIV truncates toward zero on the magnitudes (unsigned division: no reliance on OpSDiv's rounding of negative operands),
// -2^31 / -1 saturating to 2^31 - 1 (docs/numerics.md §DIV); a zero denominator never gets here — domain_check.comp
// fails the invoke first (Kernels/BinaryArithmeticKernel.cs, Kernels/DivKernel.cs).

// 0 = add, 1 = sub (a - b), 2 = mul, 3 = maximum, 4 = minimum, 5 = squared difference ((a - b)^2), 6 = div
layout(constant_id = 0) const int OPERATION = 0;

layout(std430, set = 0, binding = 0) readonly buffer InputA { int a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { int b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { int y[]; };

layout(push_constant) uniform Push
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    uint total;
    int lo;          // int32 activation bounds (int32 min, max for NONE)
    int hi;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        uint rest = i;
        int ia = 0, ib = 0;
        for (int d = 5; d >= 0; d--)
        {
            int c = int(rest % uint(pc.dims[d]));
            rest /= uint(pc.dims[d]);
            ia += c * pc.strideA[d];
            ib += c * pc.strideB[d];
        }
        int x = a[ia];
        int z = b[ib];
        int r;
        if (OPERATION == 0) r = x + z;
        else if (OPERATION == 1) r = x - z;
        else if (OPERATION == 2) r = x * z;
        else if (OPERATION == 3) r = x > z ? x : z;
        else if (OPERATION == 4) r = x < z ? x : z;
        else if (OPERATION == 5)
        {
            int d = x - z;
            r = d * d;
        }
        else if (z == -1) r = x == int(0x80000000u) ? 0x7FFFFFFF : -x;
        else if (z == 0) r = 0; // unreachable: the invoke has already failed on the denominator check
        else
        {
            // |x| / |z| as unsigned words (|-2^31| = 2^31 fits), the sign restored: truncation toward zero.
            uint q = (x < 0 ? 0u - uint(x) : uint(x)) / (z < 0 ? 0u - uint(z) : uint(z));
            r = (x < 0) != (z < 0) ? int(0u - q) : int(q);
        }
        y[i] = r < pc.lo ? pc.lo : (r > pc.hi ? pc.hi : r);
    }
}
