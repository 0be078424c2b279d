#version 450
#include "common.glsl"
#include "quant.glsl"
// REDUCE_MAX and REDUCE_MIN on packed int8/uint8 and int16 (WIDE; docs/numerics.md §Quantized execution; TFLite's reduce.cc on the
// stored integers, no rescaling): per output acc = the type's lowest (REDUCE_MAX) or largest (REDUCE_MIN) value, then
// the larger (smaller) of acc and each input element — exact, so the order is free; an empty reduction gives the
// identity. reduce.comp's layout (up to four kept and four reduced runs); copy = 1 (a scalar input or no axes): the
// input's elements. 8-bit data four per word, int16 two; each invocation writes one output word.
// Kernels/ReductionKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;
layout(constant_id = 1) const int WIDE = 0;  // 1: int16 elements

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

int load(uint i)
{
    if (WIDE != 0) return bitfieldExtract(int(x[i >> 1]), int((i & 1u) * 16u), 16);
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    if (pc.copy != 0u) return load(i);
    bool maximum = pc.kind == 2u;
    ivec4 k = accelCoordinates(i, pc.keptDims);
    int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
    int acc = WIDE != 0 ? (maximum ? -32768 : 32767) : maximum ? (isSigned ? -128 : 0) : (isSigned ? 127 : 255);
    for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
        for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
            for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
            {
                int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                {
                    int v = load(uint(base + r3 * pc.reducedStrides.w));
                    acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
                }
            }
    return acc;
}

void main()
{
    uint perWord = WIDE != 0 ? 2u : 4u;
    ACCEL_FOR_EACH(word, (pc.total + perWord - 1u) / perWord)
    {
        uint packed = 0u;
        for (uint k = 0u; k < perWord; k++)
        {
            uint i = word * perWord + k;
            if (i < pc.total)
                packed |= WIDE != 0 ? (uint(element(i)) & 0xFFFFu) << (16u * k) : accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
