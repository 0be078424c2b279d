#version 450
#include "common.glsl"
// A strided view (docs/numerics.md, "Data movement"): output element i, at row-major coordinate c over dims[0..rank),
// is input word offset + sum(c[d] * strides[d]). TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO,
// and one dispatch per output of SPLIT, SPLIT_V, UNPACK. Moves 32-bit words, never converts
// floats. Kernels/StridedCopyKernel.cs, Kernels/SplitKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    int dims[8];     // the view's dimensions (rank of them used)
    int strides[8];  // input strides in words (may be negative or 0)
    int offset;      // input word of coordinate 0
    uint total;      // output words
    int rank;
} pc;

void main()
{
    ACCEL_FOR_EACH(i, pc.total)
    {
        uint rest = i;
        int from = pc.offset;
        for (int d = pc.rank - 1; d >= 0; d--)
        {
            uint dim = uint(pc.dims[d]);
            from += int(rest % dim) * pc.strides[d];
            rest /= dim;
        }
        y[i] = x[from];
    }
}
