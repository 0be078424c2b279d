#version 450
#include "common.glsl"
// Device self-check (VulkanNumericsProbe) and test shader: fused[i] = accelFma(a, b, c), which docs/numerics.md
// requires to be one fused multiply-add with a single rounding, and separate[i] = a * b + c as two rounded operations.
// The Vulkan spec only promises GLSL fma() the precision of "OpFMul followed by OpFAdd", so this is measured per device.

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) readonly buffer C { float c[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Fused { float fused[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Separate { float separate[]; };

layout(push_constant) uniform Push { uint total; } pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        fused[i] = accelFma(a[i], b[i], c[i]);
        precise float p = a[i] * b[i];
        precise float s = p + c[i];
        separate[i] = s;
    }
}
