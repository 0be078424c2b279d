/* docs/numerics.md §Quantized execution, in 64-bit scalar arithmetic: the same integer operations as
 * Runtime.Core/Numerics/Quantization.cs, so every result is bit-identical (checked by CMD_SELFTEST_MBQM). */
#ifndef ACCEL_HEXAGON_QUANT_H
#define ACCEL_HEXAGON_QUANT_H
#include "sys.h"

static inline int32_t srdhm(int32_t a, int32_t b)
{
    if (a == (int32_t)0x80000000 && b == (int32_t)0x80000000) return 0x7FFFFFFF;
    int64_t product = (int64_t)a * (int64_t)b;
    int64_t nudge = product >= 0 ? (1LL << 30) : 1 - (1LL << 30);
    return (int32_t)((product + nudge) / (1LL << 31)); /* C's truncating division, by a constant: no library call */
}

static inline int32_t rounding_divide_by_pot(int32_t x, int32_t exponent)
{
    int32_t mask = (int32_t)((1LL << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t mbqm(int32_t x, int32_t multiplier, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    /* The left shift is TFLite's wrapping int32 multiplication. */
    return rounding_divide_by_pot(srdhm((int32_t)((uint32_t)x * (1u << left)), multiplier), right);
}

static inline int32_t clamp32(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static inline int32_t load8(const uint8_t *p, int is_signed) { return is_signed ? (int32_t)(int8_t)*p : (int32_t)*p; }

#endif
