#version 450
#include "common.glsl"
// CONCATENATION of tensors whose blocks do not fall on 32-bit words (int8, uint8, int16, float16, bool: the host's
// bytes, four per word), one input per dispatch, in bytes: input byte b (block b / chunk, position b % chunk) goes to
// output byte block * outputChunk + offset + position (docs/numerics.md §CONCATENATION). Neighbouring bytes of one
// output word may come from different invocations, so each byte is OR-ed into its word (the output was zero-filled
// first) and every word ends with exactly its bytes. With RESCALE (uint8 inputs quantized unlike the output, TFLite's
// ConcatenationWithScaling) each byte x becomes clamp((int)round(x · scale + bias) + zero point, 0, 255): one rounded
// multiply, one rounded add (precise: no fma), halves away from zero. Kernels/ConcatenationKernel.cs.

#include "quant.glsl"

layout(constant_id = 0) const int RESCALE = 0;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint chunk;        // this input's bytes per index before the axis
    uint outputChunk;  // the output's bytes per index before the axis
    uint offset;       // where this input's block starts within the output's, in bytes
    uint total;        // this input's bytes
    float scale;       // RESCALE: s_in · (1 / s_out)
    float bias;        // RESCALE: −z_in · scale
    int outputZeroPoint;
} pc;

uint rescaled(uint q)
{
    precise float product = float(q) * pc.scale;
    precise float sum = product + pc.bias;
    precise float t = trunc(sum);
    precise float fraction = sum - t; // exact
    precise float rounded = fraction >= 0.5 ? t + 1.0 : (fraction <= -0.5 ? t - 1.0 : t);
    int value;
    if (accelIsNan(rounded)) value = pc.outputZeroPoint; // .NET's (int)NaN is 0
    else if (rounded > 512.0) value = 255;
    else if (rounded < -512.0) value = 0;
    else value = int(rounded) + pc.outputZeroPoint;
    return uint(accelClampInt(value, 0, 255));
}

void main()
{
    ACCEL_FOR_EACH(w, (pc.total + 3u) / 4u)
    {
        uint word = x[w];
        for (uint k = 0u; k < 4u; k++)
        {
            uint b = 4u * w + k;
            if (b >= pc.total) break;
            uint block = b / pc.chunk;
            uint o = block * pc.outputChunk + pc.offset + (b - block * pc.chunk);
            uint value = (word >> (8u * k)) & 0xFFu;
            if (RESCALE != 0) value = rescaled(value);
            atomicOr(y[o >> 2], value << (8u * (o & 3u)));
        }
    }
}
