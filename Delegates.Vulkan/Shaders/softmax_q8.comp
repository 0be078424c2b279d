#version 450
#include "common.glsl"
#include "spec_divide.glsl"
#include "quant.glsl"
// SOFTMAX on packed int8/uint8 over the last dimension (docs/numerics.md §Quantized execution; TFLite's float-table
// kernel, as Runtime.Core's SoftmaxKernel): per row m = the largest stored value; sum = Σ table[255 − (m − x_j)] in
// order from +0 (binary32, `precise`: no reassociation); r = 1 / (sum · s_out) with the correctly rounded specDivide
// (OpFDiv may be off by 2.5 ulp); y_j = table[255 − (m − x_j)] · r, then int8: round halves away from zero + z_out,
// uint8: truncate (y_j + 0.5); the float-to-int conversion saturates (NaN gives 0) as .NET's does; clamped to the type.
// Vulkan's add and multiply are correctly rounded; the delegate refuses devices that flush subnormals. Each invocation
// writes one output word, computing the row sums of the (at most four) rows its elements fall in.
// Kernels/SoftmaxKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { float table[256]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint total;
    uint depth;
    float outputScale;
    int outputZeroPoint;
} pc;

int load(uint i)
{
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

// (int)value in .NET: truncation toward zero, saturating at the int range, NaN to 0.
int saturatingInt(float value)
{
    if (accelIsNan(value)) return 0;
    if (value >= 2147483648.0) return 0x7FFFFFFF;
    if (value <= -2147483648.0) return int(0x80000000u);
    return int(value);
}

// MathF.Round(value, MidpointRounding.AwayFromZero): below 2^23 the truncation and its remainder are exact.
float roundHalfAway(float value)
{
    if (!(abs(value) < 8388608.0)) return value; // NaN, infinities and integers stay
    float t = float(int(value));
    precise float fraction = value - t;
    precise float up = t + 1.0;
    precise float down = t - 1.0;
    return fraction >= 0.5 ? up : (fraction <= -0.5 ? down : t);
}

void main()
{
    bool isSigned = SIGNED != 0;
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        uint cachedRow = 0xFFFFFFFFu;
        int offset = 0;
        float inverse = 0.0;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i >= pc.total) break;
            uint row = i / pc.depth;
            if (row != cachedRow)
            {
                cachedRow = row;
                uint base = row * pc.depth;
                int largest = isSigned ? -128 : 0;
                for (uint j = 0u; j < pc.depth; j++)
                {
                    int v = load(base + j);
                    largest = v > largest ? v : largest;
                }
                offset = 255 - largest;
                precise float sum = 0.0;
                for (uint j = 0u; j < pc.depth; j++) sum = sum + table[offset + load(base + j)];
                precise float scaledSum = sum * pc.outputScale;
                inverse = specDivide(1.0, scaledSum);
            }
            precise float rescaled = table[offset + load(i)] * inverse;
            int q;
            if (isSigned)
            {
                q = saturatingInt(roundHalfAway(rescaled)) + pc.outputZeroPoint;
            }
            else
            {
                precise float halfUp = rescaled + 0.5;
                q = saturatingInt(halfUp);
            }
            packed |= accelPack8(isSigned ? accelClampInt(q, -128, 127) : accelClampInt(q, 0, 255), k);
        }
        y[word] = packed;
    }
}
