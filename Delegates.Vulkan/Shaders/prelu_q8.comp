#version 450
#include "common.glsl"
#include "quant.glsl"
// PRELU on packed int8/uint8 with alpha broadcast against x up to rank 4 (an alpha of x's own shape is indexed flat),
// as TFLite's reference_ops::BroadcastPrelu4DSlow (docs/numerics.md §Quantized execution, PRELU): x' = x − z_x;
// x' >= 0 ? MBQM(x', identity) : MBQM(x' · (α − z_α), alpha multiplier); + z_y, clamped to the type's range. Each
// invocation writes one output word (four elements). Kernels/PreluKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Alpha { uint alpha[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 dims;         // output shape, padded to rank 4
    ivec4 strideX;      // element strides of x per output dimension
    ivec4 strideAlpha;  // element strides of alpha (0 where it broadcasts)
    uint total;
    int inputOffset;
    int alphaOffset;
    int outputOffset;
    int identityMultiplier, identityShift;
    int alphaMultiplier, alphaShift;
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    ivec4 c = accelCoordinates(i, pc.dims);
    uint ix = uint(c.x * pc.strideX.x + c.y * pc.strideX.y + c.z * pc.strideX.z + c.w * pc.strideX.w);
    uint ia = uint(c.x * pc.strideAlpha.x + c.y * pc.strideAlpha.y + c.z * pc.strideAlpha.z + c.w * pc.strideAlpha.w);
    int v = accelLoad8(x[ix >> 2], ix, isSigned) + pc.inputOffset;
    int r;
    if (v >= 0)
    {
        r = accelMbqm(v, pc.identityMultiplier, pc.identityShift);
    }
    else
    {
        int a = accelLoad8(alpha[ia >> 2], ia, isSigned) + pc.alphaOffset;
        r = accelMbqm(v * a, pc.alphaMultiplier, pc.alphaShift);
    }
    return isSigned ? accelClampInt(r + pc.outputOffset, -128, 127) : accelClampInt(r + pc.outputOffset, 0, 255);
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
