#version 450
#include "common.glsl"
// Device self-check (VulkanNumericsProbe.CheckSubnormals): do subnormal operands and results survive addition,
// multiplication, comparison (the clamps) and accelFma? docs/numerics.md requires them preserved.

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Y { float y[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Sum { float sum[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Product { float product[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Clamped { float clamped[]; };
layout(std430, set = 0, binding = 5) writeonly buffer Fused { float fused[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        precise float s = x[i] + y[i];
        sum[i] = s;
        precise float p = x[i] * y[i];
        product[i] = p;
        clamped[i] = accelClamp(x[i], 0.0, uintBitsToFloat(0x7F800000u));
        fused[i] = accelFma(x[i], y[i], x[i]);
    }
}
