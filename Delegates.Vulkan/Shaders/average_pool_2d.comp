#version 450
#include "common.glsl"
// AVERAGE_POOL_2D (float32 NHWC): per output element sum = +0, sum = sum + v over the in-bounds taps in (ky, kx)
// order, then sum * R(count) with R the host's reciprocal table, then the fused-activation clamp
// (docs/numerics.md §AVERAGE_POOL_2D). One output per invocation, one sequential accumulator. Kernels/AveragePool2DKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Reciprocals { float reciprocalOfCount[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C
    ivec4 outputDims;  // N, outH, outW, C
    ivec4 window;      // filterH, filterW, strideH, strideW
    int padTop;
    int padLeft;
    uint total;
    float lo;          // fused activation bounds
    float hi;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 o = accelCoordinates(i, pc.outputDims);
        int originY = o.y * pc.window.z - pc.padTop;
        int originX = o.z * pc.window.w - pc.padLeft;
        // The reference's Pool2DGeometry.Taps: [max(0, -origin), min(filter, size - origin)).
        int kyStart = originY < 0 ? -originY : 0;
        int kyEnd = pc.inputDims.y - originY < pc.window.x ? pc.inputDims.y - originY : pc.window.x;
        int kxStart = originX < 0 ? -originX : 0;
        int kxEnd = pc.inputDims.z - originX < pc.window.y ? pc.inputDims.z - originX : pc.window.y;
        int rows = kyEnd - kyStart, columns = kxEnd - kxStart;
        int count = (rows > 0 ? rows : 0) * (columns > 0 ? columns : 0);
        precise float sum = 0.0;
        for (int ky = kyStart; ky < kyEnd; ky++)
        {
            int row = (o.x * pc.inputDims.y + originY + ky) * pc.inputDims.z + originX;
            for (int kx = kxStart; kx < kxEnd; kx++)
                sum = sum + x[(row + kx) * pc.inputDims.w + o.w];
        }
        precise float mean = sum * reciprocalOfCount[count];
        y[i] = accelClamp(mean, pc.lo, pc.hi);
    }
}
