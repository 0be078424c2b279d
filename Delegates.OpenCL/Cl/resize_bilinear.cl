// RESIZE_BILINEAR (float32 NHWC), the reference's expression (docs/numerics.md §RESIZE_BILINEAR):
// ((tl*(1-dy))*(1-dx) + (bl*dy)*(1-dx)) + (tr*(1-dy))*dx + (br*dy)*dx, left to right, every product and sum rounded
// separately (FP_CONTRACT OFF: no fma). Neighbours and weights per output row/column come from host tables
// (lower, upper, bits(1 - d), bits(d)). Kernels/ResizeBilinearKernel.cs.
typedef struct
{
    int n, h, w, c;
    int outN, outH, outW, outC;
} ResizeArgs;

__kernel void resize_bilinear(__global const float* x, __global const int4* rows, __global const int4* columns, __global float* y, ResizeArgs pc)
{
    int i = get_global_id(0);
    int4 o = accelCoordinates(i, (int4)(pc.outN, pc.outH, pc.outW, pc.outC));
    int4 r = rows[o.y];
    int4 c = columns[o.z];
    float wy0 = as_float(r.z), dy = as_float(r.w);
    float wx0 = as_float(c.z), dx = as_float(c.w);
    int row0 = (o.x * pc.h + r.x) * pc.w, row1 = (o.x * pc.h + r.y) * pc.w;
    float topLeft = x[(row0 + c.x) * pc.c + o.w];
    float bottomLeft = x[(row1 + c.x) * pc.c + o.w];
    float topRight = x[(row0 + c.y) * pc.c + o.w];
    float bottomRight = x[(row1 + c.y) * pc.c + o.w];
    float t1 = (topLeft * wy0) * wx0;
    float t2 = (bottomLeft * dy) * wx0;
    float t3 = (topRight * wy0) * dx;
    float t4 = (bottomRight * dy) * dx;
    y[i] = ((t1 + t2) + t3) + t4;
}
