#version 450
#include "common.glsl"
#include "spec_math.glsl"
#include "spec_activation.glsl"
// ELU: x < 0 ? SpecMath.Expm1(x) : x elementwise (docs/numerics.md §ELU). Kernels/EluKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        float v = x[i];
        y[i] = v < 0.0 ? specExpm1(v) : v;
    }
}
