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

// SPACE_TO_DEPTH (NHWC): out[b, h, w, (dy*bs + dx)*C_in + c] = in[b, h*bs + dy, w*bs + dx, c]
// (docs/numerics.md §SPACE_TO_DEPTH). Moves 32-bit words (same argument struct: input, output, block size).
__kernel void space_to_depth(__global const uint* x, __global uint* y, DepthToSpaceArgs pc)
{
    int i = get_global_id(0);
    int4 o = accelCoordinates(i, (int4)(pc.outN, pc.outH, pc.outW, pc.outC));
    int c = o.w % pc.c;
    int block = o.w / pc.c;
    int dy = block / pc.blockSize, dx = block - dy * pc.blockSize;
    y[i] = x[((o.x * pc.h + o.y * pc.blockSize + dy) * pc.w + o.z * pc.blockSize + dx) * pc.c + c];
}

// RESIZE_NEAREST_NEIGHBOR (NHWC, 32-bit elements): out[b, y, x, c] = in[b, row[y], col[x], c] with the definition's
// source-index tables (docs/numerics.md §RESIZE_NEAREST_NEIGHBOR). Moves 32-bit words.
__kernel void resize_nearest_neighbor(__global const uint* x, __global const int* sourceRow, __global const int* sourceColumn,
    __global uint* y, DepthToSpaceArgs pc)
{
    int i = get_global_id(0);
    int4 o = accelCoordinates(i, (int4)(pc.outN, pc.outH, pc.outW, pc.outC));
    y[i] = x[((o.x * pc.h + sourceRow[o.y]) * pc.w + sourceColumn[o.z]) * pc.outC + o.w];
}
