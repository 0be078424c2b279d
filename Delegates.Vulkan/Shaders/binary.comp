#version 450
#include "common.glsl"
// ADD / SUB / MUL (float32) with NumPy broadcasting up to rank 4 and the fused-activation clamp:
// out[i] = clamp(a[ia] op b[ib]), one rounded operation (docs/numerics.md §ADD, SUB, MUL). Kernels/BinaryArithmeticKernel.cs.

layout(constant_id = 0) const int OPERATION = 0; // 0 = add, 1 = sub (a - b), 2 = mul

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
        else r = x * z;
        y[i] = accelClamp(r, pc.lo, pc.hi);
    }
}
