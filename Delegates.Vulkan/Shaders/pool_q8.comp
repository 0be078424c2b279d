#version 450
#include "common.glsl"
#include "quant.glsl"
// Integer MAX_POOL_2D (MODE 0) and AVERAGE_POOL_2D (MODE 1) on packed int8/uint8 NHWC (docs/numerics.md §Quantized
// execution): over the in-bounds taps the maximum, or the exact sum divided by the tap count with halves away from
// zero ((s ± n/2) / n, truncating); then the activation clamp; no rescaling. One output word per invocation.
// Kernels/QuantizedPool.cs.

layout(constant_id = 0) const int MODE = 0;
layout(constant_id = 1) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C
    ivec4 outputDims;  // N, outH, outW, C
    ivec4 window;      // filterH, filterW, strideH, strideW
    int padTop;
    int padLeft;
    uint total;
    int activationMin;
    int activationMax;
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    ivec4 o = accelCoordinates(i, pc.outputDims);
    int originY = o.y * pc.window.z - pc.padTop;
    int originX = o.z * pc.window.w - pc.padLeft;
    // The reference's Pool2DGeometry.Taps: [max(0, -origin), min(filter, size - origin)).
    int kyStart = originY < 0 ? -originY : 0;
    int kyEnd = pc.inputDims.y - originY < pc.window.x ? pc.inputDims.y - originY : pc.window.x;
    int kxStart = originX < 0 ? -originX : 0;
    int kxEnd = pc.inputDims.z - originX < pc.window.y ? pc.inputDims.z - originX : pc.window.y;
    int acc = MODE == 0 ? int(0x80000000u) : 0;
    int count = 0;
    for (int ky = kyStart; ky < kyEnd; ky++)
    {
        int row = (o.x * pc.inputDims.y + originY + ky) * pc.inputDims.z + originX;
        for (int kx = kxStart; kx < kxEnd; kx++)
        {
            uint xi = uint((row + kx) * pc.inputDims.w + o.w);
            int v = accelLoad8(x[xi >> 2], xi, isSigned);
            acc = MODE == 0 ? (v > acc ? v : acc) : acc + v;
            count++;
        }
    }
    if (MODE == 1) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return accelClampInt(acc, pc.activationMin, pc.activationMax);
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
