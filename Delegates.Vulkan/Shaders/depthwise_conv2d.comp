#version 450
#include "common.glsl"
// DEPTHWISE_CONV_2D (float32, NHWC input, filter [1, KH, KW, Cout], Cout = Cin * multiplier) exactly as
// Runtime.Core/Kernels/Reference/DepthwiseConv2DKernel.cs: per output channel oc, acc = +0, then
// acc = fma(x[.., oc / multiplier], w[ky, kx, oc], acc) over ky, kx in that order, skipping taps outside the input;
// then acc + bias (when there is one); then the fused-activation clamp. Kernels/DepthwiseConv2DKernel.cs.
//
// Work split: invocation x = one output pixel (grid-stride), workgroup y = a block of 8 consecutive output channels,
// each with its own accumulator. Per tap one load brings the block's 8 weights (an "octet", re-packed filter) and,
// with multiplier 1 and Cin a multiple of 8, one more the 8 input channels. No subgroup operations, no barriers.
// Small windows (FIXED_*): the block's weights stay in registers, and an invocation computes STRIP horizontally
// adjacent outputs, loading each input column of a row once for all the outputs it feeds (loads from storage buffers
// are the slow part on CPU implementations such as lavapipe). Each output still receives its taps in the reference's
// order: rows ky ascending, and within a row the columns ascending, i.e. kx ascending.

layout(constant_id = 0) const int HAS_BIAS = 0;      // 1: out = acc + bias[oc]
layout(constant_id = 1) const int VECTOR_INPUT = 0;  // 1: multiplier 1 and Cin a multiple of 8: input read 8 channels at a time
layout(constant_id = 2) const int VECTOR_OUTPUT = 0; // 1: Cout a multiple of 4: a full block is stored as two vec4
// > 0: the window is FIXED_KH x FIXED_KW (small): the block's weights are loaded once per invocation and kept in
// registers for all its pixels (loads from storage buffers are the slow part on CPU implementations such as lavapipe).
layout(constant_id = 3) const int FIXED_KH = 0;
layout(constant_id = 4) const int FIXED_KW = 0;
layout(constant_id = 5) const int FIXED_STRIDE_W = 1;
layout(constant_id = 6) const int FIXED_DILATION_W = 1;
layout(constant_id = 7) const int STRIP = 1;         // outputs per invocation along x (FIXED_KH > 0)
const int STRIP_COLUMNS = (STRIP - 1) * FIXED_STRIDE_W + (FIXED_KW - 1) * FIXED_DILATION_W + 1;

#ifdef ACCEL_FMA_FLOAT64
// The emulated-fma variant needs shaderFloat64 anyway: an octet is one dvec4 (one 32-byte load), split back into 8
// floats by bit reinterpretation (no conversion: NaN payloads kept).
#define OCTET dvec4
void unpackOctet(dvec4 d, out vec4 a, out vec4 b)
{
    a = vec4(uintBitsToFloat(unpackDouble2x32(d.x)), uintBitsToFloat(unpackDouble2x32(d.y)));
    b = vec4(uintBitsToFloat(unpackDouble2x32(d.z)), uintBitsToFloat(unpackDouble2x32(d.w)));
}
#else
#define OCTET mat2x4
void unpackOctet(mat2x4 m, out vec4 a, out vec4 b)
{
    a = m[0];
    b = m[1];
}
#endif

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 0) readonly buffer InputOctets { OCTET x8[]; };
layout(std430, set = 0, binding = 1) readonly buffer Filter { OCTET w8[]; };    // [block][tap] octets (Kernels/ConvPacking.cs)
layout(std430, set = 0, binding = 2) readonly buffer Bias { float bias[]; };    // [Cout]; any buffer when there is none
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };
layout(std430, set = 0, binding = 3) writeonly buffer OutputQuads { vec4 y4[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;  // H, W, Cin, depth multiplier
    ivec4 outputDims; // OH, OW, Cout, block octets (taps rounded up to a multiple of 8)
    ivec4 window;     // KH, KW, stride_h, stride_w
    ivec4 dilation;   // dilation_h, dilation_w, pad_top, pad_left
    uint pixels;      // N * OH * OW; with FIXED_KH > 0, N * OH * ceil(OW / STRIP) strips
    int lastInput;    // index of the input's last element
    float lo;         // fused activation bounds (-inf, +inf for NONE)
    float hi;
    float zero;       // +0, from the host: a literal 0 start lets the compiler fold fma(x, w, +0) into x*w (-0 for -0 products)
} pc;

#define BLOCK_FMA(xa, xb, wa, wb) \
    accA.x = accelFma(xa.x, wa.x, accA.x); accA.y = accelFma(xa.y, wa.y, accA.y); \
    accA.z = accelFma(xa.z, wa.z, accA.z); accA.w = accelFma(xa.w, wa.w, accA.w); \
    accB.x = accelFma(xb.x, wb.x, accB.x); accB.y = accelFma(xb.y, wb.y, accB.y); \
    accB.z = accelFma(xb.z, wb.z, accB.z); accB.w = accelFma(xb.w, wb.w, accB.w)

// The 8 input channels of the block at input element offset pixelOffset (channel 0 of that pixel).
void loadInputs(int pixelOffset, int ocBase, ivec4 icA, ivec4 icB, out vec4 xa, out vec4 xb)
{
    if (VECTOR_INPUT != 0)
    {
        unpackOctet(x8[(pixelOffset + ocBase) >> 3], xa, xb);
    }
    else
    {
        ivec4 ia = min(ivec4(pixelOffset) + icA, ivec4(pc.lastInput));
        ivec4 ib = min(ivec4(pixelOffset) + icB, ivec4(pc.lastInput));
        xa = vec4(x[ia.x], x[ia.y], x[ia.z], x[ia.w]);
        xb = vec4(x[ib.x], x[ib.y], x[ib.z], x[ib.w]);
    }
}

// acc + bias (when there is one), clamped, stored at output element outputOffset (channel ocBase of that pixel).
void storeOutputs(int outputOffset, int channels, vec4 accA, vec4 accB, vec4 biasA, vec4 biasB)
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

void main()
{
    int H = pc.inputDims.x, W = pc.inputDims.y, C = pc.inputDims.z, M = pc.inputDims.w;
    int OH = pc.outputDims.x, OW = pc.outputDims.y, OC = pc.outputDims.z;
    int KH = pc.window.x, KW = pc.window.y;
    int block = int(gl_WorkGroupID.y);
    int ocBase = block * 8;
    int channels = OC - ocBase < 8 ? OC - ocBase : 8;
    int blockOctets = block * pc.outputDims.w;

    // Input channel of each of the block's output channels (a partial block repeats its last one, never stored).
    ivec4 icA, icB;
    for (int j = 0; j < 4; j++)
    {
        icA[j] = (ocBase + min(j, channels - 1)) / M;
        icB[j] = (ocBase + min(j + 4, channels - 1)) / M;
    }
    vec4 biasA = vec4(0.0), biasB = vec4(0.0);
    if (HAS_BIAS != 0)
    {
        int last = ocBase + channels - 1;
        biasA = vec4(bias[min(ocBase, last)], bias[min(ocBase + 1, last)], bias[min(ocBase + 2, last)], bias[min(ocBase + 3, last)]);
        biasB = vec4(bias[min(ocBase + 4, last)], bias[min(ocBase + 5, last)], bias[min(ocBase + 6, last)], bias[min(ocBase + 7, last)]);
    }

    if (FIXED_KH > 0)
    {
        OCTET preloaded[FIXED_KH > 0 ? FIXED_KH * FIXED_KW : 1];
        for (int t = 0; t < FIXED_KH * FIXED_KW; t++) preloaded[t] = w8[blockOctets + t];
        int strips = (OW + STRIP - 1) / STRIP;
        ACCEL_FOR_EACH(p, pc.pixels)
        {
            int strip = int(p) % strips;
            int rest = int(p) / strips;
            int oy = rest % OH;
            int b = rest / OH;
            int ox0 = strip * STRIP;
            int iyOrigin = oy * pc.window.z - pc.dilation.z;
            int ixOrigin = ox0 * FIXED_STRIDE_W - pc.dilation.w;
            vec4 accA[STRIP], accB[STRIP];
            for (int j = 0; j < STRIP; j++)
            {
                accA[j] = vec4(pc.zero);
                accB[j] = vec4(pc.zero);
            }
            for (int ky = 0; ky < FIXED_KH; ky++)
            {
                int iy = iyOrigin + ky * pc.dilation.x;
                bool rowInside = iy >= 0 && iy < H;
                for (int c = 0; c < STRIP_COLUMNS; c++)
                {
                    int ix = ixOrigin + c;
                    if (rowInside && ix >= 0 && ix < W) // outside taps contribute nothing (no fma step)
                    {
                        vec4 xa, xb;
                        loadInputs(((b * H + iy) * W + ix) * C, ocBase, icA, icB, xa, xb);
                        // Column c feeds output j through tap kx = (c - j*stride) / dilation (all constants).
                        for (int j = 0; j < STRIP; j++)
                        {
                            int span = c - j * FIXED_STRIDE_W;
                            int kx = span / FIXED_DILATION_W;
                            if (span >= 0 && span % FIXED_DILATION_W == 0 && kx < FIXED_KW)
                            {
                                vec4 wa, wb;
                                unpackOctet(preloaded[ky * FIXED_KW + kx], wa, wb);
                                vec4 a = accA[j], bb = accB[j];
                                a.x = accelFma(xa.x, wa.x, a.x); a.y = accelFma(xa.y, wa.y, a.y);
                                a.z = accelFma(xa.z, wa.z, a.z); a.w = accelFma(xa.w, wa.w, a.w);
                                bb.x = accelFma(xb.x, wb.x, bb.x); bb.y = accelFma(xb.y, wb.y, bb.y);
                                bb.z = accelFma(xb.z, wb.z, bb.z); bb.w = accelFma(xb.w, wb.w, bb.w);
                                accA[j] = a;
                                accB[j] = bb;
                            }
                        }
                    }
                }
            }
            for (int j = 0; j < STRIP; j++)
                if (ox0 + j < OW) storeOutputs((((b * OH + oy) * OW) + ox0 + j) * OC + ocBase, channels, accA[j], accB[j], biasA, biasB);
        }
        return;
    }

    ACCEL_FOR_EACH(p, pc.pixels)
    {
        int q = int(p);
        int ox = q % OW;
        int rest = q / OW;
        int oy = rest % OH;
        int b = rest / OH;
        int iyOrigin = oy * pc.window.z - pc.dilation.z;
        int ixOrigin = ox * pc.window.w - pc.dilation.w;
        vec4 accA = vec4(pc.zero), accB = vec4(pc.zero);
        for (int ky = 0; ky < KH; ky++)
        {
            int iy = iyOrigin + ky * pc.dilation.x;
            bool rowInside = iy >= 0 && iy < H;
            for (int kx = 0; kx < KW; kx++)
            {
                int ix = ixOrigin + kx * pc.dilation.y;
                if (rowInside && ix >= 0 && ix < W) // outside taps contribute nothing (no fma step)
                {
                    vec4 xa, xb, wa, wb;
                    loadInputs(((b * H + iy) * W + ix) * C, ocBase, icA, icB, xa, xb);
                    unpackOctet(w8[blockOctets + ky * KW + kx], wa, wb);
                    BLOCK_FMA(xa, xb, wa, wb);
                }
            }
        }
        storeOutputs(q * OC + ocBase, channels, accA, accB, biasA, biasB);
    }
}
