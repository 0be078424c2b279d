#version 450
#include "common.glsl"
#include "quant.glsl"
// int8 and uint8 TRANSPOSE_CONV (docs/numerics.md §Quantized execution; Runtime.Core's QuantizedTransposeConv): per output, the
// taps of the float gather (ky, kx where (oy + padTop − ky) / strideH and (ox + padLeft − kx) / strideW are exact and in
// range), acc = Σ (x + inputOffset)·(w + filterOffset) over them in wrapping int32 (exact, so TFLite's scatter order gives the same sum),
// + bias[c], the channel's MultiplyByQuantizedMultiplier, + output zero point, the clamp. Weights OHWI: int8 per-channel
// symmetric, or uint8 per tensor with a zero point. Each invocation writes one output word (four consecutive elements). Kernels/TransposeConvKernel.cs.

layout(constant_id = 0) const int HAS_BIAS = 1;
layout(constant_id = 1) const int SIGNED = 1;

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
    ivec4 offsets;     // padTop, padLeft, inputOffset, outputOffset
    int activationMin;
    int activationMax;
    uint total;
    int filterOffset;  // −(weights' zero point): 0 for int8
} pc;

int element(uint i)
{
    bool isSigned = SIGNED != 0;
    ivec4 o = accelCoordinates(i, pc.outputDims);
    int oc = o.w;
    int acc = 0;
    for (int ky = 0; ky < pc.window.x; ky++)
    {
        int rowNumerator = o.y + pc.offsets.x - ky;
        if (rowNumerator < 0 || rowNumerator % pc.window.z != 0) continue;
        int iy = rowNumerator / pc.window.z;
        if (iy >= pc.inputDims.y) continue;
        for (int kx = 0; kx < pc.window.y; kx++)
        {
            int colNumerator = o.z + pc.offsets.y - kx;
            if (colNumerator < 0 || colNumerator % pc.window.w != 0) continue;
            int ix = colNumerator / pc.window.w;
            if (ix >= pc.inputDims.z) continue;
            uint inputBase = uint(((o.x * pc.inputDims.y + iy) * pc.inputDims.z + ix) * pc.inputDims.w);
            uint filterBase = uint(((oc * pc.window.x + ky) * pc.window.y + kx) * pc.inputDims.w);
            for (int ci = 0; ci < pc.inputDims.w; ci++)
            {
                uint xi = inputBase + uint(ci), wi = filterBase + uint(ci);
                acc += (accelLoad8(x[xi >> 2], xi, isSigned) + pc.offsets.z) * (accelLoad8(w[wi >> 2], wi, isSigned) + pc.filterOffset);
            }
        }
    }
    if (HAS_BIAS != 0) acc += bias[oc];
    ivec2 m = multipliers[oc];
    return accelClampInt(accelMbqm(acc, m.x, m.y) + pc.offsets.w, pc.activationMin, pc.activationMax);
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
