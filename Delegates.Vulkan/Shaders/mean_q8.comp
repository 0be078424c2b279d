#version 450
#include "common.glsl"
#include "quant.glsl"
// int8/uint8 MEAN (docs/numerics.md §MEAN; TFLite's reference QuantizedMeanOrSum as Runtime.Core's
// QuantizedMeanParams.Requantize): per output the stored integers of its inputs summed in wrapping int32 (exact, so the
// order is free), less zp_in·n (mod 2^32, as the reference's int64 difference truncated), MultiplyByQuantizedMultiplier
// with 1/n folded into the multiplier, + zp_out, clamped to the dtype; an empty reduction gives 0. The kept and reduced
// dimensions as up to four runs each (mean.comp's layout). Each invocation writes one output word. Kernels/MeanKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 keptDims;        // output order (row-major)
    ivec4 keptStrides;     // input strides of the kept runs
    ivec4 reducedDims;     // summation runs
    ivec4 reducedStrides;  // input strides of the reduced runs
    ivec4 requantize;      // zp_in·n (mod 2^32), multiplier, shift, zp_out
    int activationMin;
    int activationMax;
    uint total;            // output elements
    int empty;             // 1: no input element reaches an output (every output is 0)
} pc;

int element(uint i)
{
    if (pc.empty != 0) return 0;
    bool isSigned = SIGNED != 0;
    ivec4 k = accelCoordinates(i, pc.keptDims);
    int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
    int sum = 0;
    for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
        for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
            for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
            {
                int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                {
                    uint xi = uint(base + r3 * pc.reducedStrides.w);
                    sum += accelLoad8(x[xi >> 2], xi, isSigned);
                }
            }
    return accelClampInt(accelMbqm(sum - pc.requantize.x, pc.requantize.y, pc.requantize.z) + pc.requantize.w,
        pc.activationMin, pc.activationMax);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
