// A strided view (docs/numerics.md, "Data movement"): output element i, at row-major coordinate c over dims[0..rank),
// is input word offset + sum(c[d] * strides[d]). TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO,
// and one launch per output of SPLIT, SPLIT_V, UNPACK. Moves 32-bit words, never converts
// floats. Kernels/StridedCopyKernels.cs.
typedef struct
{
    int dims[8];     // the view's dimensions (rank of them used)
    int strides[8];  // input strides in words (may be negative or 0)
    int offset;      // input word of coordinate 0
    int rank;
} StridedCopyArgs;

__kernel void strided_copy(__global const uint* x, __global uint* y, StridedCopyArgs pc)
{
    int i = get_global_id(0);
    int rest = i;
    int from = pc.offset;
    for (int d = pc.rank - 1; d >= 0; d--)
    {
        from += (rest % pc.dims[d]) * pc.strides[d];
        rest /= pc.dims[d];
    }
    y[i] = x[from];
}
