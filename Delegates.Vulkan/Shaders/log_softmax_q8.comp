#version 450
#include "common.glsl"
#include "spec_math.glsl"
#include "quant.glsl"
// LOG_SOFTMAX on packed int8/uint8 over the last dimension (docs/numerics.md §LOG_SOFTMAX; TFLite's
// optimized_ops::LogSoftmax as Runtime.Core's LogSoftmaxKernel): per row m = the largest stored value; sum =
// Σ table[255 − (m − x_j)] in order from +0 (binary32, `precise`); ls = specLog(sum); c = (s_in · m + ls) / s_out, the
// division by s_out = 1/16 done as the exact product by 16 (the same rounding); y_j = (s_in / s_out) · x_j − c;
// out_j = clamp(roundEven(clamp(y_j, ±1000)) + z_out), a NaN giving z_out as .NET's (int)NaN = 0. Each invocation
// writes one output word, computing the rows (at most four) its elements fall in. Kernels/LogSoftmaxKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Table { float table[256]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint total;
    uint depth;
    float inputScale;        // s_in
    float scale;             // s_in / s_out, divided on the host in binary32 as the reference
    int outputZeroPoint;     // 127 (int8) or 255 (uint8)
} pc;

int load(uint i)
{
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

void main()
{
    bool isSigned = SIGNED != 0;
    int lo = isSigned ? -128 : 0, hi = isSigned ? 127 : 255;
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        uint cachedRow = 0xFFFFFFFFu;
        float precomputed = 0.0;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i >= pc.total) break;
            uint row = i / pc.depth;
            if (row != cachedRow)
            {
                cachedRow = row;
                uint base = row * pc.depth;
                int largest = lo;
                for (uint j = 0u; j < pc.depth; j++)
                {
                    int v = load(base + j);
                    largest = v > largest ? v : largest;
                }
                int offset = 255 - largest;
                precise float sum = 0.0;
                for (uint j = 0u; j < pc.depth; j++) sum = sum + table[offset + load(base + j)];
                float logSum = specLog(sum);
                precise float scaledLargest = pc.inputScale * float(largest);
                precise float shifted = scaledLargest + logSum;
                precise float sixteenfold = shifted * 16.0;
                precomputed = sixteenfold;
            }
            precise float product = pc.scale * float(load(i));
            precise float logProbability = product - precomputed;
            float bounded = logProbability < -1000.0 ? -1000.0 : (logProbability > 1000.0 ? 1000.0 : logProbability);
            int q = (accelIsNan(bounded) ? 0 : int(roundEven(bounded))) + pc.outputZeroPoint;
            packed |= accelPack8(accelClampInt(q, lo, hi), k);
        }
        y[word] = packed;
    }
}
