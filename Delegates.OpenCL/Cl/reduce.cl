// SUM, REDUCE_PROD, REDUCE_MAX, REDUCE_MIN (float32): per output element acc = identity, then acc = combine(acc, x)
// over its input elements in the input's row-major order (docs/numerics.md §Reductions). One output per work-item,
// one sequential accumulator. Kept and reduced dimensions come as up to four runs each (Kernels/ReduceKernel.cs).
// copy != 0 (a scalar input, or no axis): the output is the input, bit for bit.
typedef struct
{
    int k0, k1, k2, k3;      // kept runs, output order (row-major)
    int ks0, ks1, ks2, ks3;  // input strides of the kept runs
    int r0, r1, r2, r3;      // reduced runs, fold order (row-major)
    int rs0, rs1, rs2, rs3;  // input strides of the reduced runs
    int kind;                // 0 SUM, 1 REDUCE_PROD, 2 REDUCE_MAX, 3 REDUCE_MIN
    int copy;
    float identity;          // +0, 1, -FLT_MAX, FLT_MAX (from the host, by value)
} ReduceArgs;

inline float reduceCombine(int kind, float acc, float v)
{
    if (kind == 0) return acc + v;
    if (kind == 1) return acc * v;
    // Ordered comparisons (false with a NaN), written out: fmax/fmin drop NaN operands.
    if (kind == 2) return acc > v ? acc : v;
    return acc < v ? acc : v;
}

__kernel void reduce(__global const float* x, __global float* y, ReduceArgs pc)
{
    int i = get_global_id(0);
    if (pc.copy != 0) { y[i] = x[i]; return; }
    int4 k = accelCoordinates(i, (int4)(pc.k0, pc.k1, pc.k2, pc.k3));
    int origin = k.x * pc.ks0 + k.y * pc.ks1 + k.z * pc.ks2 + k.w * pc.ks3;
    float acc = pc.identity;
    for (int a = 0; a < pc.r0; a++)
        for (int b = 0; b < pc.r1; b++)
            for (int c = 0; c < pc.r2; c++)
            {
                int base = origin + a * pc.rs0 + b * pc.rs1 + c * pc.rs2;
                for (int d = 0; d < pc.r3; d++)
                    acc = reduceCombine(pc.kind, acc, x[base + d * pc.rs3]);
            }
    y[i] = acc;
}

typedef struct
{
    ReduceArgs shape;        // kind 2 REDUCE_MAX or 3 REDUCE_MIN; identity unused (the type's own bounds are)
    int isSigned;            // 1 int8, 0 uint8
} ReduceQ8Args;

// REDUCE_MAX and REDUCE_MIN on int16: reduce_q8's walk on the stored int16 values from −32768 (32767). One element per
// work-item; a copy moves the element.
__kernel void reduce_q16(__global const short* x, __global short* y, ReduceQ8Args args)
{
    int i = get_global_id(0);
    ReduceArgs pc = args.shape;
    if (pc.copy != 0) { y[i] = x[i]; return; }
    int4 k = accelCoordinates(i, (int4)(pc.k0, pc.k1, pc.k2, pc.k3));
    int origin = k.x * pc.ks0 + k.y * pc.ks1 + k.z * pc.ks2 + k.w * pc.ks3;
    bool maximum = pc.kind == 2;
    int acc = maximum ? -32768 : 32767;
    for (int a = 0; a < pc.r0; a++)
        for (int b = 0; b < pc.r1; b++)
            for (int c = 0; c < pc.r2; c++)
            {
                int base = origin + a * pc.rs0 + b * pc.rs1 + c * pc.rs2;
                for (int d = 0; d < pc.r3; d++)
                {
                    int v = (int)x[base + d * pc.rs3];
                    acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
                }
            }
    y[i] = (short)acc;
}

// REDUCE_MAX and REDUCE_MIN on int8/uint8 (TFLite's reduce.cc on the stored integers, no rescaling): acc = the type's
// lowest (largest) value, then the larger (smaller) of acc and each element — exact, so the order is free; an empty
// reduction gives that bound. One byte per work-item; a copy moves the byte.
__kernel void reduce_q8(__global const uchar* x, __global uchar* y, ReduceQ8Args args)
{
    int i = get_global_id(0);
    ReduceArgs pc = args.shape;
    if (pc.copy != 0) { y[i] = x[i]; return; }
    int4 k = accelCoordinates(i, (int4)(pc.k0, pc.k1, pc.k2, pc.k3));
    int origin = k.x * pc.ks0 + k.y * pc.ks1 + k.z * pc.ks2 + k.w * pc.ks3;
    bool maximum = pc.kind == 2;
    int acc = maximum ? (args.isSigned != 0 ? -128 : 0) : (args.isSigned != 0 ? 127 : 255);
    for (int a = 0; a < pc.r0; a++)
        for (int b = 0; b < pc.r1; b++)
            for (int c = 0; c < pc.r2; c++)
            {
                int base = origin + a * pc.rs0 + b * pc.rs1 + c * pc.rs2;
                for (int d = 0; d < pc.r3; d++)
                {
                    uchar stored = x[base + d * pc.rs3];
                    int v = args.isSigned != 0 ? (int)as_char(stored) : (int)stored;
                    acc = maximum ? (acc > v ? acc : v) : (acc < v ? acc : v);
                }
            }
    y[i] = (uchar)(acc & 0xFF);
}
