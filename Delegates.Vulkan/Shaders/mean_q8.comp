#version 450
#include "common.glsl"
#include "quant.glsl"
// The integer reductions over MEAN's walk (docs/numerics.md §MEAN, §Reductions, quantized). Kernels/MeanKernel.cs.
// Sum (PRODUCT = 0; int8/uint8 MEAN and SUM, int16 SUM; TFLite's reference QuantizedMeanOrSum as Runtime.Core's
// QuantizedMeanParams.Requantize): per output the stored integers of its inputs summed in wrapping int32 (exact, so
// the order is free), less zp_in·n (mod 2^32, as the reference's int64 difference truncated),
// MultiplyByQuantizedMultiplier (MEAN: 1/n folded into the multiplier), + zp_out, clamped to the dtype; an empty
// reduction gives 0. Product (PRODUCT = 1; quantized int8/int16 REDUCE_PROD, TFLite's QuantizedReduceProd as
// Runtime.Core's QuantizedProductFold): acc = x_0 − zp_in, then acc = MBQM64(acc · (x − zp_in)) over the rest in
// row-major order, finished by one more MBQM64, + zp_out, clamped; an empty reduction gives the quantized 1. MBQM64 is
// TFLite's 64-bit MultiplyByQuantizedMultiplier with the 16-bit mantissa reduced on the host, done on two words
// (accelMbqm64 below), so no shaderInt64 is needed. The kept and reduced dimensions as up to four runs each
// (mean.comp's layout). 8-bit tensors are four per word, int16 (WIDE) two; each invocation writes one output word.

layout(constant_id = 0) const int SIGNED = 1;
layout(constant_id = 1) const int WIDE = 0;     // 1: int16 elements
layout(constant_id = 2) const int PRODUCT = 0;  // 1: REDUCE_PROD's fold

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    ivec4 keptDims;        // output order (row-major)
    ivec4 keptStrides;     // input strides of the kept runs
    ivec4 reducedDims;     // summation runs
    ivec4 reducedStrides;  // input strides of the reduced runs
    ivec4 requantize;      // sum: zp_in·n (mod 2^32), product: zp_in; multiplier (product: the 16-bit one), shift, zp_out
    int activationMin;
    int activationMax;
    uint total;            // output elements
    int empty;             // 1: no input element reaches an output (every output is emptyValue)
    int emptyValue;        // sum: 0, product: the quantized 1
} pc;

int load(uint i)
{
    if (WIDE != 0) return bitfieldExtract(int(x[i >> 1]), int((i & 1u) * 16u), 16);
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

// TFLite's 64-bit MultiplyByQuantizedMultiplier on t = hi·2^32 + lo (wrapping int64 arithmetic as the reference's C#):
// (t · m16 + 2^(s − 1)) >> s with s = 15 − shift in [1, 46], an arithmetic shift, the low 32 bits.
int accelMbqm64(int hi, uint lo, int m16, int shift)
{
    uint productHi, productLo;
    umulExtended(lo, uint(m16), productHi, productLo);
    int h = int(productHi) + hi * m16;
    uint l = productLo;
    int s = 15 - shift;
    uint carry = 0u;
    if (s <= 32) l = uaddCarry(l, 1u << uint(s - 1), carry);
    else h += 1 << uint(s - 33);
    h += int(carry);
    if (s < 32) return int((l >> uint(s)) | (uint(h) << uint(32 - s)));
    if (s == 32) return h;
    return h >> uint(s - 32);
}

int element(uint i)
{
    if (pc.empty != 0) return pc.emptyValue;
    ivec4 k = accelCoordinates(i, pc.keptDims);
    int origin = k.x * pc.keptStrides.x + k.y * pc.keptStrides.y + k.z * pc.keptStrides.z + k.w * pc.keptStrides.w;
    int acc = 0;
    bool first = true;
    for (int r0 = 0; r0 < pc.reducedDims.x; r0++)
        for (int r1 = 0; r1 < pc.reducedDims.y; r1++)
            for (int r2 = 0; r2 < pc.reducedDims.z; r2++)
            {
                int base = origin + r0 * pc.reducedStrides.x + r1 * pc.reducedStrides.y + r2 * pc.reducedStrides.z;
                for (int r3 = 0; r3 < pc.reducedDims.w; r3++)
                {
                    int v = load(uint(base + r3 * pc.reducedStrides.w));
                    if (PRODUCT == 0) acc += v;
                    else if (first) acc = v - pc.requantize.x;
                    else
                    {
                        int hi, lo;
                        imulExtended(acc, v - pc.requantize.x, hi, lo);
                        acc = accelMbqm64(hi, uint(lo), pc.requantize.y, pc.requantize.z);
                    }
                    first = false;
                }
            }
    int scaled = PRODUCT == 0 ? accelMbqm(acc - pc.requantize.x, pc.requantize.y, pc.requantize.z)
        : accelMbqm64(acc < 0 ? -1 : 0, uint(acc), pc.requantize.y, pc.requantize.z);
    return accelClampInt(scaled + pc.requantize.w, pc.activationMin, pc.activationMax);
}

void main()
{
    uint perWord = WIDE != 0 ? 2u : 4u;
    ACCEL_FOR_EACH(word, (pc.total + perWord - 1u) / perWord)
    {
        uint packed = 0u;
        for (uint k = 0u; k < perWord; k++)
        {
            uint i = word * perWord + k;
            if (i < pc.total)
                packed |= WIDE != 0 ? (uint(element(i)) & 0xFFFFu) << (16u * k) : accelPack8(element(i), k);
        }
        y[word] = packed;
    }
}
