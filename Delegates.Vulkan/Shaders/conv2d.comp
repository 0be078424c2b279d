#version 450
#include "common.glsl"
// CONV_2D (float32, NHWC input, OHWI filter, grouped convolution, strides, dilations, SAME/VALID) exactly as
// Runtime.Core/Kernels/Reference/Conv2DKernel.cs: per output, acc = +0, then acc = fma(x, w, acc) over ky, kx, ci in
// that order, skipping taps outside the input; then acc + bias (when there is one); then the fused-activation clamp.
// Kernels/Conv2DKernel.cs (also FULLY_CONNECTED, as a 1x1 convolution: Kernels/FullyConnectedKernel.cs).
//
// Work split: invocation x = one output pixel, workgroup y = a block of 8 (or 1) output channels of one group
// (conv_block.glsl).
// The pixel loop is uniform per workgroup (no early exit: subgroup broadcasts need every lane). No barriers, no
// shared memory.

layout(constant_id = 0) const int HAS_BIAS = 0;     // 1: out = acc + bias[oc]
layout(constant_id = 1) const int VECTOR_INPUT = 0; // 1: Cin and Cin/groups are multiples of 8 (conv_block.glsl)
layout(constant_id = 2) const int VECTOR_OUTPUT = 0; // 1: Cout and the blocks' first channels are multiples of 4
layout(constant_id = 3) const int SINGLE_CHANNEL = 0; // 1: blocks of one output channel (conv_block.glsl)
const int BLOCK = SINGLE_CHANNEL != 0 ? 1 : 8;

#include "conv_block.glsl"

layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; }; // [Cout]; any buffer when there is none
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutputQuads { vec4 y4[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;     // H, W, Cin, filter depth FD = Cin / groups
    ivec4 outputDims;    // OH, OW, Cout, filters per group
    ivec4 window;        // KH, KW, stride_h, stride_w
    ivec4 dilation;      // dilation_h, dilation_w, pad_top, pad_left
    uint pixels;         // N * OH * OW
    int blocksPerGroup;  // ceil(filters per group / BLOCK)
    int blockOctets;     // packed-filter octets (8 floats) per block (Kernels/ConvPacking.cs)
    float lo;            // fused activation bounds (-inf, +inf for NONE)
    float hi;
    float zero;          // +0, from the host: a literal 0 start lets the compiler fold fma(x, w, +0) into x*w (-0 for -0 products)
} pc;

// pixel = (b*H, iy origin, ix origin, channel offset of the block's group, or -1 past the last pixel).
int accelTapOffset(ivec4 pixel, int ky, int kx)
{
    int iy = pixel.y + ky * pc.dilation.x;
    int ix = pixel.z + kx * pc.dilation.y;
    bool inside = pixel.w >= 0 && iy >= 0 && iy < pc.inputDims.x && ix >= 0 && ix < pc.inputDims.y;
    return inside ? ((pixel.x + iy) * pc.inputDims.y + ix) * pc.inputDims.z + pixel.w : -1;
}

void main()
{
    int OH = pc.outputDims.x, OW = pc.outputDims.y, OC = pc.outputDims.z, FPG = pc.outputDims.w;
    int block = int(gl_WorkGroupID.y);
    int group = block / pc.blocksPerGroup;
    int firstFilter = (block % pc.blocksPerGroup) * BLOCK;  // within the group
    int ocBase = group * FPG + firstFilter;
    int channels = FPG - firstFilter < BLOCK ? FPG - firstFilter : BLOCK;
    int channelBase = group * pc.inputDims.w;

    vec4 biasA = vec4(0.0), biasB = vec4(0.0);
    if (HAS_BIAS != 0)
    {
        int last = ocBase + channels - 1; // a partial block repeats its last bias (never stored)
        biasA = vec4(bias[min(ocBase, last)], bias[min(ocBase + 1, last)], bias[min(ocBase + 2, last)], bias[min(ocBase + 3, last)]);
        biasB = vec4(bias[min(ocBase + 4, last)], bias[min(ocBase + 5, last)], bias[min(ocBase + 6, last)], bias[min(ocBase + 7, last)]);
    }

    uint stride = gl_NumWorkGroups.x * ACCEL_LOCAL_SIZE;
    for (uint base = gl_WorkGroupID.x * ACCEL_LOCAL_SIZE; base < pc.pixels; base += stride)
    {
        uint p = base + gl_LocalInvocationID.x;
        bool live = p < pc.pixels;
        // A subgroup with no pixel left stops (subgroup-uniform, so the broadcasts stay valid); a CPU implementation
        // would otherwise run its whole reduction with every step skipped (one pixel: 8 subgroups for 1 output).
        if (subgroupBallot(live) == uvec4(0)) break;
        int q = int(live ? p : pc.pixels - 1u);
        int ox = q % OW;
        int rest = q / OW;
        int oy = rest % OH;
        int b = rest / OH;
        ivec4 pixel = ivec4(b * pc.inputDims.x, oy * pc.window.z - pc.dilation.z, ox * pc.window.w - pc.dilation.w, live ? channelBase : -1);
        vec4 accA = vec4(pc.zero), accB = vec4(pc.zero);
        accelConvBlock(pixel, pc.window.x, pc.window.y, pc.inputDims.w, block * pc.blockOctets, accA, accB);
        if (live)
        {
            precise vec4 valueA = accA, valueB = accB;
            if (HAS_BIAS != 0)
            {
                valueA = accA + biasA;
                valueB = accB + biasB;
            }
            valueA = vec4(accelClamp(valueA.x, pc.lo, pc.hi), accelClamp(valueA.y, pc.lo, pc.hi),
                          accelClamp(valueA.z, pc.lo, pc.hi), accelClamp(valueA.w, pc.lo, pc.hi));
            valueB = vec4(accelClamp(valueB.x, pc.lo, pc.hi), accelClamp(valueB.y, pc.lo, pc.hi),
                          accelClamp(valueB.z, pc.lo, pc.hi), accelClamp(valueB.w, pc.lo, pc.hi));
            int outputOffset = q * OC + ocBase;
            if (VECTOR_OUTPUT != 0 && channels == 8)
            {
                y4[outputOffset >> 2] = valueA;
                y4[(outputOffset >> 2) + 1] = valueB;
            }
            else
            {
                y[outputOffset] = valueA.x;
                if (channels > 1) y[outputOffset + 1] = valueA.y;
                if (channels > 2) y[outputOffset + 2] = valueA.z;
                if (channels > 3) y[outputOffset + 3] = valueA.w;
                if (channels > 4) y[outputOffset + 4] = valueB.x;
                if (channels > 5) y[outputOffset + 5] = valueB.y;
                if (channels > 6) y[outputOffset + 6] = valueB.z;
                if (channels > 7) y[outputOffset + 7] = valueB.w;
            }
        }
    }
}
