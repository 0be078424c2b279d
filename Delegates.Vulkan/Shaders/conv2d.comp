#version 450
#include "common.glsl"
// CONV_2D (float32, NHWC input, OHWI filter, grouped convolution, strides, dilations, SAME/VALID) exactly as
// Runtime.Core/Kernels/Reference/Conv2DKernel.cs: per output, acc = +0, then acc = fma(x, w, acc) over ky, kx, ci in
// that order, skipping taps outside the input; then acc + bias (when there is one); then the fused-activation clamp.
// Ops/Conv2DOp.cs.
//
// Work split: invocation x = one output pixel (grid-stride), workgroup y = a block of BLOCK consecutive output
// channels of one group. Each invocation keeps BLOCK independent accumulators that share every input load; the
// filter index depends only on the workgroup and the loop counters, so it is the same for every invocation of a
// workgroup (uniform loads). Out-of-bounds taps are skipped by `if` blocks, never `continue`, so the loop counters
// stay uniform. No barriers, no shared memory (both are slow on CPU implementations such as lavapipe).

layout(constant_id = 0) const int BLOCK = 8;    // output channels per invocation (1..8)
layout(constant_id = 1) const int HAS_BIAS = 0; // 1: add bias[oc] after the chain

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Filter { float w[]; };  // OHWI [Cout, KH, KW, Cin/groups]
layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; }; // [Cout]; the filter again when absent
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;  // H, W, Cin, filter depth (Cin / groups)
    ivec4 outputDims; // OH, OW, Cout, filters per group (Cout / groups)
    ivec4 window;    // KH, KW, stride_h, stride_w
    ivec4 dilation;  // dilation_h, dilation_w, pad_top, pad_left
    uint pixels;     // N * OH * OW
    float lo;        // fused activation bounds (-inf, +inf for NONE)
    float hi;
} pc;

void main()
{
    int H = pc.inputDims.x, W = pc.inputDims.y, C = pc.inputDims.z, FD = pc.inputDims.w;
    int OH = pc.outputDims.x, OW = pc.outputDims.y, OC = pc.outputDims.z;
    int KH = pc.window.x, KW = pc.window.y;
    int ocBase = int(gl_WorkGroupID.y) * BLOCK;
    int channelBase = ocBase / pc.outputDims.w * FD; // first input channel of the block's group
    // Filter offsets of the block's channels; a block past Cout (the last one) re-reads the last filter, never stored.
    int filterBase[BLOCK];
    for (int j = 0; j < BLOCK; j++)
    {
        int oc = ocBase + j < OC ? ocBase + j : OC - 1;
        filterBase[j] = oc * KH * KW * FD;
    }
    ACCEL_FOR_EACH(p, pc.pixels)
    {
        int ox = int(p % uint(OW));
        int rest = int(p / uint(OW));
        int oy = rest % OH;
        int b = rest / OH;
        int iyOrigin = oy * pc.window.z - pc.dilation.z;
        int ixOrigin = ox * pc.window.w - pc.dilation.w;
        float acc[BLOCK];
        for (int j = 0; j < BLOCK; j++) acc[j] = 0.0;
        for (int ky = 0; ky < KH; ky++)
        {
            int iy = iyOrigin + ky * pc.dilation.x;
            if (iy >= 0 && iy < H)
            {
                for (int kx = 0; kx < KW; kx++)
                {
                    int ix = ixOrigin + kx * pc.dilation.y;
                    if (ix >= 0 && ix < W)
                    {
                        int inputOffset = ((b * H + iy) * W + ix) * C + channelBase;
                        int tap = (ky * KW + kx) * FD;
                        for (int ci = 0; ci < FD; ci++)
                        {
                            float xv = x[inputOffset + ci];
                            for (int j = 0; j < BLOCK; j++)
                                acc[j] = accelFma(xv, w[filterBase[j] + tap + ci], acc[j]);
                        }
                    }
                }
            }
        }
        int outputOffset = int(p) * OC + ocBase;
        for (int j = 0; j < BLOCK; j++)
        {
            if (ocBase + j < OC)
            {
                precise float value = acc[j];
                if (HAS_BIAS != 0) value = acc[j] + bias[ocBase + j];
                y[outputOffset + j] = accelClamp(value, pc.lo, pc.hi);
            }
        }
    }
}
