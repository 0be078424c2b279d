// DEPTH_TO_SPACE (NHWC): out[b, h*bs + dy, w*bs + dx, c] = in[b, h, w, (dy*bs + dx)*C_out + c]
// (docs/numerics.md §DEPTH_TO_SPACE). Moves 32-bit words, never converts floats. Kernels/DataMovementKernels.cs.
typedef struct
{
    int n, h, w, c;              // input
    int outN, outH, outW, outC;  // output
    int blockSize;
} DepthToSpaceArgs;

__kernel void depth_to_space(__global const uint* x, __global uint* y, DepthToSpaceArgs pc)
{
    int i = get_global_id(0);
    int4 o = accelCoordinates(i, (int4)(pc.outN, pc.outH, pc.outW, pc.outC));
    int h = o.y / pc.blockSize, dy = o.y - h * pc.blockSize;
    int w = o.z / pc.blockSize, dx = o.z - w * pc.blockSize;
    y[i] = x[((o.x * pc.h + h) * pc.w + w) * pc.c + (dy * pc.blockSize + dx) * pc.outC + o.w];
}
