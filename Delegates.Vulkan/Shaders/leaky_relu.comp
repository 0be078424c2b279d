#version 450
#include "common.glsl"
// LEAKY_RELU: x > 0 ? x : x * alpha, one rounded multiply (docs/numerics.md §LEAKY_RELU). Kernels/LeakyReluKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push { uint total; float alpha; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        float v = x[i];
        precise float scaled = v * pc.alpha;
        y[i] = v > 0.0 ? v : scaled;
    }
}
