/* uint8 CONCATENATION with rescale (TFLite's ConcatenationWithScaling as Accel's reference ConcatenationKernel runs
 * it): an input quantized as the output is copied; any other, per element: p = (float)q · scale (sfmpy), s = p + bias
 * (sfadd; no fused multiply-add), r = round halves away from zero; r > 512 → 255, r < −512 → 0, else r + output zero
 * point clamped to [0, 255]. Scale and bias are the definition's binary32 values. */
#include "concat_rescale.h"
#include "fconv.h"
#include "quant.h"

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

void concat_rescale(const int32_t *w, uint8_t *shm)
{
    uint8_t *output = shm + w[0];
    int32_t zero_point = w[3];
    for (int32_t outer = 0; outer < w[1]; outer++)
        for (int32_t i = 0; i < w[2]; i++)
        {
            const int32_t *in = w + 4 + 5 * i;
            int32_t chunk = in[1];
            const uint8_t *source = shm + in[0] + outer * chunk;
            if (in[2])
                memcpy(output, source, (size_t)chunk);
            else
            {
                float scale = bits_float((uint32_t)in[3]), bias = bits_float((uint32_t)in[4]);
                for (int32_t j = 0; j < chunk; j++)
                {
                    float product = (float)source[j] * scale;
                    float sum = product + bias;
                    uint32_t magnitude = float_bits(sum) & 0x7FFFFFFFu;
                    int32_t value;
                    /* |sum| ≥ 512.5 rounds beyond ±512: the clamp decides (a NaN gives the zero point, as (int)NaN = 0) */
                    if (magnitude > 0x7F800000u) value = zero_point;
                    else if (magnitude >= 0x44002000u) value = (float_bits(sum) >> 31) ? 0 : 255;
                    else value = round_away(sum) + zero_point;
                    output[j] = (uint8_t)clamp32(value, 0, 255);
                }
            }
            output += chunk;
        }
}
