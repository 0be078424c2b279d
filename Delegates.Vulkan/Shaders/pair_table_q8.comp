#version 450
#include "common.glsl"
#include "quant.glsl"
// The 8-bit binary ops that run through a 65,536-entry table of every (a, b) byte pair (docs/numerics.md §Quantized
// execution, "Backends"): the six comparisons, SQUARED_DIFFERENCE, DIV, MAXIMUM and MINIMUM on int8/uint8. Output byte
// = table[a · 256 + b], the table filled on the host with the reference's element formula (Kernels/PairTables.cs), so
// every element is the reference's by construction. NumPy broadcasting up to rank 6 (the layout of binary_q8.comp);
// 8-bit tensors (bool included) packed four per word; each invocation writes one output word. Kernels/PairTables.cs.

layout(std430, set = 0, binding = 0) readonly buffer InputA { uint a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { uint b[]; };
layout(std430, set = 0, binding = 2) readonly buffer Table { uint table[16384]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    uint total;
} pc;

uint element(uint i)
{
    uint rest = i;
    int ia = 0, ib = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = int(rest % uint(pc.dims[d]));
        rest /= uint(pc.dims[d]);
        ia += c * pc.strideA[d];
        ib += c * pc.strideB[d];
    }
    uint index = uint(accelLoad8(a[uint(ia) >> 2], uint(ia), false)) << 8 | uint(accelLoad8(b[uint(ib) >> 2], uint(ib), false));
    return bitfieldExtract(table[index >> 2], int(8u * (index & 3u)), 8);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= element(i) << (8u * k);
        }
        y[word] = packed;
    }
}
