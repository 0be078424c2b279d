#version 450
#include "common.glsl"
// RESIZE_BILINEAR (float32 NHWC), the reference's expression (docs/numerics.md §RESIZE_BILINEAR):
// ((tl*(1-dy))*(1-dx) + (bl*dy)*(1-dx)) + (tr*(1-dy))*dx + (br*dy)*dx, left to right, every product and sum rounded
// separately (precise: no fma). Neighbours and weights per output row/column come from host tables.
// Kernels/ResizeBilinearKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { float x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Rows { ivec4 rows[]; };        // y0, y1, bits(1 - dy), bits(dy)
layout(std430, set = 0, binding = 2) readonly buffer Columns { ivec4 columns[]; };  // x0, x1, bits(1 - dx), bits(dx)
layout(std430, set = 0, binding = 3) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 inputDims;   // N, H, W, C
    ivec4 outputDims;  // N, outH, outW, C
    uint total;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 o = accelCoordinates(i, pc.outputDims);
        ivec4 r = rows[o.y];
        ivec4 c = columns[o.z];
        float wy0 = intBitsToFloat(r.z), dy = intBitsToFloat(r.w);
        float wx0 = intBitsToFloat(c.z), dx = intBitsToFloat(c.w);
        int row0 = (o.x * pc.inputDims.y + r.x) * pc.inputDims.z, row1 = (o.x * pc.inputDims.y + r.y) * pc.inputDims.z;
        int depth = pc.inputDims.w;
        float topLeft = x[(row0 + c.x) * depth + o.w];
        float bottomLeft = x[(row1 + c.x) * depth + o.w];
        float topRight = x[(row0 + c.y) * depth + o.w];
        float bottomRight = x[(row1 + c.y) * depth + o.w];
        precise float p1 = topLeft * wy0;
        precise float t1 = p1 * wx0;
        precise float p2 = bottomLeft * dy;
        precise float t2 = p2 * wx0;
        precise float p3 = topRight * wy0;
        precise float t3 = p3 * dx;
        precise float p4 = bottomRight * dy;
        precise float t4 = p4 * dx;
        precise float s12 = t1 + t2;
        precise float s123 = s12 + t3;
        precise float s = s123 + t4;
        y[i] = s;
    }
}
