#version 450
#include "common.glsl"
// SPACE_TO_DEPTH (NHWC): out[b, h, w, (dy*bs + dx)*C_in + c] = in[b, h*bs + dy, w*bs + dx, c]
// (docs/numerics.md §SPACE_TO_DEPTH). Moves 32-bit words, never converts floats. Kernels/SpaceToDepthKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C_in
    ivec4 outputDims;  // N, H/bs, W/bs, C_in*bs*bs
    int blockSize;
    uint total;        // output elements
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 o = accelCoordinates(i, pc.outputDims);
        int c = o.w % pc.inputDims.w;
        int block = o.w / pc.inputDims.w;
        int dy = block / pc.blockSize, dx = block - dy * pc.blockSize;
        y[i] = x[((o.x * pc.inputDims.y + o.y * pc.blockSize + dy) * pc.inputDims.z + o.z * pc.blockSize + dx) * pc.inputDims.w + c];
    }
}
