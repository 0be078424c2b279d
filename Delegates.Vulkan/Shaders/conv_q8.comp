#version 450
#include "common.glsl"
#include "quant.glsl"
// Integer CONV_2D (MODE 0; FULLY_CONNECTED as a 1x1 convolution) and DEPTHWISE_CONV_2D (MODE 1) on packed int8/uint8
// NHWC (docs/numerics.md §Quantized execution): acc = Σ (w + filterOffset)·(x + inputOffset) over the in-bounds taps
// (an exact wrapping int32 sum: its order is free), + bias[c], then MultiplyByQuantizedMultiplier with the channel's
// (multiplier, shift), + output zero point, clamped to the activation range. Each invocation writes one output word
// (four consecutive elements). Kernels/QuantizedConv.cs.

layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const int SIGNED = 1;
layout(constant_id = 2) const int HAS_BIAS = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Filter { uint w[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bias { int bias[]; };
layout(std430, set = 0, binding = 3) readonly buffer Multipliers { ivec2 multipliers[]; }; // (mantissa, shift) per channel
layout(std430, set = 0, binding = 4) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C
    ivec4 outputDims;  // N, outH, outW, outC
    ivec4 window;      // KH, KW, strideH, strideW
    ivec4 spacing;     // dilationH, dilationW, padTop, padLeft
    int filterDepth;   // CONV_2D: input channels per group; DEPTHWISE_CONV_2D: depth multiplier
    int filtersPerGroup;
    int inputOffset;
    int filterOffset;
    int outputOffset;
    int activationMin;
    int activationMax;
    uint total;
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    ivec4 o = accelCoordinates(i, pc.outputDims);
    int oc = o.w;
    int originY = o.y * pc.window.z - pc.spacing.z;
    int originX = o.z * pc.window.w - pc.spacing.w;
    int acc = 0;
    for (int ky = 0; ky < pc.window.x; ky++)
    {
        int iy = originY + ky * pc.spacing.x;
        if (iy < 0 || iy >= pc.inputDims.y) continue;
        for (int kx = 0; kx < pc.window.y; kx++)
        {
            int ix = originX + kx * pc.spacing.y;
            if (ix < 0 || ix >= pc.inputDims.z) continue;
            int pixel = ((o.x * pc.inputDims.y + iy) * pc.inputDims.z + ix) * pc.inputDims.w;
            if (MODE == 0)
            {
                uint inputBase = uint(pixel + oc / pc.filtersPerGroup * pc.filterDepth);
                uint filterBase = uint(((oc * pc.window.x + ky) * pc.window.y + kx) * pc.filterDepth);
                for (int ci = 0; ci < pc.filterDepth; ci++)
                {
                    uint xi = inputBase + uint(ci), wi = filterBase + uint(ci);
                    acc += (accelLoad8(w[wi >> 2], wi, isSigned) + pc.filterOffset) * (accelLoad8(x[xi >> 2], xi, isSigned) + pc.inputOffset);
                }
            }
            else
            {
                uint xi = uint(pixel + oc / pc.filterDepth);
                uint wi = uint((ky * pc.window.y + kx) * pc.outputDims.w + oc);
                acc += (accelLoad8(w[wi >> 2], wi, isSigned) + pc.filterOffset) * (accelLoad8(x[xi >> 2], xi, isSigned) + pc.inputOffset);
            }
        }
    }
    if (HAS_BIAS != 0) acc += bias[oc];
    ivec2 m = multipliers[oc];
    return accelClampInt(accelMbqm(acc, m.x, m.y) + pc.outputOffset, pc.activationMin, pc.activationMax);
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
