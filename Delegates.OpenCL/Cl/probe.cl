// Device self-checks (OpenClNumericsProbe): fused[i] = accelFma(a, b, c), which must be a single rounding; and
// whether subnormal operands and results survive +, *, the clamp's comparisons and accelFma (docs/numerics.md).
__kernel void fma_probe(__global const float* a, __global const float* b, __global const float* c, __global float* fused)
{
    int i = get_global_id(0);
    fused[i] = accelFma(a[i], b[i], c[i]);
}

__kernel void subnormal_probe(__global const float* x, __global const float* y, __global float* sum, __global float* product,
    __global float* clamped, __global float* fused)
{
    int i = get_global_id(0);
    sum[i] = x[i] + y[i];
    product[i] = x[i] * y[i];
    clamped[i] = accelClamp(x[i], 0.0f, as_float(0x7F800000u));
    fused[i] = accelFma(x[i], y[i], x[i]);
}
