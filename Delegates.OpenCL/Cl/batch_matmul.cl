// BATCH_MATMUL (float32): out[b, i, j] = fma chain over k = 0..K-1 of L[i, k] * R[k, j] from +0, exactly as
// Runtime.Core/Kernels/Reference/BatchMatMulKernel.cs (docs/numerics.md §BATCH_MATMUL). One output per work-item with
// one sequential accumulator; L and R read through the adj_x / adj_y strides from the operand matrices the definition
// resolved per broadcast batch (tables). Kernels/BatchMatMulKernel.cs.
typedef struct
{
    int m, k, n;          // rows, depth, columns
    int lhsRowStride, lhsDepthStride, rhsDepthStride, rhsColumnStride;
    float zero;           // +0 from the host, so the first fma is not folded into a product
} BatchMatMulArgs;

__kernel void batch_matmul(__global const float* lhs, __global const float* rhs, __global const int* lhsMatrix,
    __global const int* rhsMatrix, __global float* y, BatchMatMulArgs pc)
{
    int o = get_global_id(0);
    int j = o % pc.n;
    int rest = o / pc.n;
    int i = rest % pc.m;
    int b = rest / pc.m;
    int l = lhsMatrix[b] * pc.m * pc.k + i * pc.lhsRowStride;
    int r = rhsMatrix[b] * pc.k * pc.n + j * pc.rhsColumnStride;
    float acc = pc.zero;
    for (int d = 0; d < pc.k; d++)
        acc = accelFma(lhs[l + d * pc.lhsDepthStride], rhs[r + d * pc.rhsDepthStride], acc);
    y[o] = acc;
}
