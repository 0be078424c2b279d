#version 450
#include "common.glsl"
// RELU, RELU6: out = clamp(x, lo, hi) elementwise (docs/numerics.md §Activations). Kernels/ClampActivationKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    uint total;
    float lo;
    float hi;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        y[i] = accelClamp(x[i], pc.lo, pc.hi);
    }
}
