// Exact element-wise ops (docs/numerics.md §Exact unary operators): FLOOR, CEIL (OpenCL's floor/ceil are exact),
// ROUND (TFLite's RoundToNearest operation for operation), NEG, ABS, SIGN, SQUARE (one rounded product; FP_CONTRACT
// is off), and the int32 NEG, ABS, SIGN with two's-complement wrap through uint. Kernels/ExactUnaryKernels.cs.
// `op` selects the operation: 0 FLOOR, 1 CEIL, 2 ROUND, 3 NEG, 4 ABS, 5 SIGN, 6 SQUARE.

__kernel void exact_unary_f32(__global const float* x, __global float* y, int op)
{
    int i = get_global_id(0);
    float v = x[i];
    float r;
    if (op == 0) r = floor(v);
    else if (op == 1) r = ceil(v);
    else if (op == 2)
    {
        // f = floor(x), d = x − f; d < 0.5, or d == 0.5 with f even, gives f, else f + 1 (NaN too). (int)f is only
        // taken when d == 0.5, i.e. |x| < 2^23, where it is exact.
        float f = floor(v);
        float d = v - f;
        r = (d < 0.5f || (d == 0.5f && ((int)f % 2) == 0)) ? f : f + 1.0f;
    }
    else if (op == 3) r = -v;
    else if (op == 4) r = fabs(v);
    else if (op == 5) r = v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : 0.0f);
    else r = v * v;
    y[i] = r;
}

__kernel void exact_unary_i32(__global const int* x, __global int* y, int op)
{
    int i = get_global_id(0);
    int v = x[i];
    int negated = as_int(0u - as_uint(v));
    y[i] = op == 3 ? negated : (op == 4 ? (v < 0 ? negated : v) : (v > 0 ? 1 : (v < 0 ? -1 : 0)));
}
