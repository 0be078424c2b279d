#version 450
#include "common.glsl"
// Re-packs a filter computed at run time into the layout conv_block.glsl reads (Kernels/ConvPacking.cs, whose Pack is
// the host twin used for constant filters): packed[block*blockFloats + r*blockSize + j] = filter[oc*channelStride +
// r*reductionStride] (OHWI: reduction, 1; depthwise [tap][oc]: 1, Cout) for reduction index r = tap*depth + ci and
// oc = group*perGroup + (block % blocksPerGroup)*blockSize + j; zero bits where that channel or r does not exist.
// Moves 32-bit words only.

layout(std430, set = 0, binding = 0) readonly buffer Filter { uint w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Packed { uint packed[]; };

layout(push_constant) uniform Push
{
    int reduction;       // taps * depth
    int blockFloats;     // reduction * blockSize rounded up to a multiple of 64
    int perGroup;        // filters per group
    int blocksPerGroup;  // ceil(perGroup / blockSize)
    uint total;          // packed floats
    int channelStride;   // filter elements between consecutive output channels
    int reductionStride; // filter elements between consecutive reduction indices
    int blockSize;       // output channels per block: 8 or 1
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        int block = int(i / uint(pc.blockFloats));
        int within = int(i % uint(pc.blockFloats));
        int r = within / pc.blockSize;
        int j = within % pc.blockSize;
        int withinGroup = (block % pc.blocksPerGroup) * pc.blockSize + j;
        int oc = block / pc.blocksPerGroup * pc.perGroup + withinGroup;
        bool exists = withinGroup < pc.perGroup && r < pc.reduction;
        packed[i] = exists ? w[oc * pc.channelStride + r * pc.reductionStride] : 0u;
    }
}
