#version 450
#include "common.glsl"
#include "spec_divide.glsl"
// The float32 binary element-wise ops with NumPy broadcasting up to rank 6, then the fused-activation clamp
// (MAXIMUM, MINIMUM, SQUARED_DIFFERENCE get [-inf, +inf], which passes every value): out[i] = clamp(a[ia] op b[ib]).
// ADD/SUB/MUL: one rounded operation (docs/numerics.md §ADD, SUB, MUL). MAXIMUM/MINIMUM: the reference's ternary,
// operand order kept (§MAXIMUM, MINIMUM: the second operand wins ties and unordered comparisons, so NaN propagates
// only from b and max(-0, +0) = +0, max(+0, -0) = -0); never GLSL max/min. SQUARED_DIFFERENCE: d = a - b rounded,
// then d * d rounded, no fma (§SQUARED_DIFFERENCE). DIV: the correctly rounded quotient by specDivide, never '/'
// (§DIV). Kernels/BinaryArithmeticKernel.cs, Kernels/DivKernel.cs.

// 0 = add, 1 = sub (a - b), 2 = mul, 3 = maximum, 4 = minimum, 5 = squared difference ((a - b)^2), 6 = div (a / b)
layout(constant_id = 0) const int OPERATION = 0;

layout(std430, set = 0, binding = 0) readonly buffer InputA { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    int dims[6];     // output shape, padded on the left to rank 6 with 1
    int strideA[6];  // element strides of a per output dimension (0 where a broadcasts)
    int strideB[6];
    uint total;
    float lo;        // fused activation bounds (-inf, +inf for NONE)
    float hi;
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
        float x = a[ia];
        float z = b[ib];
        precise float r;
        if (OPERATION == 0) r = x + z;
        else if (OPERATION == 1) r = x - z;
        else if (OPERATION == 2) r = x * z;
        else if (OPERATION == 3) r = x > z ? x : z;  // ordered >: false for NaN, so z (NaN or not) is taken
        else if (OPERATION == 4) r = x < z ? x : z;
        else if (OPERATION == 5)
        {
            precise float d = x - z;
            r = d * d;
        }
        else r = specDivide(x, z);
        y[i] = accelClamp(r, pc.lo, pc.hi);
    }
}
