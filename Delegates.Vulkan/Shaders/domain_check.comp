#version 450
#include "common.glsl"
// The reference's Invoke-time input check of quantized SQRT and RSQRT (an element below the input's zero point is an
// error naming it), run on the device before the node's lookup. Mode 0 walks every element: one below `minimum` does
// atomicMin(status[0], its index). Mode 1 (one invocation, recorded after mode 0): when status[0] names an element,
// status[1] = its value (sign-extended). The host fills status with 0xFFFFFFFF before, reads it after the partition's
// last fence and throws the reference's error before any output is copied out (VulkanPartitionBuilder.CheckInput).
// 8-bit tensors are four elements per 32-bit word, int16 two (the host's bytes).

layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const int BITS = 8;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) buffer Status { uint status[]; };

layout(push_constant) uniform Push { uint total; int minimum; } pc;

int element(uint i)
{
    uint perWord = 32u / uint(BITS);
    return bitfieldExtract(int(x[i / perWord]), int(uint(BITS) * (i % perWord)), BITS);
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
        if (element(i) < pc.minimum) atomicMin(status[0], i);
    }
}
