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

typedef struct
{
    int depth;            // the last dimension, >= 1
    float outputScale;
    int outputZeroPoint;
    int isSigned;         // 1 int8, 0 uint8
} SoftmaxQ8Args;

// (int)value in .NET: toward zero, saturating at the int range, NaN to 0.
inline int softmaxSaturatingInt(float value)
{
    if (accelIsNan(value)) return 0;
    if (value >= 2147483648.0f) return INT_MAX;
    if (value <= -2147483648.0f) return INT_MIN;
    return (int)value;
}

// MathF.Round(value, MidpointRounding.AwayFromZero): below 2^23 the truncation and its remainder are exact.
inline float softmaxRoundHalfAway(float value)
{
    if (!(fabs(value) < 8388608.0f)) return value; // NaN, infinities and integers stay
    float t = (float)(int)value;
    float fraction = value - t;
    return fraction >= 0.5f ? t + 1.0f : (fraction <= -0.5f ? t - 1.0f : t);
}

// SOFTMAX on int8/uint8 (docs/numerics.md §Quantized execution; TFLite's float-table kernel, as Runtime.Core's
// SoftmaxKernel), one work-item per row: m = the largest stored value; sum = Σ table[255 − (m − x_j)] in order from +0
// (binary32; FP_CONTRACT is off); r = 1 / (sum · s_out) with the correctly rounded specDivide; y_j = table[…] · r, then
// int8: halves away from zero + z_out, uint8: (int)(y_j + 0.5); saturating conversion; clamped. OpenCL's add and
// multiply round correctly; devices that flush subnormals are refused (Kernels/SoftmaxKernel.cs).
__kernel void softmax_q8(__global const uchar* x, __global const float* table, __global uchar* y, SoftmaxQ8Args pc)
{
    int row = get_global_id(0);
    int base = row * pc.depth;
    int largest = pc.isSigned != 0 ? -128 : 0;
    for (int j = 0; j < pc.depth; j++)
    {
        int v = pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j];
        largest = v > largest ? v : largest;
    }
    int offset = 255 - largest;
    float sum = 0.0f;
    for (int j = 0; j < pc.depth; j++)
        sum = sum + table[offset + (pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j])];
    float inverse = specDivide(1.0f, sum * pc.outputScale);
    for (int j = 0; j < pc.depth; j++)
    {
        float rescaled = table[offset + (pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j])] * inverse;
        int q = pc.isSigned != 0
            ? softmaxSaturatingInt(softmaxRoundHalfAway(rescaled)) + pc.outputZeroPoint
            : softmaxSaturatingInt(rescaled + 0.5f);
        int lo = pc.isSigned != 0 ? -128 : 0, hi = pc.isSigned != 0 ? 127 : 255;
        y[base + j] = (uchar)((q < lo ? lo : (q > hi ? hi : q)) & 0xFF);
    }
}

typedef struct
{
    int depth;
    float inputScale;        // s_in
    float scale;             // s_in / s_out, divided on the host in binary32 as the reference
    int outputZeroPoint;     // 127 (int8) or 255 (uint8)
    int isSigned;
} LogSoftmaxQ8Args;

// LOG_SOFTMAX on int8/uint8 (docs/numerics.md §LOG_SOFTMAX; TFLite's optimized_ops::LogSoftmax as Runtime.Core's
// LogSoftmaxKernel), one work-item per row: m = the largest stored value; sum = Σ table[255 − (m − x_j)] in order from
// +0 (binary32; FP_CONTRACT is off); ls = specLog(sum); c = (s_in · m + ls) / s_out, the division by s_out = 1/16 done
// as the exact product by 16 (the same rounding); y_j = (s_in / s_out) · x_j − c; out_j = clamp(rint(clamp(y_j, ±1000))
// + z_out), a NaN giving z_out as .NET's (int)NaN = 0.
__kernel void log_softmax_q8(__global const uchar* x, __global const float* table, __global uchar* y, LogSoftmaxQ8Args pc)
{
    int row = get_global_id(0);
    int base = row * pc.depth;
    int lo = pc.isSigned != 0 ? -128 : 0, hi = pc.isSigned != 0 ? 127 : 255;
    int largest = lo;
    for (int j = 0; j < pc.depth; j++)
    {
        int v = pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j];
        largest = v > largest ? v : largest;
    }
    int offset = 255 - largest;
    float sum = 0.0f;
    for (int j = 0; j < pc.depth; j++)
        sum = sum + table[offset + (pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j])];
    float logSum = specLog(sum);
    float scaledLargest = pc.inputScale * (float)largest;
    float shifted = scaledLargest + logSum;
    float precomputed = shifted * 16.0f;
    for (int j = 0; j < pc.depth; j++)
    {
        int v = pc.isSigned != 0 ? (int)as_char(x[base + j]) : (int)x[base + j];
        float product = pc.scale * (float)v;
        float logProbability = product - precomputed;
        float bounded = logProbability < -1000.0f ? -1000.0f : (logProbability > 1000.0f ? 1000.0f : logProbability);
        int q = (accelIsNan(bounded) ? 0 : (int)rint(bounded)) + pc.outputZeroPoint;
        y[base + j] = (uchar)((q < lo ? lo : (q > hi ? hi : q)) & 0xFF);
    }
}
