#version 450
#include "common.glsl"
// MediaPipe's Convolution2DTransposeBias (float32, NHWC input, OHWI weights [Cout, KH, KW, Cin], bias [Cout]) exactly
// as Runtime.Core/Kernels/Reference/TransposeConvBiasKernel.cs, the gather form: per output (oy, ox, oc), acc = +0;
// for ky, for kx: when t = oy + pad_top - ky and s = ox + pad_left - kx are non-negative multiples of the strides and
// t / stride_h < H, s / stride_w < W, for ci: acc = fma(x[t / stride_h, s / stride_w, ci], w[oc, ky, kx, ci], acc);
// then acc + bias[oc]. No activation for it; TRANSPOSE_CONV (Kernels/TransposeConvKernel.cs: a zero bias when it has
// none, acc + 0 = acc as acc is never -0) adds its fused clamp with CLAMP. Kernels/TransposeConvBiasKernel.cs.
//
// Work split as conv2d.comp: invocation x = one output pixel, workgroup y = a block of 8 (or 1) output channels
// (conv_block.glsl); the pixel loop is uniform per workgroup (no early exit: subgroup broadcasts need every lane).

layout(constant_id = 0) const int VECTOR_INPUT = 0;  // 1: Cin a multiple of 8 (conv_block.glsl)
layout(constant_id = 1) const int VECTOR_OUTPUT = 0; // 1: Cout a multiple of 4: a full block is stored as two vec4
layout(constant_id = 2) const int SINGLE_CHANNEL = 0; // 1: blocks of one output channel (conv_block.glsl)
layout(constant_id = 3) const int CLAMP = 0; // 1: TRANSPOSE_CONV's fused activation, bounds in padding.zw (float bits)
const int BLOCK = SINGLE_CHANNEL != 0 ? 1 : 8;

#include "conv_block.glsl"

layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; }; // [Cout]
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutputQuads { vec4 y4[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;  // H, W, Cin, packed-filter octets (8 floats) per block (Kernels/ConvPacking.cs)
    ivec4 outputDims; // OH, OW, Cout, unused
    ivec4 window;     // KH, KW, stride_h, stride_w
    ivec4 padding;    // pad_top, pad_left, clamp min and max as float bits (CLAMP only)
    uint pixels;      // N * OH * OW
    float zero;       // +0, from the host: a literal 0 start lets the compiler fold fma(x, w, +0) into x*w (-0 for -0 products)
} pc;

// pixel = (b*H, oy + pad_top, ox + pad_left, 0, or -1 past the last pixel).
int accelTapOffset(ivec4 pixel, int ky, int kx)
{
    int t = pixel.y - ky;
    int s = pixel.z - kx;
    bool exact = pixel.w >= 0 && t >= 0 && s >= 0 && t % pc.window.z == 0 && s % pc.window.w == 0;
    int iy = t / pc.window.z, ix = s / pc.window.w;
    return exact && iy < pc.inputDims.x && ix < pc.inputDims.y ? ((pixel.x + iy) * pc.inputDims.y + ix) * pc.inputDims.z : -1;
}

void main()
{
    int OH = pc.outputDims.x, OW = pc.outputDims.y, OC = pc.outputDims.z;
    int block = int(gl_WorkGroupID.y);
    int ocBase = block * BLOCK;
    int channels = OC - ocBase < BLOCK ? OC - ocBase : BLOCK;
    int last = ocBase + channels - 1; // a partial block repeats its last bias (never stored)
    vec4 biasA = vec4(bias[min(ocBase, last)], bias[min(ocBase + 1, last)], bias[min(ocBase + 2, last)], bias[min(ocBase + 3, last)]);
    vec4 biasB = vec4(bias[min(ocBase + 4, last)], bias[min(ocBase + 5, last)], bias[min(ocBase + 6, last)], bias[min(ocBase + 7, last)]);

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
        ivec4 pixel = ivec4(b * pc.inputDims.x, oy + pc.padding.x, ox + pc.padding.y, live ? 0 : -1);
        vec4 accA = vec4(pc.zero), accB = vec4(pc.zero);
        accelConvBlock(pixel, pc.window.x, pc.window.y, pc.inputDims.z, block * pc.inputDims.w, accA, accB);
        if (live)
        {
            precise vec4 valueA = accA + biasA;
            precise vec4 valueB = accB + biasB;
            if (CLAMP != 0)
            {
                float lo = intBitsToFloat(pc.padding.z), hi = intBitsToFloat(pc.padding.w);
                valueA = vec4(accelClamp(valueA.x, lo, hi), accelClamp(valueA.y, lo, hi), accelClamp(valueA.z, lo, hi), accelClamp(valueA.w, lo, hi));
                valueB = vec4(accelClamp(valueB.x, lo, hi), accelClamp(valueB.y, lo, hi), accelClamp(valueB.z, lo, hi), accelClamp(valueB.w, lo, hi));
            }
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
