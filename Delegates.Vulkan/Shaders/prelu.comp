#version 450
#include "common.glsl"
// PRELU: x >= 0 ? x : x * alpha with alpha broadcast against x up to rank 4 (an alpha of x's own shape is indexed
// flat), one rounded multiply (docs/numerics.md §PRELU). Kernels/PreluKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Alpha { float alpha[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 dims;         // output shape, padded to rank 4
    ivec4 strideX;      // element strides of x per output dimension
    ivec4 strideAlpha;  // element strides of alpha (0 where it broadcasts)
    uint total;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 c = accelCoordinates(i, pc.dims);
        float v = x[c.x * pc.strideX.x + c.y * pc.strideX.y + c.z * pc.strideX.z + c.w * pc.strideX.w];
        float a = alpha[c.x * pc.strideAlpha.x + c.y * pc.strideAlpha.y + c.z * pc.strideAlpha.z + c.w * pc.strideAlpha.w];
        precise float scaled = v * a;
        y[i] = v >= 0.0 ? v : scaled;
    }
}
