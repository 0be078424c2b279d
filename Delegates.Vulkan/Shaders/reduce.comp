#version 450
#include "common.glsl"
// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN (float32): per output element acc = identity, then acc = combine(acc, x)
// over its input elements in the input's row-major order (docs/numerics.md §Reductions). One output per invocation,
// one sequential accumulator. Kept and reduced dimensions come as up to four runs each (Kernels/ReductionKernel.cs).
// copy = 1 (a scalar input): the output is the input, bit for bit.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 keptDims;        // output order (row-major)
    ivec4 keptStrides;     // input strides of the kept runs
    ivec4 reducedDims;     // fold order (row-major)
    ivec4 reducedStrides;  // input strides of the reduced runs
    uint total;            // output elements
    uint kind;             // 0 SUM, 1 REDUCE_PROD, 2 REDUCE_MAX, 3 REDUCE_MIN
    uint copy;
    float identity;        // +0, 1, -FLT_MAX, FLT_MAX
} pc;

float combine(float acc, float v)
{
    if (pc.kind == 0u) { precise float s = acc + v; return s; }
    if (pc.kind == 1u) { precise float p = acc * v; return p; }
    // Ordered comparisons (false with a NaN), written out: GLSL max/min are undefined for NaN.
    if (pc.kind == 2u) return acc > v ? acc : v;
    return acc < v ? acc : v;
}

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        if (pc.copy != 0u) { y[i] = x[i]; continue; }
        ivec4 k = accelCoordinates(i, pc.keptDims);
        int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
        precise float acc = pc.identity;
        for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
            for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
                for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
                {
                    int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                    for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                        acc = combine(acc, x[base + r3 * pc.reducedStrides.w]);
                }
        y[i] = acc;
    }
}
