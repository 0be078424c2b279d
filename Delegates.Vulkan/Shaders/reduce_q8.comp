#version 450
#include "common.glsl"
#include "quant.glsl"
// REDUCE_MAX and REDUCE_MIN on packed int8/uint8 (docs/numerics.md §Quantized execution; TFLite's reduce.cc on the
// stored integers, no rescaling): per output acc = the type's lowest (REDUCE_MAX) or largest (REDUCE_MIN) value, then
// the larger (smaller) of acc and each input element — exact, so the order is free; an empty reduction gives the
// identity. reduce.comp's layout (up to four kept and four reduced runs); copy = 1 (a scalar input or no axes): the
// input's bytes. Each invocation writes one output word. Kernels/ReductionKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 keptDims;        // output order (row-major)
    ivec4 keptStrides;     // input strides of the kept runs
    ivec4 reducedDims;
    ivec4 reducedStrides;  // input strides of the reduced runs
    uint total;            // output elements
    uint kind;             // 2 REDUCE_MAX, 3 REDUCE_MIN (reduce.comp's numbering)
    uint copy;
    float identity;        // unused here (the type's own bounds are): reduce.comp's push constants, shared
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    if (pc.copy != 0u) return accelLoad8(x[i >> 2], i, isSigned);
    bool maximum = pc.kind == 2u;
    ivec4 k = accelCoordinates(i, pc.keptDims);
    int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
    int acc = maximum ? (isSigned ? -128 : 0) : (isSigned ? 127 : 255);
    for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
        for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
            for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
            {
                int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                {
                    uint xi = uint(base + r3 * pc.reducedStrides.w);
                    int v = accelLoad8(x[xi >> 2], xi, isSigned);
                    acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
                }
            }
    return acc;
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
