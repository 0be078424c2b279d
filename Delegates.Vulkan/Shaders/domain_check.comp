#version 450
#include "common.glsl"
// The reference's Invoke-time input checks, run on the device before the node: a quantized SQRT/RSQRT input below its
// zero point (EQUAL 0: value < bound) and an 8-bit DIV denominator at its zero point (EQUAL 1: value == bound) are
// errors naming the first offending element. Mode 0 walks every element: an offender does atomicMin(status[0], its
// index). Mode 1 (one invocation, recorded after mode 0): when status[0] names an element, status[1] = its value. The
// host fills status with 0xFFFFFFFF before, reads it after the partition's last fence and throws the reference's error
// before any output is copied out (VulkanPartitionBuilder.CheckInput). 8-bit tensors are four elements per 32-bit word,
// int16 two (the host's bytes), int32 one; SIGNED 0 reads uint8. An int16/int32 DIV denominator of 0 is EQUAL 1, bound 0.

layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const int BITS = 8;
layout(constant_id = 2) const int EQUAL = 0;
layout(constant_id = 3) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) buffer Status { uint status[]; };

layout(push_constant) uniform Push { uint total; int bound; } pc;

int element(uint i)
{
    uint perWord = 32u / uint(BITS);
    int offset = int(uint(BITS) * (i % perWord));
    uint word = x[i / perWord];
    return SIGNED != 0 ? bitfieldExtract(int(word), offset, BITS) : int(bitfieldExtract(word, offset, BITS));
}

void main()
{
    if (MODE == 1)
    {
        if (gl_GlobalInvocationID.x == 0u && status[0] != 0xFFFFFFFFu) status[1] = uint(element(status[0]));
        return;
    }
    ACCEL_FOR_EACH(i, pc.total)
    {
        int value = element(i);
        if (EQUAL != 0 ? value == pc.bound : value < pc.bound) atomicMin(status[0], i);
    }
}
