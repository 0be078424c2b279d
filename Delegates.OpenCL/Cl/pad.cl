// PAD (rank <= 4, constant paddings): the input element at coordinate - before, all-zero bits elsewhere
// (docs/numerics.md §PAD). Moves 32-bit words, never converts floats. Kernels/PadKernel.cs.
typedef struct
{
    int i0, i1, i2, i3;  // input shape, padded to rank 4
    int o0, o1, o2, o3;  // output shape
    int b0, b1, b2, b3;  // leading padding per dimension
} PadArgs;

__kernel void pad(__global const uint* x, __global uint* y, PadArgs pc)
{
    int i = get_global_id(0);
    int4 c = accelCoordinates(i, (int4)(pc.o0, pc.o1, pc.o2, pc.o3)) - (int4)(pc.b0, pc.b1, pc.b2, pc.b3);
    int4 dims = (int4)(pc.i0, pc.i1, pc.i2, pc.i3);
    bool inside = all(c >= (int4)(0)) && all(c < dims);
    y[i] = inside ? x[((c.x * dims.y + c.y) * dims.z + c.z) * dims.w + c.w] : 0u;
}

// PADV2 with constant_values: as pad, the padding taken from the one-element value tensor (a word, never converted).
__kernel void pad_value(__global const uint* x, __global const uint* value, __global uint* y, PadArgs pc)
{
    int i = get_global_id(0);
    int4 c = accelCoordinates(i, (int4)(pc.o0, pc.o1, pc.o2, pc.o3)) - (int4)(pc.b0, pc.b1, pc.b2, pc.b3);
    int4 dims = (int4)(pc.i0, pc.i1, pc.i2, pc.i3);
    bool inside = all(c >= (int4)(0)) && all(c < dims);
    y[i] = inside ? x[((c.x * dims.y + c.y) * dims.z + c.z) * dims.w + c.w] : value[0];
}
