#version 450
#include "common.glsl"
#include "quant.glsl"
// DIV on int16 (zero points 0; Runtime.Core's Quantization.Divide, TFLite's DivElementwise), after domain_check.comp has
// checked the denominator against 0: x = a, y = b (both negated when y < 0), the Q0.31 reciprocal of y by gemmlowp's
// three Newton-Raphson steps, x scaled by its leading sign bits, two rounding doubling high multiplies (accelSrdhm), the
// rounding shift with C#'s shift counts (mask from 64 bits, shift mod 32: the reference's arithmetic when the count
// leaves [0, 31]), then the activation clamp; NumPy broadcasting up to rank 6 (binary_q16.comp's layout). int16 tensors
// are the host's bytes, two elements per word; each invocation writes one output word. Kernels/DivKernel.cs.

layout(std430, set = 0, binding = 0) readonly buffer InputA { uint a[]; };
layout(std430, set = 0, binding = 1) readonly buffer InputB { uint b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer Output { uint y[]; };

layout(push_constant) uniform Push
{
    int dims[6];
    int strideA[6];
    int strideB[6];
    uint total;
    int multiplier;
    int shift;
    int lo;
    int hi;
} pc;

int load16(uint word, uint i)
{
    return bitfieldExtract(int(word), int((i & 1u) * 16u), 16);
}

int leadingZeros(uint v)
{
    return v == 0u ? 32 : 31 - findMSB(v);
}

// gemmlowp's SaturatingRoundingMultiplyByPOT for a left shift (exponent 1 or 2 here).
int saturatingShiftLeft(int x, int exponent)
{
    int threshold = int((1u << uint(31 - exponent)) - 1u);
    return x > threshold ? 0x7FFFFFFF : (x < -threshold ? int(0x80000000u) : int(uint(x) << uint(exponent)));
}

int leadingSignBits(int x)
{
    return x >= 0 ? leadingZeros(uint(x)) - 1 : (x != int(0x80000000u) ? leadingZeros(2u * (0u - uint(x)) - 1u) : 0);
}

int divide(int x, int z)
{
    if (z < 0) { x = -x; z = -z; }
    if (z == 0) return 0; // unreachable: the invoke has already failed on the denominator check
    int headroomPlusOne = leadingZeros(uint(z));
    int bitsOverUnit = 31 - headroomPlusOne;
    uint shiftedMinusOne = (uint(z) << uint(headroomPlusOne)) - 0x80000000u;
    int halfDenominator = int((shiftedMinusOne + 0x80000000u) >> 1u);
    int estimate = int(1515870810u + uint(accelSrdhm(halfDenominator, -1010580540)));
    for (int k = 0; k < 3; k++)
    {
        int oneMinus = int(uint(1 << 29) - uint(accelSrdhm(halfDenominator, estimate)));
        estimate = int(uint(estimate) + uint(saturatingShiftLeft(accelSrdhm(estimate, oneMinus), 2)));
    }
    int reciprocal = saturatingShiftLeft(estimate, 1);
    int headroom = leadingSignBits(x);
    int unscaled = accelSrdhm(int(uint(x) << uint(headroom)), reciprocal);
    int exponent = bitsOverUnit + headroom - pc.shift;
    int v = accelSrdhm(unscaled, pc.multiplier);
    int e = exponent & 63;
    int mask = e >= 32 ? -1 : int((1u << uint(e)) - 1u);
    int remainder = v & mask;
    int threshold = (mask >> 1) + (v < 0 ? 1 : 0);
    return (v >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
}

int element(uint i)
{
    uint rest = i;
    int ia = 0, ib = 0;
    for (int d = 5; d >= 0; d--)
    {
        int c = int(rest % uint(pc.dims[d]));
        rest /= uint(pc.dims[d]);
        ia += c * pc.strideA[d];
        ib += c * pc.strideB[d];
    }
    int r = divide(load16(a[uint(ia) >> 1], uint(ia)), load16(b[uint(ib) >> 1], uint(ib)));
    return r < pc.lo ? pc.lo : (r > pc.hi ? pc.hi : r);
}

void main()
{
    ACCEL_FOR_EACH(word, (pc.total + 1u) / 2u)
    {
        uint packed = 0u;
        for (uint k = 0u; k < 2u; k++)
        {
            uint i = word * 2u + k;
            if (i < pc.total) packed |= (uint(element(i)) & 0xFFFFu) << (16u * k);
        }
        y[word] = packed;
    }
}
