#version 450
#include "common.glsl"
#include "spec_math.glsl"
#include "spec_activation.glsl"
#include "spec_erf.glsl"
// GELU: SpecMath.GeluExact or, with approximate, SpecMath.GeluApproximate elementwise (docs/numerics.md §GELU).
// Kernels/GeluKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push { uint total; uint approximate; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        y[i] = pc.approximate != 0u ? specGeluApproximate(x[i]) : specGeluExact(x[i]);
    }
}
