#version 450
#include "common.glsl"
// BATCH_MATMUL (float32): out[b, i, j] = fma chain over k = 0..K-1 of L[i, k] * R[k, j] from +0, exactly as
// Runtime.Core/Kernels/Reference/BatchMatMulKernel.cs (docs/numerics.md §BATCH_MATMUL). One output per invocation with
// one sequential accumulator; L and R read through the adj_x / adj_y strides from the operand matrices the definition
// resolved per broadcast batch (tables). Kernels/BatchMatMulKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Lhs { float lhs[]; };
layout(std430, set = 0, binding = 1) readonly buffer Rhs { float rhs[]; };
layout(std430, set = 0, binding = 2) readonly buffer LhsMatrix { int lhsMatrix[]; };
layout(std430, set = 0, binding = 3) readonly buffer RhsMatrix { int rhsMatrix[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Output { float y[]; };

layout(push_constant) uniform Push
{
    ivec4 sizes;    // M (rows), K (depth), N (columns), unused
    ivec4 strides;  // L row, L depth, R depth, R column (element strides)
    uint total;     // output elements
    float zero;     // +0 from the host, so the first fma is not folded into a product
} pc;

void main()
{
    int M = pc.sizes.x, K = pc.sizes.y, N = pc.sizes.z;
    ACCEL_FOR_EACH(o, pc.total)
    {
        int j = int(o) % N;
        int rest = int(o) / N;
        int i = rest % M;
        int b = rest / M;
        int l = lhsMatrix[b] * M * K + i * pc.strides.x;
        int r = rhsMatrix[b] * K * N + j * pc.strides.w;
        precise float acc = pc.zero;
        for (int k = 0; k < K; k++)
            acc = accelFma(lhs[l + k * pc.strides.y], rhs[r + k * pc.strides.z], acc);
        y[o] = acc;
    }
}
