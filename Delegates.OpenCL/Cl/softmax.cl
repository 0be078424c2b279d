// SOFTMAX (float32) over the last dimension (docs/numerics.md §SOFTMAX). Kernels/SoftmaxKernel.cs.
// One work-item per row, every step in the reference's order: m = the row's maximum (NaN wins); e_i = specExp((x_i - m)
// * beta), stored in y; sum = e_0 + e_1 + ... from +0, one rounded add each; y_i = e_i * SoftmaxMultiplier(sum).
typedef struct
{
    int depth;   // the last dimension, >= 1
    float beta;
} SoftmaxArgs;

#define SPEC_SOFTMAX_SUM_LIMIT as_float(0x7E800000u) // 2^126 (SpecMath.SoftmaxSumLimit)

// SpecMath.SoftmaxMultiplier: NaN -> NaN; sum >= 2^126 (+inf included, only with beta < 0) -> +0; otherwise 1/sum by
// ReciprocalAtLeastOne (sum >= 1: the maximum contributes specExp(0) = 1).
inline float softmaxMultiplier(float sum)
{
    if (accelIsNan(sum)) return sum;
    if (sum >= SPEC_SOFTMAX_SUM_LIMIT) return 0.0f;
    return specReciprocalAtLeastOne(sum);
}

__kernel void softmax(__global const float* x, __global float* y, SoftmaxArgs pc)
{
    int base = get_global_id(0) * pc.depth;
    float m = x[base];
    for (int i = 1; i < pc.depth; i++)
    {
        float v = x[base + i];
        if (v > m || accelIsNan(v)) m = v;
    }
    float sum = 0.0f;
    for (int i = 0; i < pc.depth; i++)
    {
        float t = x[base + i] - m;
        t = t * pc.beta;
        float e = specExp(t);
        y[base + i] = e;
        sum = sum + e;
    }
    float r = softmaxMultiplier(sum);
    for (int i = 0; i < pc.depth; i++) y[base + i] = y[base + i] * r;
}
