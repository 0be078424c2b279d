#version 450
#include "common.glsl"
#include "spec_divide.glsl"
#include "quant.glsl"
// QUANTIZE to packed int8/uint8 (docs/numerics.md §Quantized execution). SOURCE 0, float32 input:
// q = clamp(round(x / s) + zero point) with the correctly rounded division (specDivide) and halves away from zero; a
// NaN quotient counts as 0 and quotients of magnitude >= 1e9 saturate (the reference's QuantizeFloat). SOURCE 1,
// int8/uint8 input (SIGNED_INPUT): q = clamp(MultiplyByQuantizedMultiplier(x − input zero point) + output zero point).
// One output word per invocation. Kernels/QuantizeKernel.cs.

layout(constant_id = 0) const int SOURCE = 0;
layout(constant_id = 1) const int SIGNED_INPUT = 1;

layout(std430, set = 0, binding = 0) readonly buffer InputFloat { float xf[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputBytes { uint xb[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint total;
    float outputScale;
    int outputZeroPoint;
    int outputMin;
    int outputMax;
    int inputZeroPoint;
    int multiplier;
    int shift;
} pc;

int element(uint i)
{
    int value;
    if (SOURCE == 0)
    {
        float q = specDivide(xf[i], pc.outputScale);
        precise float t = trunc(q);
        precise float fraction = q - t; // exact
        precise float rounded = fraction >= 0.5 ? t + 1.0 : (fraction <= -0.5 ? t - 1.0 : t);
        if (accelIsNan(rounded)) value = pc.outputZeroPoint;
        else if (rounded >= 1e9) value = 0x7FFFFFFF / 2;
        else if (rounded <= -1e9) value = int(0x80000000u) / 2;
        else value = int(rounded) + pc.outputZeroPoint;
    }
    else
    {
        int x = accelLoad8(xb[i >> 2], i, SIGNED_INPUT != 0);
        value = accelMbqm(x - pc.inputZeroPoint, pc.multiplier, pc.shift) + pc.outputZeroPoint;
    }
    return accelClampInt(value, pc.outputMin, pc.outputMax);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
