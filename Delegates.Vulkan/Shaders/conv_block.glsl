// The multiply-accumulate core shared by conv2d.comp and transpose_conv_bias.comp (include after common.glsl).
//
// One invocation owns one output pixel and a block of 8 output channels, each with its own accumulator that
// receives acc = fma(x, w, acc) in the reference's order (ky, then kx, then ci); a reduction is never split. The filter
// is re-packed (Ops/ConvPacking.cs) into "octets": the 8 channels' weights of one (tap, ci), so the weights of a step
// are the same for every invocation of a workgroup. Loads from storage buffers are slow on CPU implementations
// (lavapipe loads each invocation's element in turn), so each of 8 lanes of a subgroup loads one octet and the others
// get it by subgroupBroadcast (a register move): one load per lane feeds 8 steps of 8 fma.
// Every broadcast is in subgroup-uniform control flow: callers keep all invocations running (no early exit); a step
// for a pixel past the end or a tap outside the input is skipped (no fma, as the reference skips it).
//
// Before including, declare:
//   layout(constant_id = …) const int VECTOR_INPUT  1: the filter depth, and every tap's input offset, are multiples of
//                                                   8, so the input is read 8 channels at a time, tap by tap;
//                                                   0: the reduction (tap, ci) is walked flat, 8 steps per octet round.
//   int accelTapOffset(ivec4 pixel, int ky, int kx)  the input index of channel 0 of the block's group at tap (ky, kx)
//                                                   for the pixel described by `pixel` (caller-defined), or -1 when
//                                                   the tap contributes nothing.
// This file declares binding 0 (the input: x[], and x8[] of octets) and binding 1 (the packed filter: w8[]).

#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_ballot : require

#ifdef ACCEL_FMA_FLOAT64
// The emulated-fma variant needs shaderFloat64 anyway: an octet is one dvec4 (a single 32-byte load), split back
// into 8 floats by bit reinterpretation (no conversion: NaN payloads kept).
#define ACCEL_OCTET dvec4
#define ACCEL_BROADCAST_OCTET(m, k) subgroupBroadcast(m, k)
void accelUnpackOctet(dvec4 d, out vec4 a, out vec4 b)
{
    a = vec4(uintBitsToFloat(unpackDouble2x32(d.x)), uintBitsToFloat(unpackDouble2x32(d.y)));
    b = vec4(uintBitsToFloat(unpackDouble2x32(d.z)), uintBitsToFloat(unpackDouble2x32(d.w)));
}
#else
#define ACCEL_OCTET mat2x4
#define ACCEL_BROADCAST_OCTET(m, k) mat2x4(subgroupBroadcast(m[0], k), subgroupBroadcast(m[1], k))
void accelUnpackOctet(mat2x4 m, out vec4 a, out vec4 b)
{
    a = m[0];
    b = m[1];
}
#endif

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer InputOctets { ACCEL_OCTET x8[]; };
layout(std430, set = 0, binding = 1) readonly buffer Filter { ACCEL_OCTET w8[]; };

int accelTapOffset(ivec4 pixel, int ky, int kx);

// One step for the 8 accumulators: input value xv times the weights (wa, wb) of the 8 channels.
#define ACCEL_BLOCK_FMA(xv, wa, wb) \
    accA.x = accelFma(xv, wa.x, accA.x); accA.y = accelFma(xv, wa.y, accA.y); \
    accA.z = accelFma(xv, wa.z, accA.z); accA.w = accelFma(xv, wa.w, accA.w); \
    accB.x = accelFma(xv, wb.x, accB.x); accB.y = accelFma(xv, wb.y, accB.y); \
    accB.z = accelFma(xv, wb.z, accB.z); accB.w = accelFma(xv, wb.w, accB.w)

// Tap by tap, 8 input channels per load (VECTOR_INPUT): step k of a round uses lane k's octet.
#define ACCEL_VECTOR_STEP(k, xv) \
    { \
        vec4 wa, wb; \
        accelUnpackOctet(ACCEL_BROADCAST_OCTET(mine, k), wa, wb); \
        if (use) { ACCEL_BLOCK_FMA(xv, wa, wb); } \
    }

// Flat walk over (ky, kx, ci): step k of a round is reduction index r + k; (ky, kx, ci) advance in the reference's order.
#define ACCEL_FLAT_STEP(k) \
    { \
        vec4 wa, wb; \
        accelUnpackOctet(ACCEL_BROADCAST_OCTET(mine, k), wa, wb); \
        int offset = accelTapOffset(pixel, ky, kx); \
        bool use = r + k < reduction && offset >= 0; \
        float xv = x[use ? offset + ci : 0]; \
        if (use) { ACCEL_BLOCK_FMA(xv, wa, wb); } \
        if (++ci == depth) { ci = 0; if (++kx == KW) { kx = 0; ky++; } } \
    }

// The 8 accumulators of `pixel` over every tap of a KH x KW window and `depth` channels; the block's octets start at
// w8[blockOctets] (tap-major, then ci: octet blockOctets + (ky*KW + kx)*depth + ci, rounded up to a multiple of 8).
void accelConvBlock(ivec4 pixel, int KH, int KW, int depth, int blockOctets, inout vec4 accA, inout vec4 accB)
{
    int lane = int(gl_SubgroupInvocationID & 7u);
    if (VECTOR_INPUT != 0)
    {
        for (int ky = 0; ky < KH; ky++)
        {
            for (int kx = 0; kx < KW; kx++)
            {
                int offset = accelTapOffset(pixel, ky, kx);
                bool use = offset >= 0;
                int inputOctet = use ? offset >> 3 : 0;
                int tapOctets = blockOctets + (ky * KW + kx) * depth;
                for (int ci = 0; ci < depth; ci += 8)
                {
                    ACCEL_OCTET mine = w8[tapOctets + ci + lane];
                    vec4 xa, xb;
                    accelUnpackOctet(x8[inputOctet + (ci >> 3)], xa, xb);
                    ACCEL_VECTOR_STEP(0, xa.x)
                    ACCEL_VECTOR_STEP(1, xa.y)
                    ACCEL_VECTOR_STEP(2, xa.z)
                    ACCEL_VECTOR_STEP(3, xa.w)
                    ACCEL_VECTOR_STEP(4, xb.x)
                    ACCEL_VECTOR_STEP(5, xb.y)
                    ACCEL_VECTOR_STEP(6, xb.z)
                    ACCEL_VECTOR_STEP(7, xb.w)
                }
            }
        }
    }
    else
    {
        int reduction = KH * KW * depth;
        int ky = 0, kx = 0, ci = 0;
        for (int r = 0; r < reduction; r += 8)
        {
            ACCEL_OCTET mine = w8[blockOctets + r + lane];
            ACCEL_FLAT_STEP(0)
            ACCEL_FLAT_STEP(1)
            ACCEL_FLAT_STEP(2)
            ACCEL_FLAT_STEP(3)
            ACCEL_FLAT_STEP(4)
            ACCEL_FLAT_STEP(5)
            ACCEL_FLAT_STEP(6)
            ACCEL_FLAT_STEP(7)
        }
    }
}
