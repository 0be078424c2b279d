#version 450
#include "common.glsl"
// RESIZE_NEAREST_NEIGHBOR (NHWC, 32-bit elements): out[b, y, x, c] = in[b, row[y], col[x], c] with the source-index
// tables of the definition (docs/numerics.md §RESIZE_NEAREST_NEIGHBOR). Moves 32-bit words, never converts floats.
// Kernels/ResizeNearestNeighborKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) readonly buffer Rows { int sourceRow[]; };
layout(std430, set = 0, binding = 2) readonly buffer Columns { int sourceColumn[]; };
layout(std430, set = 0, binding = 3) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 outputDims;  // N, OH, OW, C
    int inputHeight;
    int inputWidth;
    uint total;        // output elements
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        ivec4 o = accelCoordinates(i, pc.outputDims);
        y[i] = x[((o.x * pc.inputHeight + sourceRow[o.y]) * pc.inputWidth + sourceColumn[o.z]) * pc.outputDims.w + o.w];
    }
}
