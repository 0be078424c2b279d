#version 450
#include "common.glsl"
#include "quant.glsl"
// RESIZE_BILINEAR on packed int8/uint8 NHWC: TFLite's reference ResizeBilinearInteger (docs/numerics.md §Quantized
// execution). Source s = o · step (half-pixel centers: o · step + step/2 − 2^9) in Q10, neighbours max(s / 2^10, 0) and
// min((s + 2^10 − 1) / 2^10, size − 1) with truncating division, the four products of values and Q10 weights summed
// (|sum| < 2^31: the weights of an axis add up to 2^10 and each is at most 1.5 · 2^10), then (sum ± 2^19) / 2^20
// (halves away from zero), stored as its low byte. One output word per invocation. Kernels/ResizeBilinearKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;
layout(constant_id = 1) const int HALF_PIXEL_CENTERS = 0;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C
    ivec4 outputDims;  // N, outH, outW, C
    int heightStep;    // Q10
    int widthStep;
    uint total;
} pc;

ivec3 interpolation(int o, int step, int size)
{
    int s = HALF_PIXEL_CENTERS != 0 ? o * step + step / 2 - (1 << 9) : o * step;
    int lower = s / (1 << 10);
    int upper = (s + (1 << 10) - 1) / (1 << 10);
    return ivec3(s, lower > 0 ? lower : 0, upper < size - 1 ? upper : size - 1);
}

int load(int index)
{
    uint i = uint(index);
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

uint element(uint i)
{
    ivec4 o = accelCoordinates(i, pc.outputDims);
    ivec3 ry = interpolation(o.y, pc.heightStep, pc.inputDims.y);
    ivec3 rx = interpolation(o.z, pc.widthStep, pc.inputDims.z);
    int wy1 = ry.x - (1 << 10) * ry.y, wy0 = (1 << 10) - wy1;
    int wx1 = rx.x - (1 << 10) * rx.y, wx0 = (1 << 10) - wx1;
    int row0 = (o.x * pc.inputDims.y + ry.y) * pc.inputDims.z, row1 = (o.x * pc.inputDims.y + ry.z) * pc.inputDims.z;
    int c = o.w, depth = pc.inputDims.w;
    int sum = load((row0 + rx.y) * depth + c) * wy0 * wx0
            + load((row1 + rx.y) * depth + c) * wy1 * wx0
            + load((row0 + rx.z) * depth + c) * wy0 * wx1
            + load((row1 + rx.z) * depth + c) * wy1 * wx1;
    int rounded = (sum + (sum > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20);
    return uint(rounded) & 0xFFu;
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= element(i) << (8u * k);
        }
        y[word] = packed;
    }
}
