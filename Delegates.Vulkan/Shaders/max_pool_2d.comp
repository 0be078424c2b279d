#version 450
#include "common.glsl"
// MAX_POOL_2D (float32 NHWC): per output element, the first in-bounds tap in (ky, kx) order, then every later tap v
// replaces m when v > m || isNaN(v); then the fused-activation clamp (docs/numerics.md §MAX_POOL_2D). One output per
// invocation, channels fastest, so neighbouring invocations read neighbouring words. Kernels/MaxPool2DKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { float y[]; };

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
        float m = uintBitsToFloat(0x7FC00000u); // an empty window (impossible with SAME/VALID) stays NaN
        bool first = true;
        for (int ky = kyStart; ky < kyEnd; ky++)
        {
            int row = (o.x * pc.inputDims.y + originY + ky) * pc.inputDims.z + originX;
            for (int kx = kxStart; kx < kxEnd; kx++)
            {
                float v = x[(row + kx) * pc.inputDims.w + o.w];
                if (first || v > m || accelIsNan(v)) m = v;
                first = false;
            }
        }
        y[i] = accelClamp(m, pc.lo, pc.hi);
    }
}
