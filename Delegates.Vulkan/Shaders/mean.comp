#version 450
#include "common.glsl"
// MEAN (float32): per output element sum = +0, then sum = sum + x over its input elements in the input's row-major
// order, then sum * R(n) with R(n) computed on the host (docs/numerics.md §MEAN). One output per invocation, one
// sequential accumulator. Kept and reduced dimensions come as up to four runs each (Kernels/MeanKernel.cs).

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 keptDims;        // output order (row-major)
    ivec4 keptStrides;     // input strides of the kept runs
    ivec4 reducedDims;     // summation order (row-major)
    ivec4 reducedStrides;  // input strides of the reduced runs
    uint total;            // output elements
    float reciprocal;      // R(n), +inf for n = 0
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 k = accelCoordinates(i, pc.keptDims);
        int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
        precise float sum = 0.0;
        for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
            for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
                for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
                {
                    int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                    for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                        sum = sum + x[base + r3 * pc.reducedStrides.w];
                }
        precise float mean = sum * pc.reciprocal;
        y[i] = mean;
    }
}
