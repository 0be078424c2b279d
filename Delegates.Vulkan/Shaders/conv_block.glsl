// The multiply-accumulate core shared by conv2d.comp and transpose_conv_bias.comp (include after common.glsl).
//
// One invocation owns one output pixel and a block of 8 output channels, each with its own accumulator that
// receives acc = fma(x, w, acc) in the reference's order (ky, then kx, then ci); a reduction is never split. The filter
// is re-packed (Kernels/ConvPacking.cs) into "octets": the 8 channels' weights of one (tap, ci), so the weights of a step
// are the same for every invocation of a workgroup. Loads from storage buffers are slow on CPU implementations
// (lavapipe loads each invocation's element in turn), so each of 8 lanes of a subgroup loads one octet and the others
// get it by subgroupBroadcast (a register move): one load per lane feeds 8 steps of 8 fma.
// Every broadcast is in subgroup-uniform control flow: callers keep all invocations running (no early exit); a step
// for a pixel past the end or a tap outside the input is skipped (no fma, as the reference skips it).
//
// Blocks of one output channel (SINGLE_CHANNEL, for layers with 1 or 2 filters per group, where 7 of 8 accumulators
// would be wasted): an octet then holds 8 consecutive reduction steps of that channel, and a round of 8 lanes' octets
// covers 64 steps, accumulated in accA.x alone.
//
// Before including, declare:
//   layout(constant_id = …) const int VECTOR_INPUT  1: the filter depth, and every tap's input offset, are multiples of
//                                                   8, so the input is read 8 channels at a time, tap by tap;
//                                                   0: the reduction (tap, ci) is walked flat, 8 steps per octet round.
//   layout(constant_id = …) const int SINGLE_CHANNEL 1: blocks of one output channel (see above); 0: of 8.
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

// Single channel, 8 channels at a time: 8 fma steps in order into accA.x.
#define ACCEL_SINGLE_FMA8(xa, xb, wa, wb) \
    accA.x = accelFma(xa.x, wa.x, accA.x); accA.x = accelFma(xa.y, wa.y, accA.x); \
    accA.x = accelFma(xa.z, wa.z, accA.x); accA.x = accelFma(xa.w, wa.w, accA.x); \
    accA.x = accelFma(xb.x, wb.x, accA.x); accA.x = accelFma(xb.y, wb.y, accA.x); \
    accA.x = accelFma(xb.z, wb.z, accA.x); accA.x = accelFma(xb.w, wb.w, accA.x)

// Single channel, 8 channels at a time: octet k of a round is the block's octet o + k, i.e. channels 8*co .. 8*co + 7
// of tap (ky, kx); (ky, kx, co) advance in the reference's order, across taps, so rounds are full except the last.
#define ACCEL_SINGLE_VECTOR_STEP(k) \
    { \
        vec4 wa, wb; \
        accelUnpackOctet(ACCEL_BROADCAST_OCTET(mine, k), wa, wb); \
        int offset = accelTapOffset(pixel, ky, kx); \
        if (o + k < octets && offset >= 0) \
        { \
            vec4 xa, xb; \
            accelUnpackOctet(x8[(offset >> 3) + co], xa, xb); \
            ACCEL_SINGLE_FMA8(xa, xb, wa, wb); \
        } \
        if (++co == tapOctets) { co = 0; if (++kx == KW) { kx = 0; ky++; } } \
    }

// Single channel, flat walk: one reduction step r + i with weight w.
#define ACCEL_SINGLE_FLAT_STEP(i, w) \
    { \
        int offset = accelTapOffset(pixel, ky, kx); \
        bool use = r + i < reduction && offset >= 0; \
        float xv = x[use ? offset + ci : 0]; \
        if (use) accA.x = accelFma(xv, w, accA.x); \
        if (++ci == depth) { ci = 0; if (++kx == KW) { kx = 0; ky++; } } \
    }

// Single channel, flat walk: octet k of a round holds reduction steps r .. r + 7 (r advances by 8 per octet).
#define ACCEL_SINGLE_FLAT_OCTET(k) \
    { \
        vec4 wa, wb; \
        accelUnpackOctet(ACCEL_BROADCAST_OCTET(mine, k), wa, wb); \
        ACCEL_SINGLE_FLAT_STEP(0, wa.x) ACCEL_SINGLE_FLAT_STEP(1, wa.y) ACCEL_SINGLE_FLAT_STEP(2, wa.z) ACCEL_SINGLE_FLAT_STEP(3, wa.w) \
        ACCEL_SINGLE_FLAT_STEP(4, wb.x) ACCEL_SINGLE_FLAT_STEP(5, wb.y) ACCEL_SINGLE_FLAT_STEP(6, wb.z) ACCEL_SINGLE_FLAT_STEP(7, wb.w) \
        r += 8; \
    }

// Blocks of one channel: the block's weights start at float 8*blockOctets, one per reduction step (tap-major, then ci).
void accelConvSingle(ivec4 pixel, int KH, int KW, int depth, int blockOctets, inout vec4 accA)
{
    int lane = int(gl_SubgroupInvocationID & 7u);
    if (VECTOR_INPUT != 0)
    {
        int tapOctets = depth >> 3;
        int octets = KH * KW * tapOctets;
        int ky = 0, kx = 0, co = 0;
        for (int o = 0; o < octets; o += 8)
        {
            ACCEL_OCTET mine = w8[blockOctets + o + lane];
            ACCEL_SINGLE_VECTOR_STEP(0)
            ACCEL_SINGLE_VECTOR_STEP(1)
            ACCEL_SINGLE_VECTOR_STEP(2)
            ACCEL_SINGLE_VECTOR_STEP(3)
            ACCEL_SINGLE_VECTOR_STEP(4)
            ACCEL_SINGLE_VECTOR_STEP(5)
            ACCEL_SINGLE_VECTOR_STEP(6)
            ACCEL_SINGLE_VECTOR_STEP(7)
        }
    }
    else
    {
        int reduction = KH * KW * depth;
        int ky = 0, kx = 0, ci = 0;
        for (int r = 0; r < reduction;)
        {
            ACCEL_OCTET mine = w8[blockOctets + (r >> 3) + lane];
            ACCEL_SINGLE_FLAT_OCTET(0)
            ACCEL_SINGLE_FLAT_OCTET(1)
            ACCEL_SINGLE_FLAT_OCTET(2)
            ACCEL_SINGLE_FLAT_OCTET(3)
            ACCEL_SINGLE_FLAT_OCTET(4)
            ACCEL_SINGLE_FLAT_OCTET(5)
            ACCEL_SINGLE_FLAT_OCTET(6)
            ACCEL_SINGLE_FLAT_OCTET(7)
        }
    }
}

// The 8 accumulators of `pixel` over every tap of a KH x KW window and `depth` channels; the block's octets start at
// w8[blockOctets] (tap-major, then ci: octet blockOctets + (ky*KW + kx)*depth + ci, rounded up to a multiple of 8).
// With SINGLE_CHANNEL, accelConvSingle instead (accA.x only).
void accelConvBlock(ivec4 pixel, int KH, int KW, int depth, int blockOctets, inout vec4 accA, inout vec4 accB)
{
    if (SINGLE_CHANNEL != 0)
    {
        accelConvSingle(pixel, KH, KW, depth, blockOctets, accA);
        return;
    }
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
