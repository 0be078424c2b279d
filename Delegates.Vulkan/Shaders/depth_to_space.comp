#version 450
#include "common.glsl"
// DEPTH_TO_SPACE (NHWC): out[b, h*bs + dy, w*bs + dx, c] = in[b, h, w, (dy*bs + dx)*C_out + c]
// (docs/numerics.md §DEPTH_TO_SPACE). Moves 32-bit words, never converts floats. Kernels/DepthToSpaceKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C_in
    ivec4 outputDims;  // N, H*bs, W*bs, C_out
    int blockSize;
    uint total;        // output elements
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 o = accelCoordinates(i, pc.outputDims);
        int h = o.y / pc.blockSize, dy = o.y - h * pc.blockSize;
        int w = o.z / pc.blockSize, dx = o.z - w * pc.blockSize;
        y[i] = x[((o.x * pc.inputDims.y + h) * pc.inputDims.z + w) * pc.inputDims.w + (dy * pc.blockSize + dx) * pc.outputDims.w + o.w];
    }
}
