// The convolution family (float32, NHWC), one output element per work-item, each the reference's own fma chain from
// +0 in its order (a reduction is never split), then + bias, then the fused-activation clamp (docs/numerics.md
// §CONV_2D, §DEPTHWISE_CONV_2D, §Convolution2DTransposeBias). `zero` comes from the host: a literal +0 start would
// let a compiler rewrite fma(x, w, +0) as x*w, which is -0 for a -0 product. Kernels/ConvKernels.cs.
typedef struct
{
    int n, h, w, c;                 // input
    int oh, ow, oc;                 // output
    int depth;                      // CONV_2D: Cin / groups; DEPTHWISE: multiplier; transpose: Cin
    int filtersPerGroup;            // CONV_2D only
    int kh, kw, strideH, strideW;
    int dilationH, dilationW, padTop, padLeft;
    int hasBias;
    float lo, hi;                   // fused activation bounds (-inf, +inf for none)
    float zero;                     // +0
} ConvArgs;

// CONV_2D (filter OHWI [Cout, KH, KW, Cin / groups], grouped) and FULLY_CONNECTED (a 1x1 convolution over
// [1, 1, batch, K]): acc = fma(x, w, acc) over ky, kx, ci in that order, skipping taps outside the input.
__kernel void conv2d(__global const float* x, __global const float* filter, __global const float* bias, __global float* y, ConvArgs pc)
{
    int i = get_global_id(0);
    int o = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    int channelBase = (o / pc.filtersPerGroup) * pc.depth;
    int originY = oy * pc.strideH - pc.padTop, originX = ox * pc.strideW - pc.padLeft;
    float acc = pc.zero;
    for (int ky = 0; ky < pc.kh; ky++)
    {
        int iy = originY + ky * pc.dilationH;
        if (iy < 0 || iy >= pc.h) continue;
        for (int kx = 0; kx < pc.kw; kx++)
        {
            int ix = originX + kx * pc.dilationW;
            if (ix < 0 || ix >= pc.w) continue;
            __global const float* in = x + ((b * pc.h + iy) * pc.w + ix) * pc.c + channelBase;
            __global const float* wt = filter + ((o * pc.kh + ky) * pc.kw + kx) * pc.depth;
            for (int ci = 0; ci < pc.depth; ci++) acc = accelFma(in[ci], wt[ci], acc);
        }
    }
    float value = pc.hasBias != 0 ? acc + bias[o] : acc;
    y[i] = accelClamp(value, pc.lo, pc.hi);
}

// DEPTHWISE_CONV_2D (filter [1, KH, KW, Cout], Cout = Cin * multiplier): output channel oc reads input channel
// oc / multiplier; acc = fma(x, w, acc) over ky, kx in that order, skipping taps outside the input.
__kernel void depthwise_conv2d(__global const float* x, __global const float* filter, __global const float* bias, __global float* y, ConvArgs pc)
{
    int i = get_global_id(0);
    int o = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    int ic = o / pc.depth;
    int originY = oy * pc.strideH - pc.padTop, originX = ox * pc.strideW - pc.padLeft;
    float acc = pc.zero;
    for (int ky = 0; ky < pc.kh; ky++)
    {
        int iy = originY + ky * pc.dilationH;
        if (iy < 0 || iy >= pc.h) continue;
        for (int kx = 0; kx < pc.kw; kx++)
        {
            int ix = originX + kx * pc.dilationW;
            if (ix < 0 || ix >= pc.w) continue;
            acc = accelFma(x[((b * pc.h + iy) * pc.w + ix) * pc.c + ic], filter[(ky * pc.kw + kx) * pc.oc + o], acc);
        }
    }
    float value = pc.hasBias != 0 ? acc + bias[o] : acc;
    y[i] = accelClamp(value, pc.lo, pc.hi);
}

// MediaPipe's Convolution2DTransposeBias (weights OHWI [Cout, KH, KW, Cin], bias [Cout]), the reference's gather form:
// for ky, for kx: when t = oy + pad_top - ky and s = ox + pad_left - kx are non-negative multiples of the strides and
// t / stride_h < H, s / stride_w < W, for ci: acc = fma(x[t / stride_h, s / stride_w, ci], w[oc, ky, kx, ci], acc);
// then acc + bias[oc]; then the clamp (the whole range for this op).
__kernel void transpose_conv_bias(__global const float* x, __global const float* filter, __global const float* bias, __global float* y, ConvArgs pc)
{
    int i = get_global_id(0);
    int o = i % pc.oc;
    int q = i / pc.oc;
    int ox = q % pc.ow;
    q /= pc.ow;
    int oy = q % pc.oh;
    int b = q / pc.oh;
    float acc = pc.zero;
    for (int ky = 0; ky < pc.kh; ky++)
    {
        int t = oy + pc.padTop - ky;
        if (t < 0 || t % pc.strideH != 0 || t / pc.strideH >= pc.h) continue;
        int iy = t / pc.strideH;
        for (int kx = 0; kx < pc.kw; kx++)
        {
            int s = ox + pc.padLeft - kx;
            if (s < 0 || s % pc.strideW != 0 || s / pc.strideW >= pc.w) continue;
            int ix = s / pc.strideW;
            __global const float* in = x + ((b * pc.h + iy) * pc.w + ix) * pc.c;
            __global const float* wt = filter + ((o * pc.kh + ky) * pc.kw + kx) * pc.c;
            for (int ci = 0; ci < pc.c; ci++) acc = accelFma(in[ci], wt[ci], acc);
        }
    }
    float value = pc.hasBias != 0 ? acc + bias[o] : acc;
    y[i] = accelClamp(value, pc.lo, pc.hi);
}
