#version 450
#include "common.glsl"
// The float32 binary element-wise ops with NumPy broadcasting up to rank 4, then the fused-activation clamp
// (MAXIMUM, MINIMUM, SQUARED_DIFFERENCE get [-inf, +inf], which passes every value): out[i] = clamp(a[ia] op b[ib]).
// ADD/SUB/MUL: one rounded operation (docs/numerics.md §ADD, SUB, MUL). MAXIMUM/MINIMUM: the reference's ternary,
// operand order kept (§MAXIMUM, MINIMUM: the second operand wins ties and unordered comparisons, so NaN propagates
// only from b and max(-0, +0) = +0, max(+0, -0) = -0); never GLSL max/min. SQUARED_DIFFERENCE: d = a - b rounded,
// then d * d rounded, no fma (§SQUARED_DIFFERENCE). Kernels/BinaryArithmeticKernel.cs.

// 0 = add, 1 = sub (a - b), 2 = mul, 3 = maximum, 4 = minimum, 5 = squared difference ((a - b)^2)
layout(constant_id = 0) const int OPERATION = 0;

layout(std430, set = 0, binding = 0) readonly buffer InputA { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 dims;     // output shape, padded to rank 4
    ivec4 strideA;  // element strides of a per output dimension (0 where a broadcasts)
    ivec4 strideB;
    uint total;
    float lo;       // fused activation bounds (-inf, +inf for NONE)
    float hi;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 c = accelCoordinates(i, pc.dims);
        float x = a[c.x * pc.strideA.x + c.y * pc.strideA.y + c.z * pc.strideA.z + c.w * pc.strideA.w];
        float z = b[c.x * pc.strideB.x + c.y * pc.strideB.y + c.z * pc.strideB.z + c.w * pc.strideB.w];
        precise float r;
        if (OPERATION == 0) r = x + z;
        else if (OPERATION == 1) r = x - z;
        else if (OPERATION == 2) r = x * z;
        else if (OPERATION == 3) r = x > z ? x : z;  // ordered >: false for NaN, so z (NaN or not) is taken
        else if (OPERATION == 4) r = x < z ? x : z;
        else
        {
            precise float d = x - z;
            r = d * d;
        }
        y[i] = accelClamp(r, pc.lo, pc.hi);
    }
}
