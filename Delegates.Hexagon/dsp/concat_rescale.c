/* uint8 CONCATENATION with rescale (TFLite's ConcatenationWithScaling as Accel's reference ConcatenationKernel runs
 * it): an input quantized as the output is copied; any other, per element: p = (float)q · scale (sfmpy), s = p + bias
 * (sfadd; no fused multiply-add), r = round halves away from zero; r > 512 → 255, r < −512 → 0, else r + output zero
 * point clamped to [0, 255]. Scale and bias are the definition's binary32 values. That arithmetic runs once per input
 * byte value at prepare (concat_rescale_tables); the kernel applies the resulting table in HVX. */
#include "concat_rescale.h"
#include "fconv.h"
#include "quant.h"
#include "hvx_bytes.h"

#pragma clang fp contract(off)   /* the multiply and the add each rounded, as the reference */

/* Words: out, outer, input count, output zero point, then per input: offset, chunk bytes, copy, scale bits, bias bits. */
const char *concat_rescale_prepare(const int32_t *w, uint32_t word_count, uint32_t shm_bytes)
{
    if (word_count < 4) return "node has too few words";
    uint64_t count = (uint32_t)w[2];
    if (word_count < 4 + 5 * count) return "node has too few words";
    if (w[1] < 0) return "concatenation outer count out of range";
    uint64_t row = 0;
    for (uint64_t i = 0; i < count; i++)
    {
        const int32_t *in = w + 4 + 5 * i;
        if (in[1] < 0) return "concatenation chunk out of range";
        if (in[0] < 0 || (uint64_t)(uint32_t)in[0] + (uint64_t)(uint32_t)w[1] * (uint32_t)in[1] > shm_bytes)
            return "a tensor lies outside the shared memory";
        row += (uint32_t)in[1];
    }
    if (w[0] < 0 || (uint64_t)(uint32_t)w[0] + (uint64_t)(uint32_t)w[1] * row > shm_bytes) return "a tensor lies outside the shared memory";
    return 0;
}

/* One input byte's result: the reference's arithmetic on q. */
static uint8_t rescale_byte(uint8_t q, float scale, float bias, int32_t zero_point)
{
    float product = (float)q * scale;
    float sum = product + bias;
    uint32_t magnitude = float_bits(sum) & 0x7FFFFFFFu;
    int32_t value;
    /* |sum| ≥ 512.5 rounds beyond ±512: the clamp decides (a NaN gives the zero point, as (int)NaN = 0) */
    if (magnitude > 0x7F800000u) value = zero_point;
    else if (magnitude >= 0x44002000u) value = (float_bits(sum) >> 31) ? 0 : 255;
    else value = round_away(sum) + zero_point;
    return (uint8_t)clamp32(value, 0, 255);
}

/* The result depends on the input byte alone, so per rescaled input the 256 results are computed once here, by the
 * scalar binary32 arithmetic above, and the kernel looks them up in HVX (vlut32, hvx_bytes.h): bit-identical by
 * construction. tables: 256 bytes per input, in vlut32's order. */
void concat_rescale_tables(const int32_t *w, uint8_t *tables)
{
    uint8_t table[256];
    for (int32_t i = 0; i < w[2]; i++)
    {
        const int32_t *in = w + 4 + 5 * i;
        if (in[2]) continue;
        float scale = bits_float((uint32_t)in[3]), bias = bits_float((uint32_t)in[4]);
        for (int32_t q = 0; q < 256; q++) table[q] = rescale_byte((uint8_t)q, scale, bias, w[3]);
        hvx_arrange_table(tables + 256 * i, table);
    }
}

void concat_rescale(const int32_t *w, uint8_t *shm, const uint8_t *tables)
{
    uint8_t *output = shm + w[0];
    for (int32_t outer = 0; outer < w[1]; outer++)
        for (int32_t i = 0; i < w[2]; i++)
        {
            const int32_t *in = w + 4 + 5 * i;
            int32_t chunk = in[1];
            const uint8_t *source = shm + in[0] + outer * chunk;
            if (in[2]) memcpy(output, source, (size_t)chunk);
            else if (chunk > 0) hvx_lookup_bytes((const HVX_Vector *)(tables + 256 * i), source, output, chunk);
            output += chunk;
        }
}
