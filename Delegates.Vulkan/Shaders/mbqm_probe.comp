#version 450
#include "common.glsl"
#include "quant.glsl"
// Test probe for quant.glsl (Delegates.Vulkan.Tests): out[i] = MultiplyByQuantizedMultiplier(x, multiplier, shift)
// for the triple in[3i..3i+2], and out2[i] = SaturatingRoundingDoublingHighMul(x, multiplier).

layout(std430, set = 0, binding = 0) readonly buffer Input { int v[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { int y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output2 { int z[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        y[i] = accelMbqm(v[3u * i], v[3u * i + 1u], v[3u * i + 2u]);
        z[i] = accelSrdhm(v[3u * i], v[3u * i + 1u]);
    }
}
