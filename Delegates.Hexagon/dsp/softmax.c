/* int8/uint8 SOFTMAX as Accel's reference runs it (Runtime.Core SoftmaxKernel.Quantized, TFLite's builtin 8-bit
 * kernel): per row, m = the largest stored value; sum = Σ table[255 − (m − x_j)] in order from +0 (binary32 adds);
 * r = 1 / (sum · s_out); y_j = table[…] · r; int8: round halves away from zero, + zero point; uint8: (int)(y_j + 0.5f);
 * clamp. The adds and multiplies are Hexagon's sfadd / sfmpy (IEEE binary32, round to nearest-even). Hexagon has no
 * divide instruction, so the one division is a correctly rounded reciprocal computed in integers, and the float →
 * int conversions are done on the bits with .NET's saturating semantics (NaN → 0, ≥ 2^31 → INT32_MAX). */
#include "softmax.h"
#include "fconv.h"
#include "quant.h"

#pragma clang fp contract(off)   /* each product and sum rounded on its own, as the reference */

/* n / d for d in (0, 2^24): restoring long division, remainder returned too. */
static uint64_t long_divide(uint64_t n, uint32_t d, uint64_t *remainder)
{
    uint64_t q = 0, r = 0;
    for (int i = 63; i >= 0; i--)
    {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) { r -= d; q |= 1ull << i; }
    }
    *remainder = r;
    return q;
}

/* RN(1 / d) for a binary32 d ≥ +0 (−0 is not produced here): +0 → +inf, +inf → +0, NaN → NaN; subnormal results
 * (d > 2^126) and overflow to +inf (d < 2^−128) rounded as IEEE division does. */
float softmax_reciprocal(float d)
{
    uint32_t bits = float_bits(d) & 0x7FFFFFFFu;
    if (bits > 0x7F800000u) return d;                    /* NaN */
    if (bits == 0x7F800000u) return 0.0f;
    if (bits == 0) return bits_float(0x7F800000u);
    uint32_t exponent = bits >> 23, m = bits & 0x7FFFFF;
    int32_t e;                                            /* d = m · 2^e, m in [2^23, 2^24) */
    if (exponent == 0) e = -149;
    else { m |= 1u << 23; e = (int32_t)exponent - 150; }
    while (m < (1u << 23)) { m <<= 1; e--; }
    uint64_t remainder;
    uint64_t q = long_divide(1ull << 63, m, &remainder); /* 1/d = (q + remainder/m) · 2^(−63 − e), q in (2^39, 2^40] */
    int32_t length = (q >> 40) ? 41 : 40;
    int32_t lsb = -63 - e;                                /* the weight of q's last bit */
    int32_t top = lsb + length - 1;                       /* 1/d in [2^top, 2^(top+1)) */
    if (top > 127) return bits_float(0x7F800000u);
    int normal = top >= -126;
    int32_t drop = normal ? length - 24 : -149 - lsb;     /* bits of q below the result's last bit (16 … 19 here) */
    uint64_t kept = q >> drop, rest = q & ((1ull << drop) - 1), half = 1ull << (drop - 1);
    if (rest > half || (rest == half && (remainder != 0 || (kept & 1)))) kept++;
    /* normal: the implicit bit adds one to the biased exponent (a carry to 2^24 moves it once more, up to +inf);
     * subnormal: the bits are the significand (a carry to 2^23 is the smallest normal). */
    return bits_float(normal ? (uint32_t)((top + 126) << 23) + (uint32_t)kept : (uint32_t)kept);
}

/* Words: in signed, in, out, rows, depth, table (256 binary32), output scale bits, output zero point, min, max. */
const char *softmax_prepare(const int32_t *w, uint32_t word_count, uint32_t shm_bytes)
{
    if (word_count < 10) return "node has too few words";
    if (w[3] < 0 || w[4] <= 0) return "softmax rows/depth out of range";
    uint64_t count = (uint64_t)(uint32_t)w[3] * (uint32_t)w[4];
    int32_t offsets[3] = { w[1], w[2], w[5] };
    uint64_t sizes[3] = { count, count, 256 * 4 };
    for (int i = 0; i < 3; i++)
        if (offsets[i] < 0 || (uint64_t)(uint32_t)offsets[i] + sizes[i] > shm_bytes) return "a tensor lies outside the shared memory";
    if ((w[5] & 3) != 0) return "the softmax table must be 4-byte aligned";
    if (w[8] > w[9]) return "softmax clamp bounds crossed";
    return 0;
}

void softmax(const int32_t *w, uint8_t *shm)
{
    int in_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    const float *table = (const float *)(shm + w[5]);
    float scale = bits_float((uint32_t)w[6]);
    int32_t rows = w[3], depth = w[4], zero_point = w[7], lo = w[8], hi = w[9];
    for (int32_t row = 0; row < rows; row++)
    {
        const uint8_t *x = input + row * depth;
        uint8_t *y = output + row * depth;
        int32_t largest = in_signed ? -128 : 0;
        for (int32_t j = 0; j < depth; j++)
        {
            int32_t v = load8(x + j, in_signed);
            if (v > largest) largest = v;
        }
        int32_t offset = 255 - largest;
        float sum = 0.0f;
        for (int32_t j = 0; j < depth; j++) sum += table[offset + load8(x + j, in_signed)];
        float product = sum * scale;
        float inverse = softmax_reciprocal(product);
        for (int32_t j = 0; j < depth; j++)
        {
            float rescaled = table[offset + load8(x + j, in_signed)] * inverse;
            int32_t q;
            if (in_signed)
            {
                /* .NET's int addition wraps: INT32_MAX + a negative zero point does not */
                q = (int32_t)((uint32_t)round_away_nonnegative(rescaled) + (uint32_t)zero_point);
            }
            else
            {
                float shifted = rescaled + 0.5f;
                q = truncate_nonnegative(shifted);
            }
            y[j] = (uint8_t)clamp32(q, lo, hi);
        }
    }
}
