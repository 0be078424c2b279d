#version 450
#include "common.glsl"
#include "quant.glsl"
// DEQUANTIZE packed int8/uint8 → float32 (docs/numerics.md §Dequantize): out = scale[c] · float(q − zero point[c]),
// one rounded multiply (q − zero point is exact in float32), per tensor or per channel c = (i / inner) % channels.
// Kernels/DequantizeKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Scales { float scales[]; };
layout(std430, set = 0, binding = 2) readonly buffer ZeroPoints { int zeroPoints[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    uint total;
    uint channels;
    uint inner;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        uint c = (i / pc.inner) % pc.channels;
        precise float centered = float(accelLoad8(x[i >> 2], i, SIGNED != 0) - zeroPoints[c]);
        precise float value = scales[c] * centered;
        y[i] = value;
    }
}
