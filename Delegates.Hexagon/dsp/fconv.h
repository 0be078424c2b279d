#ifndef ACCEL_HEXAGON_FCONV_H
#define ACCEL_HEXAGON_FCONV_H
#include "sys.h"

/* binary32 ↔ bits, and the reference's float → int conversions done on the bits (Hexagon's convert instructions
 * differ from .NET on NaN and out-of-range values; .NET saturates: NaN → 0, ≥ 2^31 → INT32_MAX). */

static inline uint32_t float_bits(float f)
{
    union { float f; uint32_t b; } u = { f };
    return u.b;
}

static inline float bits_float(uint32_t b)
{
    union { uint32_t b; float f; } u = { b };
    return u.f;
}

/* (int)MathF.Round(y, MidpointRounding.AwayFromZero) for y ≥ 0 (−0 included) or NaN. */
static inline int32_t round_away_nonnegative(float y)
{
    uint32_t bits = float_bits(y);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return 0;
    if (bits >> 31) return 0;
    if (bits >= 0x4F000000u) return 0x7FFFFFFF;           /* ≥ 2^31 */
    if (bits < 0x3F000000u) return 0;                     /* < 0.5 */
    uint32_t m = (bits & 0x7FFFFF) | (1u << 23);
    int32_t e = (int32_t)(bits >> 23) - 150;              /* −24 … 7 */
    if (e >= 0) return (int32_t)(m << e);
    return (int32_t)((m + (1u << (-e - 1))) >> -e);
}

/* (int)MathF.Round(y, MidpointRounding.AwayFromZero) for |y| < 2^31 or NaN (NaN → 0). */
static inline int32_t round_away(float y)
{
    uint32_t bits = float_bits(y);
    int32_t magnitude = round_away_nonnegative(bits_float(bits & 0x7FFFFFFFu));
    return (bits >> 31) && (bits & 0x7FFFFFFFu) <= 0x7F800000u ? -magnitude : magnitude;
}

/* (int)y for y ≥ 0 or NaN, truncating. */
static inline int32_t truncate_nonnegative(float y)
{
    uint32_t bits = float_bits(y);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return 0;
    if (bits >> 31) return 0;
    if (bits >= 0x4F000000u) return 0x7FFFFFFF;
    if (bits < 0x3F800000u) return 0;                     /* < 1 */
    uint32_t m = (bits & 0x7FFFFF) | (1u << 23);
    int32_t e = (int32_t)(bits >> 23) - 150;              /* −23 … 7 */
    return e >= 0 ? (int32_t)(m << e) : (int32_t)(m >> -e);
}

#endif
