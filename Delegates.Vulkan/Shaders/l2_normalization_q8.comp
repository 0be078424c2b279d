#version 450
#include "common.glsl"
#include "quant.glsl"
// L2_NORMALIZATION on packed int8/uint8 over the last dimension (docs/numerics.md §L2_NORMALIZATION; Runtime.Core's
// L2NormalizationKernel): per row the int32 sum of (x − zp)², its inverse square root as TFLite's
// GetInvSqrtQuantizedMultiplierExp computes it (five Newton–Raphson steps in Q3.28, Quantization.InverseSqrtMultiplier,
// written out below on 32-bit words), then int8: clamp(MBQM(x − zp, m, shift + 7), −128, 127); uint8:
// clamp(128 + RoundingDivideByPOT(SRDHM(128 · (x − zp), m), −shift), 0, 255). Integer arithmetic only. Each invocation
// writes one output word, computing the multipliers of the (at most four) rows its elements fall in.
// Kernels/L2NormalizationKernel.cs.

layout(constant_id = 0) const int SIGNED = 1;

layout(std430, set = 0, binding = 0) readonly buffer Input { uint x[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    uint total;
    uint depth;
    int inputZeroPoint;
} pc;

int load(uint i)
{
    return accelLoad8(x[i >> 2], i, SIGNED != 0);
}

// gemmlowp's SaturatingRoundingMultiplyByPOT for a left shift (exponent in [1, 30]).
int saturatingShiftLeft(int v, int exponent)
{
    int threshold = int((1u << uint(31 - exponent)) - 1u);
    return v > threshold ? 0x7FFFFFFF : (v < -threshold ? int(0x80000000u) : v << uint(exponent));
}

// TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift −1 (Quantization.InverseSqrtMultiplier): the mantissa
// (.x) and the shift (.y, ≤ 0).
ivec2 inverseSqrtMultiplier(int v)
{
    if (v <= 1) return ivec2(0x7FFFFFFF, 0);
    int shift = 11;
    while (v >= (1 << 29))
    {
        v /= 4;
        shift++;
    }
    int maxLeftShiftBits = (31 - findMSB(v)) - 1;
    int leftShiftBitPairs = maxLeftShiftBits / 2 - 1;
    shift -= leftShiftBitPairs;
    v <<= uint(2 * leftShiftBitPairs);
    int fixedInput = v >> 1;
    int halfInput = accelRoundingDivideByPot(fixedInput, 1);
    const int halfThree = (1 << 28) + (1 << 27);
    int r = 1 << 28;
    for (int i = 0; i < 5; i++)
    {
        int r3 = saturatingShiftLeft(accelSrdhm(accelSrdhm(r, r), r), 6);
        int difference = accelSrdhm(halfThree, r) - accelSrdhm(halfInput, r3);
        r = saturatingShiftLeft(difference, 3);
    }
    r = accelSrdhm(r, 1518500250);
    if (shift < 0)
    {
        r = r << uint(-shift);
        shift = 0;
    }
    return ivec2(r, -shift);
}

void main()
{
    bool isSigned = SIGNED != 0;
    ACCEL_FOR_EACH(word, (pc.total + 3u) / 4u)
    {
        uint packed = 0u;
        uint cachedRow = 0xFFFFFFFFu;
        ivec2 multiplier = ivec2(0);
        for (uint k = 0u; k < 4u; k++)
        {
            uint i = word * 4u + k;
            if (i >= pc.total) break;
            uint row = i / pc.depth;
            if (row != cachedRow)
            {
                cachedRow = row;
                uint base = row * pc.depth;
                int sum = 0;
                for (uint j = 0u; j < pc.depth; j++)
                {
                    int d = load(base + j) - pc.inputZeroPoint;
                    sum += d * d;
                }
                multiplier = inverseSqrtMultiplier(sum);
            }
            int difference = load(i) - pc.inputZeroPoint;
            int q = isSigned
                ? accelClampInt(accelMbqm(difference, multiplier.x, multiplier.y + 7), -128, 127)
                : accelClampInt(128 + accelRoundingDivideByPot(accelSrdhm(128 * difference, multiplier.x), -multiplier.y), 0, 255);
            packed |= accelPack8(q, k);
        }
        y[word] = packed;
    }
}
