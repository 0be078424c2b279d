#version 450
#include "common.glsl"
#include "quant.glsl"
// PAD on packed 8-bit data of rank <= 4 (docs/numerics.md §Quantized execution): the input byte at coordinate −
// before, the definition's pad byte (a quantized tensor's zero point, else 0) elsewhere; bytes are moved, never
// converted. One output word (four elements) per invocation. Kernels/PadKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;
    ivec4 outputDims;
    ivec4 before;
    uint total;
    uint padByte;
} pc;

uint element(uint i)
{
    ivec4 o = accelCoordinates(i, pc.outputDims);
    ivec4 c = o - pc.before;
    if (any(lessThan(c, ivec4(0))) || any(greaterThanEqual(c, pc.inputDims))) return pc.padByte;
    uint xi = uint(((c.x * pc.inputDims.y + c.y) * pc.inputDims.z + c.z) * pc.inputDims.w + c.w);
    return bitfieldExtract(x[xi >> 2], int(8u * (xi & 3u)), 8);
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
