// MAX_POOL_2D and AVERAGE_POOL_2D (float32 NHWC), one output element per work-item (docs/numerics.md §MAX_POOL_2D,
// §AVERAGE_POOL_2D). Kernels/Pool2DKernels.cs.
typedef struct
{
    int n, h, w, c;            // input
    int outN, outH, outW, outC;
    int filterH, filterW, strideH, strideW;
    int padTop, padLeft;
    float lo, hi;              // fused activation bounds
} PoolArgs;

// The reference's Pool2DGeometry.Taps: [max(0, -origin), min(filter, size - origin)).
#define POOL_WINDOW \
    int4 o = accelCoordinates(i, (int4)(pc.outN, pc.outH, pc.outW, pc.outC)); \
    int originY = o.y * pc.strideH - pc.padTop; \
    int originX = o.z * pc.strideW - pc.padLeft; \
    int kyStart = originY < 0 ? -originY : 0; \
    int kyEnd = pc.h - originY < pc.filterH ? pc.h - originY : pc.filterH; \
    int kxStart = originX < 0 ? -originX : 0; \
    int kxEnd = pc.w - originX < pc.filterW ? pc.w - originX : pc.filterW;

// The first in-bounds tap in (ky, kx) order, then every later tap v replaces m when v > m || isNaN(v); then the clamp.
__kernel void max_pool_2d(__global const float* x, __global float* y, PoolArgs pc)
{
    int i = get_global_id(0);
    POOL_WINDOW
    float m = as_float(0x7FC00000u); // an empty window (impossible with SAME/VALID) stays NaN
    bool first = true;
    for (int ky = kyStart; ky < kyEnd; ky++)
    {
        int row = (o.x * pc.h + originY + ky) * pc.w + originX;
        for (int kx = kxStart; kx < kxEnd; kx++)
        {
            float v = x[(row + kx) * pc.c + o.w];
            if (first || v > m || accelIsNan(v)) m = v;
            first = false;
        }
    }
    y[i] = accelClamp(m, pc.lo, pc.hi);
}

// sum = +0, sum = sum + v over the in-bounds taps in (ky, kx) order, then sum * R(count) (the host's table), then the clamp.
__kernel void average_pool_2d(__global const float* x, __global const float* reciprocalOfCount, __global float* y, PoolArgs pc)
{
    int i = get_global_id(0);
    POOL_WINDOW
    int rows = kyEnd - kyStart, columns = kxEnd - kxStart;
    int count = (rows > 0 ? rows : 0) * (columns > 0 ? columns : 0);
    float sum = 0.0f;
    for (int ky = kyStart; ky < kyEnd; ky++)
    {
        int row = (o.x * pc.h + originY + ky) * pc.w + originX;
        for (int kx = kxStart; kx < kxEnd; kx++)
            sum = sum + x[(row + kx) * pc.c + o.w];
    }
    y[i] = accelClamp(sum * reciprocalOfCount[count], pc.lo, pc.hi);
}
