#version 450
#include "common.glsl"
// Re-packs a filter computed at run time into the layout conv_block.glsl reads (Ops/ConvPacking.cs, whose Pack is
// the host twin used for constant filters): packed[(block*blockOctets + r)*8 + j] = filter[oc*channelStride +
// r*reductionStride] (OHWI: reduction, 1; depthwise [tap][oc]: 1, Cout) for reduction index r = tap*depth + ci and
// oc = group*perGroup + (block % blocksPerGroup)*8 + j; zero bits where that channel or r does not exist. Moves
// 32-bit words only.

layout(std430, set = 0, binding = 0) readonly buffer Filter { uint w[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Packed { uint packed[]; };

layout(push_constant) uniform Push
{
    int reduction;       // taps * depth
    int blockOctets;     // reduction rounded up to a multiple of 8
    int perGroup;        // filters per group
    int blocksPerGroup;  // ceil(perGroup / 8)
    uint total;          // packed floats
    int channelStride;   // filter elements between consecutive output channels
    int reductionStride; // filter elements between consecutive reduction indices
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        int j = int(i % 8u);
        int octet = int(i / 8u);
        int r = octet % pc.blockOctets;
        int block = octet / pc.blockOctets;
        int withinGroup = (block % pc.blocksPerGroup) * 8 + j;
        int oc = block / pc.blocksPerGroup * pc.perGroup + withinGroup;
        bool exists = withinGroup < pc.perGroup && r < pc.reduction;
        packed[i] = exists ? w[oc * pc.channelStride + r * pc.reductionStride] : 0u;
    }
}
