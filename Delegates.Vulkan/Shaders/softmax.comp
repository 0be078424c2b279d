#version 450
#include "common.glsl"
#include "spec_math.glsl"
// SOFTMAX (float32) over the last dimension (docs/numerics.md §SOFTMAX). Kernels/SoftmaxKernel.cs.
// One invocation per row, every step in the reference's order: m = the row's maximum (NaN wins); e_i = specExp((x_i - m)
// * beta), stored in y; sum = e_0 + e_1 + ... from +0, one rounded add each; y_i = e_i * SoftmaxMultiplier(sum).

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) buffer Output { float y[]; }; // holds e_i between the sum and the final multiply

layout(push_constant) uniform Push
{
    uint rows;   // elements / depth
    uint depth;  // the last dimension, >= 1
    float beta;
} pc;

#define SPEC_SOFTMAX_SUM_LIMIT uintBitsToFloat(0x7E800000u) // 2^126 (SpecMath.SoftmaxSumLimit)

// SpecMath.SoftmaxMultiplier: NaN -> NaN; sum >= 2^126 (+inf included, only with beta < 0) -> +0; otherwise 1/sum by
// ReciprocalAtLeastOne (sum >= 1: the maximum contributes specExp(0) = 1).
float softmaxMultiplier(float sum)
{
    if (accelIsNan(sum)) return sum;
    if (sum >= SPEC_SOFTMAX_SUM_LIMIT) return 0.0;
    return specReciprocalAtLeastOne(sum);
}

void main()
{
    ACCEL_FOR_EACH(row, pc.rows)
    {
        uint base = row * pc.depth;
        float m = x[base];
        for (uint i = 1u; i < pc.depth; i++)
        {
            float v = x[base + i];
            if (v > m || accelIsNan(v)) m = v;
        }
        precise float sum = 0.0;
        for (uint i = 0u; i < pc.depth; i++)
        {
            precise float t = x[base + i] - m;
            t = t * pc.beta;
            float e = specExp(t);
            y[base + i] = e;
            sum = sum + e;
        }
        float r = softmaxMultiplier(sum);
        for (uint i = 0u; i < pc.depth; i++)
        {
            precise float scaled = y[base + i] * r;
            y[base + i] = scaled;
        }
    }
}
