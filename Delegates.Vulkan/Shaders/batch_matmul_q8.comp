#version 450
#include "common.glsl"
#include "quant.glsl"
// int8 BATCH_MATMUL (docs/numerics.md §Quantized execution; the reference's BatchMatMulKernel.InvokeQuantized):
// acc = Σ_k (L[i, k] + lhsOffset)·(R[k, j] + rhsOffset) in wrapping int32 (exact), MultiplyByQuantizedMultiplier,
// + output zero point, clamped to int8. The operand matrices of each broadcast batch come from the definition's tables,
// adj_x / adj_y as element strides. Each invocation writes one output word (four consecutive elements).
// Kernels/BatchMatMulKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer Lhs { uint lhs[]; };
layout(std430, set = 0, binding = 1) readonly buffer Rhs { uint rhs[]; };
layout(std430, set = 0, binding = 2) readonly buffer LhsMatrix { int lhsMatrix[]; };
layout(std430, set = 0, binding = 3) readonly buffer RhsMatrix { int rhsMatrix[]; };
layout(std430, set = 0, binding = 4) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 sizes;    // M, K, N, unused
    ivec4 strides;  // lhs row, lhs depth, rhs depth, rhs column
    ivec4 offsets;  // lhs offset, rhs offset, output offset, unused
    int multiplier;
    int shift;
    uint total;
    int unused;
} pc;

int element(uint o)
{
    int m = pc.sizes.x, k = pc.sizes.y, n = pc.sizes.z;
    int j = int(o % uint(n));
    uint rest = o / uint(n);
    int i = int(rest % uint(m));
    int b = int(rest / uint(m));
    int l = lhsMatrix[b] * m * k + i * pc.strides.x;
    int r = rhsMatrix[b] * k * n + j * pc.strides.w;
    int acc = 0;
    for (int kk = 0; kk < k; kk++)
    {
        uint li = uint(l + kk * pc.strides.y), ri = uint(r + kk * pc.strides.z);
        acc += (accelLoad8(lhs[li >> 2], li, true) + pc.offsets.x) * (accelLoad8(rhs[ri >> 2], ri, true) + pc.offsets.y);
    }
    return accelClampInt(accelMbqm(acc, pc.multiplier, pc.shift) + pc.offsets.z, -128, 127);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i < pc.total) packed |= accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
