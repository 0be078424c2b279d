// MEAN (float32): per output element sum = +0, then sum = sum + x over its input elements in the input's row-major
// order, then sum * R(n) with R(n) from the host (docs/numerics.md §MEAN). One output per work-item, one sequential
// accumulator. Kept and reduced dimensions come as up to four runs each (Kernels/ReductionKernels.cs).
typedef struct
{
    int k0, k1, k2, k3;      // kept runs, output order (row-major)
    int ks0, ks1, ks2, ks3;  // input strides of the kept runs
    int r0, r1, r2, r3;      // reduced runs, summation order (row-major)
    int rs0, rs1, rs2, rs3;  // input strides of the reduced runs
    float reciprocal;        // R(n), +inf for n = 0
} MeanArgs;

__kernel void mean(__global const float* x, __global float* y, MeanArgs pc)
{
    int i = get_global_id(0);
    int4 k = accelCoordinates(i, (int4)(pc.k0, pc.k1, pc.k2, pc.k3));
    int origin = k.x * pc.ks0 + k.y * pc.ks1 + k.z * pc.ks2 + k.w * pc.ks3;
    float sum = 0.0f;
    for (int a = 0; a < pc.r0; a++)
        for (int b = 0; b < pc.r1; b++)
            for (int c = 0; c < pc.r2; c++)
            {
                int base = origin + a * pc.rs0 + b * pc.rs1 + c * pc.rs2;
                for (int d = 0; d < pc.r3; d++)
                    sum = sum + x[base + d * pc.rs3];
            }
    y[i] = sum * pc.reciprocal;
}
