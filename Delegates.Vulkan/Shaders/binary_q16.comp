#version 450
#include "common.glsl"
// MAXIMUM and MINIMUM on int16 (TFLite's maximum_minimum.cc: the stored integers compared, inputs and output sharing
// one quantization): a > b ? a : b / a < b ? a : b with NumPy broadcasting up to rank 6 (the layout of binary_q8.comp).
// int16 tensors are the host's bytes, two elements per word; each invocation writes one output word.
// Kernels/BinaryElementwiseKernel.cs.

// 0 = maximum, 1 = minimum
layout(constant_id = 0) const int OPERATION = 0;

layout(std430, set = 0, binding = 0) readonly buffer InputA { uint a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { uint b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    uint total;
} pc;

int load16(uint word, uint i)
{
    return bitfieldExtract(int(word), int((i & 1u) * 16u), 16);
}

int element(uint i)
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
    int x = load16(a[uint(ia) >> 1], uint(ia));
    int z = load16(b[uint(ib) >> 1], uint(ib));
    return OPERATION == 0 ? (x > z ? x : z) : (x < z ? x : z);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 1u) / 2u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 2u; k++)
        {
            uint i = word * 2u + k;
            if (i < pc.total) packed |= (uint(element(i)) & 0xFFFFu) << (16u * k);
        }
        y[word] = packed;
    }
}
