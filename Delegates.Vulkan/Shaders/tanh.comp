#version 450
#include "common.glsl"
#include "spec_math.glsl"
#include "spec_activation.glsl"
// TANH: SpecMath.Tanh elementwise (docs/numerics.md §TANH). Kernels/TanhKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        y[i] = specTanh(x[i]);
    }
}
