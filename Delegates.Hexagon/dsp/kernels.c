/* The integer kernels: TFLite's reference_integer_ops (int8) and reference_ops (uint8), as Accel's reference
 * (Runtime.Core/Kernels/Reference/QuantizedKernels.cs) runs them. Every sum is an exact wrapping int32 sum, so the
 * loop order is free. CONV_2D (per group), DEPTHWISE_CONV_2D and FULLY_CONNECTED accumulate and requantize 32 output
 * channels per HVX vector (hvx_quant.h); ADD/SUB/MUL (rows contiguous in both operands) and int8/uint8 QUANTIZE
 * requantize 32 elements per vector; float QUANTIZE counts thresholds, DEQUANTIZE and uint8 CONCATENATION's rescale
 * look up tables prepared from the scalar arithmetic, the strided walks and DEPTHWISE_CONV_2D's multiplier gather
 * permute bytes with vlut32 (hvx_bytes.h) or, past a 32-byte stride, transpose 128 × 128 byte tiles by vshuff, MEAN and RESIZE_BILINEAR sum in HVX; the fallbacks are scalar Hexagon
 * code. Word layouts: node_prepare below. */
#include "kernels.h"
#include "protocol.h"
#include "quant.h"
#include "hvx_quant.h"
#include "hvx_bytes.h"
#include "softmax.h"
#include "concat_rescale.h"

/* Each kernel stays its own function so that executed instructions can be attributed to it by symbol
 * (tools/insn_count.py); one call per node costs nothing measurable. */
#define NOINLINE __attribute__((noinline))

/* A tensor at byte offset `offset` with `bytes` bytes must lie inside the shared memory. */
static int inside(int32_t offset, uint64_t bytes, uint32_t shm_bytes)
{
    return offset >= 0 && (uint64_t)(uint32_t)offset + bytes <= shm_bytes;
}

static uint64_t prod4(const int32_t *d) { return (uint64_t)(uint32_t)d[0] * (uint32_t)d[1] * (uint32_t)d[2] * (uint32_t)d[3]; }

/* The largest element offset + 1 a strided 4-d walk reaches (strides 0 where an operand broadcasts). */
static uint64_t strided_extent(const int32_t *dims, const int32_t *strides)
{
    uint64_t last = 0;
    for (int i = 0; i < 4; i++)
    {
        if (dims[i] <= 0) return 0;
        if (strides[i] < 0) return ~0ull;
        last += (uint64_t)(dims[i] - 1) * (uint32_t)strides[i];
    }
    return last + 1;
}

/* The HVX layout (kernels.h): 32 output channels per block, one int32 lane each; with groups (grouped CONV_2D), each
 * group's `group_channels` output channels start a block of their own (blocks per group × groups, the group's last
 * block padded), so that a block never mixes groups, which read different input channels. */
static const char *pack_wide_grouped(struct node *n, const uint8_t *filter, const int32_t *bias, const int32_t *multipliers,
    uint32_t channels, uint32_t group_channels, uint32_t taps, uint32_t channel_stride, uint32_t tap_stride, int is_signed,
    int32_t filter_offset)
{
    uint32_t group_blocks = (group_channels + HVX_LANES - 1) / HVX_LANES;
    uint32_t blocks = udiv32(channels, group_channels) * group_blocks;
    n->wide_bytes = (size_t)blocks * taps * HVX_LANES * 4;
    n->lanes_bytes = (size_t)blocks * 4 * HVX_LANES * 4;
    n->wide = page_alloc(n->wide_bytes);
    n->lanes = page_alloc(n->lanes_bytes);
    if (!n->wide || !n->lanes) return "out of DSP memory packing weights for HVX";
    for (uint32_t b = 0, group = 0, group_block = 0; b < blocks; b++, group_block = group_block + 1 == group_blocks ? 0 : group_block + 1,
            group += group_block == 0)
        for (uint32_t lane = 0; lane < HVX_LANES; lane++)
        {
            uint32_t in_group = group_block * HVX_LANES + lane, oc = group * group_channels + in_group;
            int32_t *l = n->lanes + b * 4 * HVX_LANES + lane;
            if (in_group >= group_channels) continue; /* zero weights, multiplier 0: a padding lane computes 0 and is not stored */
            for (uint32_t t = 0; t < taps; t++)
                n->wide[(b * taps + t) * HVX_LANES + lane] = load8(filter + oc * channel_stride + t * tap_stride, is_signed) + filter_offset;
            int32_t shift = multipliers[2 * oc + 1];
            l[0] = bias ? bias[oc] : 0;
            l[HVX_LANES] = multipliers[2 * oc];
            l[2 * HVX_LANES] = shift > 0 ? shift : 0;
            l[3 * HVX_LANES] = shift > 0 ? 0 : -shift;
        }
    return 0;
}

static const char *pack_wide(struct node *n, const uint8_t *filter, const int32_t *bias, const int32_t *multipliers, uint32_t channels,
    uint32_t taps, uint32_t channel_stride, uint32_t tap_stride, int is_signed, int32_t filter_offset)
{
    return pack_wide_grouped(n, filter, bias, multipliers, channels, channels, taps, channel_stride, tap_stride, is_signed, filter_offset);
}

static const char *dequantize_prepare(struct node *n);
static const char *quantize_floats_prepare(struct node *n);
static const char *resize_bilinear_prepare(struct node *n);
static const char *depthwise_gather_prepare(struct node *n, uint32_t channels, int32_t multiplier);

/* A strided walk whose innermost stride exceeds the vlut32 gather's 32 bytes and that has an outer axis of input
 * stride 1 (a TRANSPOSE moving a wide channel axis inwards) is copied by 128 × 128 byte tiles (strided_copy): that axis,
 * or −1. */
static int32_t transpose_axis(const int32_t *w)
{
    int32_t rank = w[3];
    if (rank < 2 || w[5 + 2 * rank - 1] <= 32) return -1;
    for (int32_t d = rank - 2; d >= 0; d--)
        if (w[5 + rank + d] == 1 && w[5 + d] > 1) return d;
    return -1;
}

#define NEED(count) do { if (n->word_count < (uint32_t)(count)) return "node has too few words"; } while (0)
#define INSIDE(offset, bytes) do { if (!inside((offset), (bytes), shm_bytes)) return "a tensor lies outside the shared memory"; } while (0)

const char *node_prepare(struct node *n, uint8_t *shm, uint32_t shm_bytes)
{
    const int32_t *w = n->w;
    switch (n->op)
    {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    {
        NEED(n->op == OP_MUL ? 23 : 28);
        for (int i = 4; i < 8; i++) if (w[i] <= 0) return "broadcast dims must be positive";
        INSIDE(w[1], strided_extent(w + 4, w + 8));
        INSIDE(w[2], strided_extent(w + 4, w + 12));
        INSIDE(w[3], prod4(w + 4));
        if (n->op != OP_MUL && (w[19] < 0 || w[19] > 30)) return "left shift out of range";
        return 0;
    }
    case OP_CONV_2D:
    {
        NEED(27);
        uint64_t oc = (uint32_t)w[14];
        NEED(27 + 2 * oc);
        if (w[21] <= 0 || w[11] <= 0 || w[14] < 0
            || udiv32((uint32_t)w[14], (uint32_t)w[21]) * (uint32_t)w[21] != (uint32_t)w[14]
            || (uint64_t)udiv32((uint32_t)w[14], (uint32_t)w[21]) * (uint32_t)w[11] > (uint32_t)w[8])
            return "bad group geometry";
        INSIDE(w[1], prod4(w + 5));
        uint64_t filter = oc * (uint32_t)w[9] * (uint32_t)w[10] * (uint32_t)w[11];
        INSIDE(w[2], filter);
        if (w[3] >= 0) INSIDE(w[3], oc * 4);
        INSIDE(w[4], (uint64_t)(uint32_t)w[5] * (uint32_t)w[12] * (uint32_t)w[13] * oc);
        /* every group in HVX: group g's w[21] output channels read input channels [g·kd, (g + 1)·kd) */
        return pack_wide_grouped(n, shm + w[2], w[3] >= 0 ? (const int32_t *)(shm + w[3]) : 0, w + 27, (uint32_t)oc, (uint32_t)w[21],
            (uint32_t)(w[9] * w[10] * w[11]), (uint32_t)(w[9] * w[10] * w[11]), 1, w[0], w[23]);
    }
    case OP_DEPTHWISE_CONV_2D:
    {
        NEED(26);
        uint64_t oc = (uint32_t)w[13];
        NEED(26 + 2 * oc);
        if (w[20] <= 0) return "bad depth multiplier";
        INSIDE(w[1], prod4(w + 5));
        uint64_t filter = oc * (uint32_t)w[9] * (uint32_t)w[10];
        INSIDE(w[2], filter);
        if (w[3] >= 0) INSIDE(w[3], oc * 4);
        INSIDE(w[4], (uint64_t)(uint32_t)w[5] * (uint32_t)w[11] * (uint32_t)w[12] * oc);
        const char *packed = pack_wide(n, shm + w[2], w[3] >= 0 ? (const int32_t *)(shm + w[3]) : 0, w + 26, (uint32_t)oc,
            (uint32_t)(w[9] * w[10]), 1, (uint32_t)oc, w[0], w[22]);
        if (packed || w[20] == 1) return packed;
        if (oc != (uint64_t)(uint32_t)w[8] * (uint32_t)w[20]) return "depthwise channels disagree with the depth multiplier";
        return depthwise_gather_prepare(n, (uint32_t)oc, w[20]);
    }
    case OP_FULLY_CONNECTED:
    {
        NEED(13);
        uint64_t units = (uint32_t)w[6], batch = (uint32_t)w[5], depth = (uint32_t)w[7];
        NEED(13 + 2 * units);
        INSIDE(w[1], batch * depth);
        INSIDE(w[2], units * depth);
        if (w[3] >= 0) INSIDE(w[3], units * 4);
        INSIDE(w[4], batch * units);
        return pack_wide(n, shm + w[2], w[3] >= 0 ? (const int32_t *)(shm + w[3]) : 0, w + 13, (uint32_t)units,
            (uint32_t)depth, (uint32_t)depth, 1, w[0], w[9]);
    }
    case OP_MAX_POOL_2D:
    case OP_AVERAGE_POOL_2D:
        NEED(17);
        INSIDE(w[1], prod4(w + 3));
        INSIDE(w[2], (uint64_t)(uint32_t)w[3] * (uint32_t)w[7] * (uint32_t)w[8] * (uint32_t)w[6]);
        return 0;
    case OP_COPY:
        NEED(3);
        INSIDE(w[0], (uint32_t)w[2]);
        INSIDE(w[1], (uint32_t)w[2]);
        return 0;
    case OP_REQUANTIZE:
        NEED(11);
        INSIDE(w[2], (uint32_t)w[4]);
        INSIDE(w[3], (uint32_t)w[4]);
        return 0;
    case OP_SOFTMAX:
        return softmax_prepare(w, n->word_count, shm_bytes);
    case OP_CONCATENATION_RESCALE:
    {
        const char *error = concat_rescale_prepare(w, n->word_count, shm_bytes);
        if (error) return error;
        n->tables_bytes = (size_t)(uint32_t)w[2] * 256;
        n->tables = page_alloc(n->tables_bytes);
        if (!n->tables) return "out of DSP memory preparing CONCATENATION's rescale tables";
        concat_rescale_tables(w, n->tables);
        return 0;
    }
    case OP_LOOKUP:
    {
        NEED(4);
        INSIDE(w[0], (uint32_t)w[2]);
        INSIDE(w[1], (uint32_t)w[2]);
        INSIDE(w[3], 256);
        /* The table in vlut32's order (lookup_hvx), in DSP-private memory: 2 aligned vectors. */
        n->wide_bytes = 256;
        n->wide = page_alloc(n->wide_bytes);
        if (!n->wide) return "out of DSP memory preparing a lookup table";
        hvx_arrange_table((uint8_t *)n->wide, shm + w[3]);
        return 0;
    }
    case OP_PAD:
    {
        NEED(15);
        int32_t out_dims[4];
        for (int i = 0; i < 4; i++)
        {
            if (w[2 + i] < 0 || w[6 + i] < 0 || w[10 + i] < 0) return "negative pad geometry";
            out_dims[i] = w[2 + i] + w[6 + i] + w[10 + i];
        }
        INSIDE(w[0], prod4(w + 2));
        INSIDE(w[1], prod4(out_dims));
        return 0;
    }
    case OP_CONCATENATION:
    {
        NEED(3);
        uint64_t count = (uint32_t)w[2];
        NEED(3 + 2 * count);
        uint64_t row = 0;
        for (uint64_t i = 0; i < count; i++)
        {
            INSIDE(w[3 + 2 * i], (uint64_t)(uint32_t)w[1] * (uint32_t)w[4 + 2 * i]);
            row += (uint32_t)w[4 + 2 * i];
        }
        INSIDE(w[0], (uint64_t)(uint32_t)w[1] * row);
        return 0;
    }
    case OP_QUANTIZE_FLOAT:
        /* out signed (unused: the clamp bounds say it), in, out, count, scale bits, zero point, min, max */
        NEED(8);
        INSIDE(w[1], (uint64_t)(uint32_t)w[3] * 4);
        INSIDE(w[2], (uint32_t)w[3]);
        if ((w[4] & 0x7FFFFFFF) == 0 || (uint32_t)w[4] >= 0x7F800000u) return "the output scale must be finite and > 0";
        return quantize_floats_prepare(n);
    case OP_DEQUANTIZE:
        NEED(6);
        INSIDE(w[1], (uint32_t)w[3]);
        INSIDE(w[2], (uint64_t)(uint32_t)w[3] * 4);
        return dequantize_prepare(n);
    case OP_STRIDED_COPY:
    {
        /* in, out, in bytes, rank (0..6), offset, dims[rank], strides[rank] (elements of 1 byte; a stride may be < 0) */
        NEED(5);
        int32_t rank = w[3];
        if (rank < 0 || rank > 6) return "strided copy rank out of range";
        NEED(5 + 2 * rank);
        INSIDE(w[0], (uint32_t)w[2]);
        int64_t low = w[4], high = w[4];
        uint64_t count = 1;
        for (int32_t d = 0; d < rank; d++)
        {
            int32_t dim = w[5 + d], stride = w[5 + rank + d];
            if (dim <= 0) return "strided copy dims must be positive";
            count *= (uint32_t)dim;
            if (stride > 0) high += (int64_t)stride * (dim - 1); else low += (int64_t)stride * (dim - 1);
        }
        if (low < 0 || high >= w[2]) return "a strided view reaches outside its input";
        INSIDE(w[1], count);
        if (transpose_axis(w) >= 0)
        {
            n->tables_bytes = 2 * 128 * 128; /* the tile and its shuffled copy */
            n->tables = page_alloc(n->tables_bytes);
            if (!n->tables) return "out of DSP memory for the transpose tiles";
        }
        return 0;
    }
    case OP_RESIZE_NEAREST:
    {
        /* in, out, N, H, W, C, OH, OW, rows table (OH int32), columns table (OW int32) */
        NEED(10);
        INSIDE(w[0], prod4(w + 2));
        INSIDE(w[1], (uint64_t)(uint32_t)w[2] * (uint32_t)w[6] * (uint32_t)w[7] * (uint32_t)w[5]);
        INSIDE(w[8], (uint64_t)(uint32_t)w[6] * 4);
        INSIDE(w[9], (uint64_t)(uint32_t)w[7] * 4);
        const int32_t *rows = (const int32_t *)(shm + w[8]), *columns = (const int32_t *)(shm + w[9]);
        for (int32_t i = 0; i < w[6]; i++) if (rows[i] < 0 || rows[i] >= w[3]) return "a source row is outside the input";
        for (int32_t i = 0; i < w[7]; i++) if (columns[i] < 0 || columns[i] >= w[4]) return "a source column is outside the input";
        return 0;
    }
    case OP_RESIZE_BILINEAR:
        /* signed, in, out, N, H, W, C, OH, OW, height step Q10, width step Q10, half-pixel centers */
        NEED(12);
        if (w[4] <= 0 || w[5] <= 0) return "empty input";
        INSIDE(w[1], prod4(w + 3));
        INSIDE(w[2], (uint64_t)(uint32_t)w[3] * (uint32_t)w[7] * (uint32_t)w[8] * (uint32_t)w[6]);
        if (w[7] < 0 || w[8] < 0) return "negative output size";
        return resize_bilinear_prepare(n);
    case OP_MEAN:
    {
        /* signed, in, out, input bytes, outputs, kept sizes[4], kept strides[4], reduced sizes[4], reduced strides[4],
         * zp_in·n (low 32 bits), multiplier, shift, zp_out, min, max, n */
        NEED(28);
        INSIDE(w[1], (uint32_t)w[3]);
        INSIDE(w[2], (uint32_t)w[4]);
        uint64_t outputs = 1, count = 1, last = 0;
        for (int i = 0; i < 4; i++)
        {
            if (w[5 + i] < 0 || w[13 + i] < 0 || w[9 + i] < 0 || w[17 + i] < 0) return "negative mean geometry";
            outputs *= (uint32_t)w[5 + i];
            count *= (uint32_t)w[13 + i];
            if (w[5 + i] > 0) last += (uint64_t)(w[5 + i] - 1) * (uint32_t)w[9 + i];
            if (w[13 + i] > 0) last += (uint64_t)(w[13 + i] - 1) * (uint32_t)w[17 + i];
        }
        if (outputs != (uint32_t)w[4] || count != (uint32_t)w[27]) return "mean counts disagree with its runs";
        if (outputs * count != 0 && last >= (uint32_t)w[3]) return "a mean run reaches outside its input";
        if (w[23] < -31 || w[23] > 30) return "shift out of range";
        return 0;
    }
    case OP_TRANSPOSE_CONV:
    {
        /* signed, in, weights, bias (-1: none), out, N, H, W, Cin, KH, KW, OH, OW, Cout, stride h, w, pad top, left,
         * input offset, output offset, min, max, filter offset (uint8; 0 for int8's symmetric weights), then
         * (multiplier, shift) per output channel */
        NEED(23);
        uint64_t oc = (uint32_t)w[13];
        NEED(23 + 2 * oc);
        if (w[14] <= 0 || w[15] <= 0 || w[9] <= 0 || w[10] <= 0 || w[8] <= 0 || oc == 0) return "bad transpose conv geometry";
        INSIDE(w[1], prod4(w + 5));
        uint64_t taps = (uint64_t)(uint32_t)w[9] * (uint32_t)w[10] * (uint32_t)w[8];
        INSIDE(w[2], oc * taps);
        if (w[3] >= 0) INSIDE(w[3], oc * 4);
        INSIDE(w[4], (uint64_t)(uint32_t)w[5] * (uint32_t)w[11] * (uint32_t)w[12] * oc);
        /* OHWI weights are CONV_2D's layout: the same 32-channel packing, the filter offset folded in. */
        return pack_wide(n, shm + w[2], w[3] >= 0 ? (const int32_t *)(shm + w[3]) : 0, w + 23, (uint32_t)oc,
            (uint32_t)taps, (uint32_t)taps, 1, w[0], w[22]);
    }
    default:
        return "unknown op code";
    }
}

void node_release(struct node *n)
{
    page_free(n->wide, n->wide_bytes);
    page_free(n->lanes, n->lanes_bytes);
    page_free(n->tables, n->tables_bytes);
    n->tables = 0;
    n->wide = 0;
    n->lanes = 0;
}

/* The low 32 bits of a·b per lane (the exact 64-bit product's low word: wrapping, as int32 arithmetic). */
static inline HVX_Vector hvx_mul_lo(HVX_Vector a, HVX_Vector b) { return Q6_V_lo_W(Q6_W_vmpyoacc_WVwVh(Q6_W_vmpye_VwVuh(a, b), a, b)); }

/* acc + weights × value, value an 8-bit input plus its offset. `narrow` (a constant in each specialised kernel body:
 * |offset| ≤ 32,512, true for every valid zero point): the value fits 16 bits, so one vmpyi (32 × 16-bit lanes, the
 * value in both halves of the scalar; the product's low word, the same wrapping product as hvx_mul_lo); otherwise the
 * splat and the full 32 × 32-bit product. */
#define ALWAYS_INLINE __attribute__((always_inline)) inline
static ALWAYS_INLINE HVX_Vector hvx_mac(HVX_Vector acc, HVX_Vector weights, int32_t value, const int narrow)
{
    if (narrow) return Q6_Vw_vmpyiacc_VwVwRh(acc, weights, (int32_t)((uint32_t)(uint16_t)value * 0x10001u));
    return Q6_Vw_vadd_VwVw(acc, hvx_mul_lo(weights, Q6_V_vsplat_R(value)));
}

static inline int narrow_offset(int32_t offset) { return offset >= -32512 && offset <= 32512; }

/* acc (32 channels from `first`) → requantized with the block's per-lane multipliers, + zero point, clamped, stored. */
static inline void hvx_requantize_store(HVX_Vector acc, const int32_t *lanes, int32_t output_offset, int32_t lo, int32_t hi,
    uint8_t *output, int32_t count)
{
    const HVX_Vector *l = (const HVX_Vector *)lanes;
    HVX_Vector y = Q6_Vw_vadd_VwVw(hvx_mbqm(acc, l[1], l[2], l[3]), Q6_V_vsplat_R(output_offset));
    y = Q6_Vw_vmax_VwVw(Q6_Vw_vmin_VwVw(y, Q6_V_vsplat_R(hi)), Q6_V_vsplat_R(lo));
    hvx_store_words(output, count, y);
}

/* CONV_2D: 32 output channels per vector; each in-bounds tap adds weights × splat(input). Grouped: per group its own
 * blocks (pack_wide_grouped), reading the group's kd input channels and storing its w[21] output channels. */
static ALWAYS_INLINE void conv2d_hvx_body(const struct node *n, uint8_t *shm, const int narrow)
{
    const int32_t *w = n->w;
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[4];
    int32_t batches = w[5], height = w[6], width = w[7], depth = w[8];
    int32_t kh = w[9], kw = w[10], kd = w[11], oh = w[12], ow = w[13], oc_count = w[14];
    int32_t sh = w[15], sw = w[16], dh = w[17], dw = w[18], pt = w[19], pl = w[20];
    int32_t input_offset = w[22], output_offset = w[24], lo = w[25], hi = w[26], group_channels = w[21];
    int32_t taps = kh * kw * kd, group_blocks = (group_channels + HVX_LANES - 1) / HVX_LANES;
    int32_t blocks = (int32_t)udiv32((uint32_t)oc_count, (uint32_t)group_channels) * group_blocks;
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    for (int32_t ox = 0; ox < ow; ox++)
    {
        int32_t iy0 = oy * sh - pt, ix0 = ox * sw - pl;
        uint8_t *out = output + ((b * oh + oy) * ow + ox) * oc_count;
        for (int32_t block = 0, group = 0, in_group = 0; block < blocks; block++)
        {
            const HVX_Vector *weights = (const HVX_Vector *)(n->wide + block * taps * HVX_LANES);
            const int32_t *lanes = n->lanes + block * 4 * HVX_LANES;
            HVX_Vector acc = *(const HVX_Vector *)lanes; /* the bias */
            for (int32_t ky = 0; ky < kh; ky++)
            {
                int32_t iy = iy0 + ky * dh;
                if (iy < 0 || iy >= height) continue;
                for (int32_t kx = 0; kx < kw; kx++)
                {
                    int32_t ix = ix0 + kx * dw;
                    if (ix < 0 || ix >= width) continue;
                    const uint8_t *x = input + ((b * height + iy) * width + ix) * depth + group * kd;
                    const HVX_Vector *wv = weights + (ky * kw + kx) * kd;
                    for (int32_t ci = 0; ci < kd; ci++) acc = hvx_mac(acc, wv[ci], load8(x + ci, is_signed) + input_offset, narrow);
                }
            }
            int32_t count = group_channels - in_group < HVX_LANES ? group_channels - in_group : HVX_LANES;
            hvx_requantize_store(acc, lanes, output_offset, lo, hi, out + group * group_channels + in_group, count);
            in_group += HVX_LANES;
            if (in_group >= group_channels) { in_group = 0; group++; }
        }
    }
}

static NOINLINE void conv2d_hvx(const struct node *n, uint8_t *shm)
{
    if (narrow_offset(n->w[22])) conv2d_hvx_body(n, shm, 1); else conv2d_hvx_body(n, shm, 0);
}

/* DEPTHWISE_CONV_2D's gather for a depth multiplier m > 1: block b's 32 lanes read input channels (32b + lane) / m,
 * which lie in the window of channels [32b / m, (32b + 31) / m] (at most 32 bytes); per block the vlut32 indices that
 * move window byte (32b + lane) / m − 32b / m to lane `lane` (hvx_permute_bytes; lanes past the last channel get
 * index 0xFF, so 0), then the window's start and length. */
static const char *depthwise_gather_prepare(struct node *n, uint32_t channels, int32_t multiplier)
{
    uint32_t blocks = (channels + HVX_LANES - 1) / HVX_LANES;
    n->tables_bytes = (size_t)blocks * (128 + 8);
    n->tables = page_alloc(n->tables_bytes);
    if (!n->tables) return "out of DSP memory preparing the depthwise gather";
    int32_t *windows = (int32_t *)(n->tables + blocks * 128);
    for (uint32_t b = 0; b < blocks; b++)
    {
        int32_t first = (int32_t)(b * HVX_LANES), last = (int32_t)(channels - 1 < b * HVX_LANES + HVX_LANES - 1 ? channels - 1 : b * HVX_LANES + HVX_LANES - 1);
        int32_t start = sdiv32(first, multiplier);
        for (int32_t lane = 0; lane < 128; lane++)
            n->tables[b * 128 + lane] = first + lane <= last && lane < HVX_LANES ? hvx_permute_index(sdiv32(first + lane, multiplier) - start) : 0xFF;
        windows[2 * b] = start;
        windows[2 * b + 1] = sdiv32(last, multiplier) - start + 1;
    }
    return 0;
}

/* DEPTHWISE_CONV_2D: 32 output channels per vector; each lane reads its own input channel (oc / multiplier): with a
 * multiplier of 1 those are 32 contiguous bytes, loaded and widened in HVX; otherwise the block's window of input
 * channels is loaded and its bytes moved to their lanes by vlut32 (depthwise_gather_prepare), then widened. Lanes
 * past the last channel multiply zero weights and are not stored. */
static NOINLINE void depthwise_hvx(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[4];
    int32_t batches = w[5], height = w[6], width = w[7], depth = w[8];
    int32_t kh = w[9], kw = w[10], oh = w[11], ow = w[12], oc_count = w[13];
    int32_t sh = w[14], sw = w[15], dh = w[16], dw = w[17], pt = w[18], pl = w[19], multiplier = w[20];
    int32_t input_offset = w[21], output_offset = w[23], lo = w[24], hi = w[25];
    int32_t taps = kh * kw, blocks = (oc_count + HVX_LANES - 1) / HVX_LANES;
    HVX_Vector offset = Q6_V_vsplat_R(input_offset), gather = offset;
    const int32_t *windows = multiplier == 1 ? 0 : (const int32_t *)(n->tables + blocks * 128), *window = windows;
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    for (int32_t ox = 0; ox < ow; ox++)
    {
        int32_t iy0 = oy * sh - pt, ix0 = ox * sw - pl;
        uint8_t *out = output + ((b * oh + oy) * ow + ox) * oc_count;
        for (int32_t block = 0; block < blocks; block++)
        {
            const HVX_Vector *weights = (const HVX_Vector *)(n->wide + block * taps * HVX_LANES);
            const int32_t *lanes = n->lanes + block * 4 * HVX_LANES;
            int32_t first = block * HVX_LANES;
            int32_t count = oc_count - first < HVX_LANES ? oc_count - first : HVX_LANES;
            HVX_Vector acc = *(const HVX_Vector *)lanes;
            if (multiplier != 1)
            {
                gather = ((const HVX_Vector *)n->tables)[block];
                window = windows + 2 * block;
            }
            for (int32_t ky = 0; ky < kh; ky++)
            {
                int32_t iy = iy0 + ky * dh;
                if (iy < 0 || iy >= height) continue;
                for (int32_t kx = 0; kx < kw; kx++)
                {
                    int32_t ix = ix0 + kx * dw;
                    if (ix < 0 || ix >= width) continue;
                    const uint8_t *x = input + ((b * height + iy) * width + ix) * depth;
                    HVX_Vector xv;
                    if (multiplier == 1) /* the block's 32 input channels are contiguous: one vector load */
                        xv = hvx_load_words(x + first, count, is_signed);
                    else
                        xv = hvx_widen_words(hvx_permute_bytes(hvx_load_bytes(x + window[0], window[1]), gather), is_signed);
                    acc = Q6_Vw_vadd_VwVw(acc, hvx_mul_lo(weights[ky * kw + kx], Q6_Vw_vadd_VwVw(xv, offset)));
                }
            }
            hvx_requantize_store(acc, lanes, output_offset, lo, hi, out + first, count);
        }
    }
}

/* FULLY_CONNECTED: 32 units per vector; each input element adds weights × splat(input). */
static ALWAYS_INLINE void fully_connected_hvx_body(const struct node *n, uint8_t *shm, const int narrow)
{
    const int32_t *w = n->w;
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[4];
    int32_t batches = w[5], units = w[6], depth = w[7], input_offset = w[8], output_offset = w[10], lo = w[11], hi = w[12];
    int32_t blocks = (units + HVX_LANES - 1) / HVX_LANES;
    for (int32_t b = 0; b < batches; b++)
        for (int32_t block = 0; block < blocks; block++)
        {
            const HVX_Vector *weights = (const HVX_Vector *)(n->wide + block * depth * HVX_LANES);
            const int32_t *lanes = n->lanes + block * 4 * HVX_LANES;
            const uint8_t *x = input + b * depth;
            HVX_Vector acc = *(const HVX_Vector *)lanes;
            for (int32_t k = 0; k < depth; k++) acc = hvx_mac(acc, weights[k], load8(x + k, is_signed) + input_offset, narrow);
            int32_t first = block * HVX_LANES;
            int32_t count = units - first < HVX_LANES ? units - first : HVX_LANES;
            hvx_requantize_store(acc, lanes, output_offset, lo, hi, output + b * units + first, count);
        }
}

static NOINLINE void fully_connected_hvx(const struct node *n, uint8_t *shm)
{
    if (narrow_offset(n->w[8])) fully_connected_hvx_body(n, shm, 1); else fully_connected_hvx_body(n, shm, 0);
}

static inline HVX_Vector hvx_splat(int32_t v) { return Q6_V_vsplat_R(v); }

/* One contiguous row of ADD / SUB / MUL in HVX, 32 elements per vector, loaded, widened and stored in HVX (lanes past
 * `count` compute on unspecified values and are not stored): the same operations as the scalar form below, lane by
 * lane. */
static void binary_row_hvx(const int32_t *w, const uint8_t *a, const uint8_t *b, uint8_t *y, int32_t count, int op)
{
    int is_signed = w[0];
    for (int32_t first = 0; first < count; first += HVX_LANES)
    {
        int32_t n = count - first < HVX_LANES ? count - first : HVX_LANES;
        HVX_Vector xa = Q6_Vw_vadd_VwVw(hvx_load_words(a + first, n, is_signed), hvx_splat(w[16]));
        HVX_Vector xb = Q6_Vw_vadd_VwVw(hvx_load_words(b + first, n, is_signed), hvx_splat(w[17]));
        HVX_Vector r;
        int32_t lo, hi;
        if (op == OP_MUL)
        {
            r = hvx_mbqm(hvx_mul_lo(xa, xb), hvx_splat(w[19]), hvx_splat(w[20] > 0 ? w[20] : 0), hvx_splat(w[20] > 0 ? 0 : -w[20]));
            lo = w[21];
            hi = w[22];
        }
        else
        {
            HVX_Vector sx = hvx_mbqm(Q6_Vw_vasl_VwR(xa, w[19]), hvx_splat(w[20]), hvx_splat(w[21] > 0 ? w[21] : 0), hvx_splat(w[21] > 0 ? 0 : -w[21]));
            HVX_Vector sz = hvx_mbqm(Q6_Vw_vasl_VwR(xb, w[19]), hvx_splat(w[22]), hvx_splat(w[23] > 0 ? w[23] : 0), hvx_splat(w[23] > 0 ? 0 : -w[23]));
            HVX_Vector raw = op == OP_SUB ? Q6_Vw_vsub_VwVw(sx, sz) : Q6_Vw_vadd_VwVw(sx, sz);
            r = hvx_mbqm(raw, hvx_splat(w[24]), hvx_splat(w[25] > 0 ? w[25] : 0), hvx_splat(w[25] > 0 ? 0 : -w[25]));
            lo = w[26];
            hi = w[27];
        }
        r = Q6_Vw_vadd_VwVw(r, hvx_splat(w[18]));
        r = Q6_Vw_vmax_VwVw(Q6_Vw_vmin_VwVw(r, hvx_splat(hi)), hvx_splat(lo));
        hvx_store_words(y + first, n, r);
    }
}

static NOINLINE void binary(const int32_t *w, uint8_t *shm, int op)
{
    int is_signed = w[0];
    const uint8_t *a = shm + w[1], *b = shm + w[2];
    uint8_t *y = shm + w[3];
    const int32_t *dims = w + 4, *sa = w + 8, *sb = w + 12;
    for (int32_t i0 = 0; i0 < dims[0]; i0++)
    for (int32_t i1 = 0; i1 < dims[1]; i1++)
    for (int32_t i2 = 0; i2 < dims[2]; i2++)
    {
        const uint8_t *pa = a + i0 * sa[0] + i1 * sa[1] + i2 * sa[2];
        const uint8_t *pb = b + i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
        if (sa[3] == 1 && sb[3] == 1)
        {
            binary_row_hvx(w, pa, pb, y, dims[3], op);
            y += dims[3];
            continue;
        }
        for (int32_t i3 = 0; i3 < dims[3]; i3++)
        {
            int32_t x = load8(pa + i3 * sa[3], is_signed);
            int32_t z = load8(pb + i3 * sb[3], is_signed);
            int32_t result;
            if (op == OP_MUL)
            {
                result = mbqm((x + w[16]) * (z + w[17]), w[19], w[20]) + w[18];
                result = clamp32(result, w[21], w[22]);
            }
            else
            {
                int32_t sx = mbqm((x + w[16]) * (1 << w[19]), w[20], w[21]);
                int32_t sz = mbqm((z + w[17]) * (1 << w[19]), w[22], w[23]);
                int32_t raw = op == OP_SUB ? sx - sz : sx + sz;
                result = clamp32(mbqm(raw, w[24], w[25]) + w[18], w[26], w[27]);
            }
            *y++ = (uint8_t)result;
        }
    }
}

/* MAX_POOL_2D in HVX, 128 channels per vector (vmaxb / vmaxub: a max is exact, so any order gives the reference's
 * bytes), unaligned loads of each in-bounds tap; the channels past the last whole vector (every channel of a pool under
 * 128 channels) as one partial vector (hvx_bytes.h: aligned loads joined, a masked store). */
static NOINLINE void max_pool_hvx(const int32_t *w, uint8_t *shm)
{
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t batches = w[3], height = w[4], width = w[5], depth = w[6], oh = w[7], ow = w[8];
    int32_t sh = w[9], sw = w[10], pt = w[11], pl = w[12], fh = w[13], fw = w[14], lo = w[15], hi = w[16];
    HVX_Vector lowest = Q6_Vb_vsplat_R(is_signed ? -128 : 0), lo_v = Q6_Vb_vsplat_R(lo), hi_v = Q6_Vb_vsplat_R(hi);
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    {
        int32_t iy0 = oy * sh - pt;
        int32_t ky_start = iy0 < 0 ? -iy0 : 0, ky_end = height - iy0 < fh ? height - iy0 : fh;
        for (int32_t ox = 0; ox < ow; ox++)
        {
            int32_t ix0 = ox * sw - pl;
            int32_t kx_start = ix0 < 0 ? -ix0 : 0, kx_end = width - ix0 < fw ? width - ix0 : fw;
            uint8_t *out = output + ((b * oh + oy) * ow + ox) * depth;
            int32_t c = 0;
            for (; c + 128 <= depth; c += 128)
            {
                HVX_Vector acc = lowest; /* no tap: the clamp gives lo, as the scalar form's INT32_MIN does */
                for (int32_t ky = ky_start; ky < ky_end; ky++)
                for (int32_t kx = kx_start; kx < kx_end; kx++)
                {
                    HVX_Vector v = *(const HVX_UVector *)(input + ((b * height + iy0 + ky) * width + ix0 + kx) * depth + c);
                    acc = is_signed ? Q6_Vb_vmax_VbVb(acc, v) : Q6_Vub_vmax_VubVub(acc, v);
                }
                acc = is_signed ? Q6_Vb_vmax_VbVb(Q6_Vb_vmin_VbVb(acc, hi_v), lo_v) : Q6_Vub_vmax_VubVub(Q6_Vub_vmin_VubVub(acc, hi_v), lo_v);
                *(HVX_UVector *)(out + c) = acc;
            }
            if (c < depth)
            {
                int32_t rest = depth - c;
                HVX_Vector acc = lowest;
                for (int32_t ky = ky_start; ky < ky_end; ky++)
                for (int32_t kx = kx_start; kx < kx_end; kx++)
                {
                    HVX_Vector v = hvx_load_bytes(input + ((b * height + iy0 + ky) * width + ix0 + kx) * depth + c, rest);
                    acc = is_signed ? Q6_Vb_vmax_VbVb(acc, v) : Q6_Vub_vmax_VubVub(acc, v);
                }
                acc = is_signed ? Q6_Vb_vmax_VbVb(Q6_Vb_vmin_VbVb(acc, hi_v), lo_v) : Q6_Vub_vmax_VubVub(Q6_Vub_vmin_VubVub(acc, hi_v), lo_v);
                hvx_store_bytes(out + c, rest, acc);
            }
        }
    }
}

/* One output pixel of a pool, scalar: every channel over the in-bounds taps. */
static void pool_pixel(const int32_t *w, const uint8_t *input, uint8_t *out, int32_t b, int32_t iy0, int32_t ix0,
    int32_t ky_start, int32_t ky_end, int32_t kx_start, int32_t kx_end, int average)
{
    int is_signed = w[0];
    int32_t height = w[4], width = w[5], depth = w[6], lo = w[15], hi = w[16];
    for (int32_t c = 0; c < depth; c++)
    {
        int32_t acc = average ? 0 : (int32_t)0x80000000, count = 0;
        for (int32_t ky = ky_start; ky < ky_end; ky++)
        for (int32_t kx = kx_start; kx < kx_end; kx++)
        {
            int32_t v = load8(input + ((b * height + iy0 + ky) * width + ix0 + kx) * depth + c, is_signed);
            acc = average ? acc + v : (v > acc ? v : acc);
            count++;
        }
        if (average) acc = acc > 0 ? sdiv32(acc + (count >> 1), count) : sdiv32(acc - (count >> 1), count);
        out[c] = (uint8_t)clamp32(acc, lo, hi);
    }
}

/* AVERAGE_POOL_2D in HVX, 32 channels per vector of int32 sums (hvx_bytes.h's widening loads). The reference's
 * rounding division (acc > 0 ? (acc + n/2) / n : (acc − n/2) / n, truncating) is sign(acc) · ⌊(|acc| + n/2) / n⌋, and
 * the floor is one exact multiply: with m = ⌈2^31 / n⌉ = (2^31 + e) / n, 0 ≤ e < n, ⌊a·m / 2^31⌋ = ⌊a / n⌋ whenever
 * a·e < 2^31, and here a < 256·n with n ≤ 2048 taps, so a·e < 2^8·2^11·2^11 = 2^30 (the node takes the scalar form
 * above 2048 taps). The 64-bit product is vmpye + vmpyo as in hvx_quant.h. A pixel with one tap is its value; one with
 * none (no in-bounds tap) takes the scalar form. */
static NOINLINE void average_pool_hvx(const int32_t *w, uint8_t *shm)
{
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t batches = w[3], height = w[4], width = w[5], depth = w[6], oh = w[7], ow = w[8];
    int32_t sh = w[9], sw = w[10], pt = w[11], pl = w[12], fh = w[13], fw = w[14], lo = w[15], hi = w[16];
    HVX_Vector zero = Q6_V_vsplat_R(0), lo_v = Q6_V_vsplat_R(lo), hi_v = Q6_V_vsplat_R(hi), half = zero, reciprocal = zero;
    int32_t last_count = -1;
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    {
        int32_t iy0 = oy * sh - pt;
        int32_t ky_start = iy0 < 0 ? -iy0 : 0, ky_end = height - iy0 < fh ? height - iy0 : fh;
        for (int32_t ox = 0; ox < ow; ox++)
        {
            int32_t ix0 = ox * sw - pl;
            int32_t kx_start = ix0 < 0 ? -ix0 : 0, kx_end = width - ix0 < fw ? width - ix0 : fw;
            int32_t count = (ky_end - ky_start) * (kx_end - kx_start);
            uint8_t *out = output + ((b * oh + oy) * ow + ox) * depth;
            if (ky_end <= ky_start || kx_end <= kx_start)
            {
                pool_pixel(w, input, out, b, iy0, ix0, ky_start, ky_end, kx_start, kx_end, 1);
                continue;
            }
            if (count != last_count) /* a long division (no divide instruction): only where the tap count changes */
            {
                last_count = count;
                half = Q6_V_vsplat_R(count >> 1);
                reciprocal = Q6_V_vsplat_R(count > 1 ? (int32_t)udiv32((1u << 31) + (uint32_t)count - 1, (uint32_t)count) : 0);
            }
            for (int32_t c = 0; c < depth; c += HVX_LANES)
            {
                int32_t lanes = depth - c < HVX_LANES ? depth - c : HVX_LANES;
                HVX_Vector acc = zero;
                for (int32_t ky = ky_start; ky < ky_end; ky++)
                for (int32_t kx = kx_start; kx < kx_end; kx++)
                    acc = Q6_Vw_vadd_VwVw(acc, hvx_load_words(input + ((b * height + iy0 + ky) * width + ix0 + kx) * depth + c, lanes, is_signed));
                if (count > 1)
                {
                    HVX_Vector magnitude = Q6_Vw_vadd_VwVw(Q6_Vw_vabs_Vw(acc), half);
                    HVX_VectorPair p = Q6_W_vmpyoacc_WVwVh(Q6_W_vmpye_VwVuh(magnitude, reciprocal), magnitude, reciprocal);
                    HVX_Vector quotient = Q6_V_vor_VV(Q6_Vw_vasl_VwR(Q6_V_hi_W(p), 1), Q6_Vuw_vlsr_VuwR(Q6_V_lo_W(p), 31));
                    acc = Q6_V_vmux_QVV(Q6_Q_vcmp_gt_VwVw(zero, acc), Q6_Vw_vsub_VwVw(zero, quotient), quotient);
                }
                acc = Q6_Vw_vmax_VwVw(Q6_Vw_vmin_VwVw(acc, hi_v), lo_v);
                hvx_store_words(out + c, lanes, acc);
            }
        }
    }
}

static NOINLINE void pool(const int32_t *w, uint8_t *shm, int average)
{
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t batches = w[3], height = w[4], width = w[5], depth = w[6], oh = w[7], ow = w[8];
    int32_t sh = w[9], sw = w[10], pt = w[11], pl = w[12], fh = w[13], fw = w[14];
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    {
        int32_t iy0 = oy * sh - pt;
        int32_t ky_start = iy0 < 0 ? -iy0 : 0, ky_end = height - iy0 < fh ? height - iy0 : fh;
        for (int32_t ox = 0; ox < ow; ox++)
        {
            int32_t ix0 = ox * sw - pl;
            int32_t kx_start = ix0 < 0 ? -ix0 : 0, kx_end = width - ix0 < fw ? width - ix0 : fw;
            pool_pixel(w, input, output + ((b * oh + oy) * ow + ox) * depth, b, iy0, ix0, ky_start, ky_end, kx_start, kx_end, average);
        }
    }
}

/* QUANTIZE int8/uint8 → int8/uint8 in HVX, 32 elements per vector (loaded, widened and stored in HVX). */
static NOINLINE void requantize(const int32_t *w, uint8_t *shm)
{
    int in_signed = w[0];
    const uint8_t *input = shm + w[2];
    uint8_t *output = shm + w[3];
    HVX_Vector multiplier = hvx_splat(w[7]), left = hvx_splat(w[8] > 0 ? w[8] : 0), right = hvx_splat(w[8] > 0 ? 0 : -w[8]);
    for (int32_t first = 0; first < w[4]; first += HVX_LANES)
    {
        int32_t n = w[4] - first < HVX_LANES ? w[4] - first : HVX_LANES;
        HVX_Vector x = Q6_Vw_vsub_VwVw(hvx_load_words(input + first, n, in_signed), hvx_splat(w[5]));
        HVX_Vector r = Q6_Vw_vadd_VwVw(hvx_mbqm(x, multiplier, left, right), hvx_splat(w[6]));
        r = Q6_Vw_vmax_VwVw(Q6_Vw_vmin_VwVw(r, hvx_splat(w[10])), hvx_splat(w[9]));
        hvx_store_words(output + first, n, r);
    }
}

/* A 256-entry byte table, 128 lookups per vector (hvx_bytes.h: vlut32 on the table prepared in its order). */
static NOINLINE void lookup_hvx(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    hvx_lookup_bytes((const HVX_Vector *)n->wide, shm + w[0], shm + w[1], w[2]);
}

static NOINLINE void pad(const int32_t *w, uint8_t *shm)
{
    const uint8_t *input = shm + w[0];
    uint8_t *output = shm + w[1];
    const int32_t *d = w + 2, *before = w + 6, *after = w + 10;
    int32_t o[4];
    for (int i = 0; i < 4; i++) o[i] = d[i] + before[i] + after[i];
    uint8_t fill = (uint8_t)w[14];
    for (int32_t i0 = 0; i0 < o[0]; i0++)
    for (int32_t i1 = 0; i1 < o[1]; i1++)
    for (int32_t i2 = 0; i2 < o[2]; i2++)
    {
        uint8_t *row = output + ((i0 * o[1] + i1) * o[2] + i2) * o[3];
        int32_t j0 = i0 - before[0], j1 = i1 - before[1], j2 = i2 - before[2];
        if (j0 < 0 || j0 >= d[0] || j1 < 0 || j1 >= d[1] || j2 < 0 || j2 >= d[2])
        {
            memset(row, fill, (size_t)o[3]);
            continue;
        }
        memset(row, fill, (size_t)before[3]);
        memcpy(row + before[3], input + ((j0 * d[1] + j1) * d[2] + j2) * d[3], (size_t)d[3]);
        memset(row + before[3] + d[3], fill, (size_t)after[3]);
    }
}

static NOINLINE void concatenation(const int32_t *w, uint8_t *shm)
{
    uint8_t *output = shm + w[0];
    for (int32_t outer = 0; outer < w[1]; outer++)
        for (int32_t i = 0; i < w[2]; i++)
        {
            int32_t chunk = w[4 + 2 * i];
            memcpy(output, shm + w[3 + 2 * i] + outer * chunk, (size_t)chunk);
            output += chunk;
        }
}

/* DEQUANTIZE's 256 results, one per input byte (scale · (q − zero point): the difference exact in float, one binary32
 * multiply rounded to nearest-even, sfmpy), as four byte planes (byte j of every float) in vlut32's order: 8 vectors. */
static const char *dequantize_prepare(struct node *n)
{
    const int32_t *w = n->w;
    union { int32_t i; float f; } scale = { w[5] };
    uint8_t planes[4][256];
    for (int32_t v = 0; v < 256; v++)
    {
        union { float f; uint32_t u; } y = { scale.f * (float)((w[0] ? (int32_t)(int8_t)v : v) - w[4]) };
        for (int32_t j = 0; j < 4; j++) planes[j][v] = (uint8_t)(y.u >> (8 * j));
    }
    n->tables_bytes = 4 * 256;
    n->tables = page_alloc(n->tables_bytes);
    if (!n->tables) return "out of DSP memory preparing DEQUANTIZE";
    for (int32_t j = 0; j < 4; j++) hvx_arrange_table(n->tables + 256 * j, planes[j]);
    return 0;
}

/* DEQUANTIZE in HVX by the prepared table (bit-identical by construction: its entries are the scalar sfmpy results):
 * per 128 input bytes, four vlut32 lookups give the floats' four byte planes, and two rounds of byte and halfword
 * shuffles (vshuff) interleave them into 128 little-endian floats. */
static NOINLINE void dequantize(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    const HVX_Vector *planes = (const HVX_Vector *)n->tables;
    for (int32_t first = 0; first < w[3]; first += 128)
    {
        int32_t count = w[3] - first < 128 ? w[3] - first : 128;
        HVX_Vector x = count == 128 ? *(const HVX_UVector *)(input + first) : hvx_load_bytes(input + first, count);
        HVX_Vector b0 = hvx_lookup256(x, planes), b1 = hvx_lookup256(x, planes + 2);
        HVX_Vector b2 = hvx_lookup256(x, planes + 4), b3 = hvx_lookup256(x, planes + 6);
        HVX_VectorPair low = Q6_W_vshuff_VVR(b1, b0, -1), high = Q6_W_vshuff_VVR(b3, b2, -1); /* halfwords b0|b1, b2|b3 */
        HVX_VectorPair words01 = Q6_W_vshuff_VVR(Q6_V_lo_W(high), Q6_V_lo_W(low), -2);     /* floats 0..63 */
        HVX_VectorPair words23 = Q6_W_vshuff_VVR(Q6_V_hi_W(high), Q6_V_hi_W(low), -2);     /* floats 64..127 */
        HVX_Vector words[4] = { Q6_V_lo_W(words01), Q6_V_hi_W(words01), Q6_V_lo_W(words23), Q6_V_hi_W(words23) };
        uint8_t *out = output + 4 * first;
        for (int32_t k = 0; k < 4 && 32 * k < count; k++)
        {
            int32_t floats = count - 32 * k < 32 ? count - 32 * k : 32;
            if (floats == 32) *(HVX_UVector *)(out + 128 * k) = words[k];
            else hvx_store_bytes(out + 128 * k, 4 * floats, words[k]);
        }
    }
}

/* A 128 × 128 byte transpose of rows[0..127] through scratch (another 128 vectors), returning where the result lies:
 * seven rounds, each pairing row i with row i + 64 and interleaving their bytes (vshuff) into rows 2i and 2i + 1.
 * With an element's row and column as one 14-bit string r·c, a round rotates that string left by one bit, so seven
 * rounds give c·r. */
static const HVX_Vector *hvx_transpose_bytes(HVX_Vector *rows, HVX_Vector *scratch)
{
    HVX_Vector *from = rows, *to = scratch;
    for (int32_t round = 0; round < 7; round++)
    {
        for (int32_t i = 0; i < 64; i++)
        {
            HVX_VectorPair pair = Q6_W_vshuff_VVR(from[i + 64], from[i], -1);
            to[2 * i] = Q6_V_lo_W(pair);
            to[2 * i + 1] = Q6_V_hi_W(pair);
        }
        HVX_Vector *t = from; from = to; to = t;
    }
    return from;
}

/* The strided walk by 128 × 128 byte tiles of (axis, innermost): tile row i is 128 bytes of the axis (input stride 1)
 * at innermost coordinate i, one unaligned load; transposed, row j holds innermost coordinates for axis coordinate j,
 * a contiguous output run. The other axes are walked as an odometer. */
static void strided_copy_tiles(const struct node *n, const uint8_t *input, uint8_t *output, int32_t axis)
{
    const int32_t *w = n->w;
    int32_t rank = w[3];
    const int32_t *dims = w + 5, *strides = w + 5 + rank;
    int32_t run = dims[rank - 1], step = strides[rank - 1], across = dims[axis];
    int32_t axis_out_stride = 1, outer = 1;
    for (int32_t d = axis + 1; d < rank; d++) axis_out_stride *= dims[d];
    int32_t out_strides[6];
    for (int32_t d = rank - 1, size = 1; d >= 0; d--) { out_strides[d] = size; size *= dims[d]; }
    for (int32_t d = 0; d < rank - 1; d++) if (d != axis) outer *= dims[d];
    HVX_Vector *tile = (HVX_Vector *)n->tables, *scratch = tile + 128;
    int32_t coordinate[6] = { 0, 0, 0, 0, 0, 0 };
    int32_t from = w[4], to = 0;
    for (int32_t o = 0; o < outer; o++)
    {
        for (int32_t j0 = 0; j0 < across; j0 += 128)
        {
            int32_t rows = across - j0 < 128 ? across - j0 : 128;
            for (int32_t i0 = 0; i0 < run; i0 += 128)
            {
                int32_t columns = run - i0 < 128 ? run - i0 : 128;
                for (int32_t i = 0; i < columns; i++) tile[i] = hvx_load_bytes(input + from + j0 + (i0 + i) * step, rows);
                const HVX_Vector *transposed = hvx_transpose_bytes(tile, scratch);
                for (int32_t j = 0; j < rows; j++) hvx_store_bytes(output + to + (j0 + j) * axis_out_stride + i0, columns, transposed[j]);
            }
        }
        for (int32_t d = rank - 2; d >= 0; d--)
        {
            if (d == axis) continue;
            from += strides[d];
            to += out_strides[d];
            if (++coordinate[d] < dims[d]) break;
            from -= strides[d] * dims[d];
            to -= out_strides[d] * dims[d];
            coordinate[d] = 0;
        }
    }
}

/* TRANSPOSE, SLICE, STRIDED_SLICE, REVERSE_V2, TILE, BROADCAST_TO, SQUEEZE, EXPAND_DIMS, DEPTH_TO_SPACE, SPACE_TO_DEPTH:
 * output element i (row-major over dims) = input element offset + Σ coordinate·stride (an odometer walk). */
static NOINLINE void strided_copy(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    const uint8_t *input = shm + w[0];
    uint8_t *output = shm + w[1];
    int32_t rank = w[3];
    if (rank == 0)
    {
        output[0] = input[w[4]];
        return;
    }
    if (n->tables)
    {
        strided_copy_tiles(n, input, output, transpose_axis(w));
        return;
    }
    /* The walk by innermost runs: a run of stride 1 is a byte move (HVX memcpy), of stride 0 a fill; any other stride
     * up to 32 bytes is gathered in HVX, per vector the aligned blocks holding `per_vector` elements loaded as one
     * window (hvx_load_bytes) and permuted into place by vlut32 (hvx_permute_bytes); larger strides byte by byte
     * (where there is no axis of stride 1 to tile with, above). */
    const int32_t *dims = w + 5, *strides = w + 5 + rank;
    int32_t run = dims[rank - 1], step = strides[rank - 1], outer_rank = rank - 1;
    int32_t magnitude = step < 0 ? -step : step, outer = 1;
    for (int32_t d = 0; d < outer_rank; d++) outer *= dims[d];
    int32_t per_vector = magnitude >= 1 && magnitude <= 32 ? (int32_t)udiv32(127, (uint32_t)magnitude) + 1 : 0; /* window ≤ 128 bytes */
    HVX_Vector indices;
    if (per_vector)
    {
        uint8_t *lane = (uint8_t *)&indices;
        /* element i at window byte i·step, or (per_vector − 1 − i)·|step| for a negative step (the window starts at
         * the vector's last element) */
        for (int32_t i = 0; i < 128; i++)
            lane[i] = i >= per_vector ? 0xFF : hvx_permute_index(step > 0 ? i * step : (per_vector - 1 - i) * magnitude);
    }
    int32_t coordinate[6] = { 0, 0, 0, 0, 0, 0 };
    int32_t from = w[4];
    for (int32_t o = 0; o < outer; o++)
    {
        if (step == 1) memcpy(output, input + from, (size_t)run);
        else if (step == 0) memset(output, input[from], (size_t)run);
        else if (per_vector)
            for (int32_t i = 0; i < run; i += per_vector)
            {
                int32_t count = run - i < per_vector ? run - i : per_vector, at = from + i * step;
                HVX_Vector window;
                if (step > 0) window = hvx_load_bytes(input + at, (count - 1) * step + 1);
                else
                {
                    window = hvx_load_bytes(input + at + (count - 1) * step, (count - 1) * magnitude + 1);
                    /* a short last vector: its window moved up to where a full one's bytes would lie */
                    if (count < per_vector) window = Q6_V_vror_VR(window, 128 - (per_vector - count) * magnitude);
                }
                hvx_store_bytes(output + i, count, hvx_permute_bytes(window, indices));
            }
        else
            for (int32_t i = 0; i < run; i++) output[i] = input[from + i * step];
        output += run;
        for (int32_t d = outer_rank - 1; d >= 0; d--)
        {
            from += strides[d];
            if (++coordinate[d] < dims[d]) break;
            from -= strides[d] * dims[d];
            coordinate[d] = 0;
        }
    }
}

static NOINLINE void resize_nearest(const int32_t *w, uint8_t *shm)
{
    const uint8_t *input = shm + w[0];
    uint8_t *output = shm + w[1];
    const int32_t *rows = (const int32_t *)(shm + w[8]), *columns = (const int32_t *)(shm + w[9]);
    int32_t batches = w[2], height = w[3], width = w[4], depth = w[5];
    for (int32_t b = 0; b < batches; b++)
    for (int32_t y = 0; y < w[6]; y++)
    for (int32_t x = 0; x < w[7]; x++)
    {
        memcpy(output, input + ((b * height + rows[y]) * width + columns[x]) * depth, (size_t)depth);
        output += depth;
    }
}

/* reference_ops::ResizeBilinearInteger (docs/numerics.md §Quantized execution, RESIZE_BILINEAR). */
static void interpolation(int32_t value, int32_t scale10, int32_t half_pixel, int32_t size, int32_t *scaled, int32_t *lower, int32_t *upper)
{
    int32_t s = half_pixel ? value * scale10 + scale10 / 2 - (1 << 9) : value * scale10;
    int32_t lo = s / (1 << 10), hi = (s + (1 << 10) - 1) / (1 << 10); /* C's truncating division, by constants */
    *scaled = s;
    *lower = lo > 0 ? lo : 0;
    *upper = hi < size - 1 ? hi : size - 1;
}

static NOINLINE void resize_bilinear(const int32_t *w, uint8_t *shm)
{
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t batches = w[3], height = w[4], width = w[5], depth = w[6], oh = w[7], ow = w[8];
    for (int32_t b = 0; b < batches; b++)
    for (int32_t y = 0; y < oh; y++)
    {
        int32_t sy, y0, y1;
        interpolation(y, w[9], w[11], height, &sy, &y0, &y1);
        int64_t wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;
        for (int32_t x = 0; x < ow; x++)
        {
            int32_t sx, x0, x1;
            interpolation(x, w[10], w[11], width, &sx, &x0, &x1);
            int64_t wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;
            int32_t row0 = (b * height + y0) * width, row1 = (b * height + y1) * width;
            for (int32_t c = 0; c < depth; c++)
            {
                int64_t sum = load8(input + (row0 + x0) * depth + c, is_signed) * wy0 * wx0
                              + load8(input + (row1 + x0) * depth + c, is_signed) * wy1 * wx0
                              + load8(input + (row0 + x1) * depth + c, is_signed) * wy0 * wx1
                              + load8(input + (row1 + x1) * depth + c, is_signed) * wy1 * wx1;
                int64_t rounded = (sum + (sum > 0 ? (1LL << 19) : -(1LL << 19))) / (1LL << 20);
                *output++ = (uint8_t)rounded; /* a convex combination stays in range: no clamp, as TFLite */
            }
        }
    }
}

/* RESIZE_BILINEAR's taps per output row, then per output column: (lower, upper, weight of lower, weight of upper).
 * Kept only where every pair of weights has |w0| + |w1| ≤ 2048 (so for ordinary sizes: weights lie in [−512, 1536];
 * the step's rounding can pass the bound only past about 2,000 output rows or columns), so that the HVX form's int32
 * sums are exact: |Σ| ≤ 255·2048·2048 < 2^30; otherwise the scalar int64 form runs. */
static const char *resize_bilinear_prepare(struct node *n)
{
    const int32_t *w = n->w;
    int32_t oh = w[7], ow = w[8];
    n->tables_bytes = (size_t)((uint32_t)oh + (uint32_t)ow) * 16;
    n->tables = page_alloc(n->tables_bytes);
    if (!n->tables) return "out of DSP memory preparing RESIZE_BILINEAR";
    int32_t *taps = (int32_t *)n->tables;
    for (int32_t i = 0; i < oh + ow; i++)
    {
        int y = i < oh;
        int32_t scaled, lower, upper;
        interpolation(y ? i : i - oh, w[y ? 9 : 10], w[11], w[y ? 4 : 5], &scaled, &lower, &upper);
        if (lower > w[y ? 4 : 5] - 1 || upper < 0)
        {
            page_free(n->tables, n->tables_bytes);
            n->tables = 0;
            return "a RESIZE_BILINEAR tap lies outside the input";
        }
        int32_t w1 = scaled - (1 << 10) * lower, w0 = (1 << 10) - w1;
        if ((w0 < 0 ? -w0 : w0) + (w1 < 0 ? -w1 : w1) > 2048 || w0 == (int32_t)0x80000000 || w1 == (int32_t)0x80000000)
        {
            page_free(n->tables, n->tables_bytes);
            n->tables = 0; /* the scalar form with its int64 sums */
            return 0;
        }
        taps[4 * i] = lower;
        taps[4 * i + 1] = upper;
        taps[4 * i + 2] = w0;
        taps[4 * i + 3] = w1;
    }
    return 0;
}

/* RESIZE_BILINEAR in HVX, 32 channels per vector: the same integer sum, factored as wx0·(wy0·v00 + wy1·v10) +
 * wx1·(wy0·v01 + wy1·v11) — each product a vmpyi by a 16-bit weight, exact (prepare's bound), so the same integer as
 * the reference's int64 sum — then its rounding (halves away from zero, / 2^20) as sign · ((|Σ| + 2^19) >> 20). */
static NOINLINE void resize_bilinear_hvx(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t batches = w[3], height = w[4], width = w[5], depth = w[6], oh = w[7], ow = w[8];
    const int32_t *rows = (const int32_t *)n->tables, *columns = rows + 4 * oh;
    HVX_Vector zero = Q6_V_vsplat_R(0), half = Q6_V_vsplat_R(1 << 19);
    for (int32_t b = 0; b < batches; b++)
    for (int32_t y = 0; y < oh; y++)
    {
        const int32_t *ry = rows + 4 * y;
        const uint8_t *row0 = input + (b * height + ry[0]) * width * depth, *row1 = input + (b * height + ry[1]) * width * depth;
        int32_t wy0 = (int32_t)((uint32_t)(uint16_t)ry[2] * 0x10001u), wy1 = (int32_t)((uint32_t)(uint16_t)ry[3] * 0x10001u);
        for (int32_t x = 0; x < ow; x++)
        {
            const int32_t *cx = columns + 4 * x;
            int32_t wx0 = (int32_t)((uint32_t)(uint16_t)cx[2] * 0x10001u), wx1 = (int32_t)((uint32_t)(uint16_t)cx[3] * 0x10001u);
            const uint8_t *p00 = row0 + cx[0] * depth, *p10 = row1 + cx[0] * depth, *p01 = row0 + cx[1] * depth, *p11 = row1 + cx[1] * depth;
            for (int32_t c = 0; c < depth; c += HVX_LANES)
            {
                int32_t lanes = depth - c < HVX_LANES ? depth - c : HVX_LANES;
                HVX_Vector left = Q6_Vw_vmpyi_VwRh(hvx_load_words(p00 + c, lanes, is_signed), wy0);
                left = Q6_Vw_vmpyiacc_VwVwRh(left, hvx_load_words(p10 + c, lanes, is_signed), wy1);
                HVX_Vector right = Q6_Vw_vmpyi_VwRh(hvx_load_words(p01 + c, lanes, is_signed), wy0);
                right = Q6_Vw_vmpyiacc_VwVwRh(right, hvx_load_words(p11 + c, lanes, is_signed), wy1);
                HVX_Vector sum = Q6_Vw_vmpyiacc_VwVwRh(Q6_Vw_vmpyi_VwRh(left, wx0), right, wx1);
                HVX_Vector magnitude = Q6_Vuw_vlsr_VuwR(Q6_Vw_vadd_VwVw(Q6_Vw_vabs_Vw(sum), half), 20);
                HVX_Vector rounded = Q6_V_vmux_QVV(Q6_Q_vcmp_gt_VwVw(zero, sum), Q6_Vw_vsub_VwVw(zero, magnitude), magnitude);
                hvx_store_words(output + c, lanes, rounded); /* the low byte, as the reference's (uint8_t) cast */
            }
            output += depth;
        }
    }
}

/* n / d for 64-bit n and d in (0, 2^24): restoring long division (no divide instruction, no library). */
static uint64_t udiv64(uint64_t n, uint32_t d, uint64_t *remainder)
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

/* A finite nonzero binary32 magnitude as m · 2^e with m in [2^23, 2^24) (subnormals normalised). */
static void unpack_float(uint32_t bits, uint32_t *m, int32_t *e)
{
    uint32_t exponent = (bits >> 23) & 0xFF, mantissa = bits & 0x7FFFFF;
    if (exponent == 0) { *e = -149; }
    else { mantissa |= 1u << 23; *e = (int32_t)exponent - 150; }
    while (mantissa < (1u << 23)) { mantissa <<= 1; (*e)--; }
    *m = mantissa;
}

/*
 * QUANTIZE float32 → 8-bit (docs/numerics.md): round(x / s) with ONE binary32 division (rounded to nearest-even) and
 * then rounding halves away from zero, + zero point, clamped; a NaN quotient counts as 0, an infinite one saturates.
 * Hexagon has no divide instruction, so the quotient is computed exactly in integers: 40+ quotient bits and a sticky
 * remainder give the correctly rounded float, which is then rounded to an integer. A quotient ≥ 2^20 saturates
 * whatever its exact value (the clamp is at most 255 away); one < 1/4 rounds to 0 in both steps.
 */
static int32_t quantize_float(uint32_t x_bits, uint32_t m_s, int32_t e_s, uint64_t reciprocal, int32_t zero_point, int32_t lo, int32_t hi)
{
    uint32_t magnitude = x_bits & 0x7FFFFFFF;
    int negative = (x_bits >> 31) != 0;
    int32_t value;
    if (magnitude > 0x7F800000u) value = 0;                    /* NaN */
    else if (magnitude == 0x7F800000u) value = negative ? -(1 << 30) : (1 << 30); /* ±inf */
    else if (magnitude == 0) value = 0;
    else
    {
        uint32_t m_x;
        int32_t e_x;
        unpack_float(magnitude, &m_x, &e_x);
        /* q = floor(m_x·2^40 / m_s) by the node's reciprocal R = floor((2^64 − 1) / m_s) (division by an invariant:
         * R ≤ 2^64/m_s < R + 2, so m_x·R/2^24 undershoots the quotient by less than 2), then corrected with the exact
         * remainder: the same q and remainder as the long division, in a few multiplies. */
        uint64_t numerator = (uint64_t)m_x << 40;
        uint64_t q = (((uint64_t)m_x * (uint32_t)(reciprocal >> 32)) << 8) + (((uint64_t)m_x * (uint32_t)reciprocal) >> 24);
        uint64_t remainder = numerator - q * m_s;
        while (remainder >= m_s) { q++; remainder -= m_s; } /* in (2^39, 2^41) */
        int32_t length = (q >> 40) ? 41 : 40;
        int32_t t = e_x - e_s;                                   /* quotient = (q + rem/m_s) · 2^(t − 40) */
        if (length + t - 40 > 20) value = 1 << 30;               /* ≥ 2^20: saturates */
        else if (length + t - 40 <= -2) value = 0;               /* < 1/4 */
        else
        {
            int32_t drop = length - 24;
            uint64_t m24 = q >> drop;
            uint64_t rest = q & ((1ull << drop) - 1), half = 1ull << (drop - 1);
            /* to nearest, ties (exactly half: no remainder) to even */
            if (rest > half || (rest == half && (remainder != 0 || (m24 & 1)))) m24++;
            int32_t e_r = t - 40 + drop;                         /* the float quotient is m24 · 2^e_r, in [1/8, 2^21) */
            uint64_t integer;
            if (e_r >= 0) integer = m24 << e_r;
            else integer = (m24 + (1ull << (-e_r - 1))) >> -e_r; /* halves away from zero (a magnitude) */
            value = (int32_t)integer;
        }
        if (negative) value = -value;
    }
    return clamp32(value + zero_point, lo, hi);
}

/*
 * Float QUANTIZE in HVX by thresholds. HVX v67 has no float lanes and no divide, but the scalar form's result is a
 * monotone step function of the input: the correctly rounded quotient x / s is monotone in x, and so are rounding
 * halves away from zero, the zero point's addition and the clamp. On the order key of a binary32 (its bits for a
 * positive sign, the bits with the magnitude inverted, bits ^ 0x7FFFFFFF, for a negative one: an int32 that orders
 * −inf < … < −0 < +0 < … < +inf as the floats), output k (lo < k ≤ hi) starts at one key T_k, found at prepare by
 * evaluating the scalar form itself (a galloping search from the estimate (k − zp − ½)·s, then bisection), so
 * output = lo + #{k : key ≥ T_k} is the scalar form's output for every non-NaN input; a NaN (key past +inf's or
 * before −inf's) gives the scalar form's NaN result. Per vector of 32 floats: one compare and one conditional add per
 * threshold (up to 255), about 16 instructions an element instead of the scalar exact division's ~139.
 */
#define KEY_NEGATIVE_INFINITY ((int32_t)0x807FFFFF)
#define KEY_POSITIVE_INFINITY ((int32_t)0x7F800000)

static int32_t quantize_key(int32_t key, uint32_t m_s, int32_t e_s, uint64_t reciprocal, const int32_t *w)
{
    uint32_t bits = key >= 0 ? (uint32_t)key : (uint32_t)key ^ 0x7FFFFFFFu;
    return quantize_float(bits, m_s, e_s, reciprocal, w[5], w[6], w[7]);
}

static const char *quantize_floats_prepare(struct node *n)
{
    const int32_t *w = n->w;
    int32_t lo = w[6], hi = w[7];
    if (lo > hi || hi - lo > 255) return "QUANTIZE's clamp bounds are not an 8-bit range";
    uint32_t m_s;
    int32_t e_s;
    unpack_float((uint32_t)w[4], &m_s, &e_s);
    uint64_t unused, reciprocal = udiv64(~0ull, m_s, &unused);
    n->tables_bytes = (size_t)(hi - lo + 1) * 4;
    n->tables = page_alloc(n->tables_bytes);
    if (!n->tables) return "out of DSP memory preparing QUANTIZE's thresholds";
    int32_t *below = (int32_t *)n->tables; /* T_k − 1 for k = lo + 1 .. hi: key ≥ T_k ⇔ key > T_k − 1 */
    union { float f; uint32_t u; } scale = { .u = (uint32_t)w[4] };
    for (int32_t k = lo + 1; k <= hi; k++)
    {
        /* f(low) < k ≤ f(high) throughout: f(−inf) = lo < k, f(+inf) = hi ≥ k. */
        int64_t low = KEY_NEGATIVE_INFINITY, high = KEY_POSITIVE_INFINITY;
        union { float f; uint32_t u; } estimate = { ((float)(k - w[5]) - 0.5f) * scale.f };
        int64_t guess = (estimate.u & 0x7FFFFFFFu) > 0x7F800000u ? 0 : (int32_t)estimate.u >= 0 ? (int64_t)estimate.u : (int64_t)(int32_t)(estimate.u ^ 0x7FFFFFFFu);
        if (guess < low) guess = low;
        if (guess > high) guess = high;
        if (quantize_key((int32_t)guess, m_s, e_s, reciprocal, w) >= k)
        {
            high = guess;
            for (int64_t step = 1; high - low > 1; step *= 2)
            {
                int64_t probe = high - step > low ? high - step : low;
                if (probe == low || quantize_key((int32_t)probe, m_s, e_s, reciprocal, w) < k) { low = probe; break; }
                high = probe;
            }
        }
        else
        {
            low = guess;
            for (int64_t step = 1; high - low > 1; step *= 2)
            {
                int64_t probe = low + step < high ? low + step : high;
                if (probe == high || quantize_key((int32_t)probe, m_s, e_s, reciprocal, w) >= k) { high = probe; break; }
                low = probe;
            }
        }
        while (high - low > 1)
        {
            int64_t middle = low + (high - low) / 2;
            if (quantize_key((int32_t)middle, m_s, e_s, reciprocal, w) >= k) high = middle; else low = middle;
        }
        below[k - lo - 1] = (int32_t)(high - 1);
    }
    below[hi - lo] = clamp32(w[5], lo, hi); /* the NaN result (the quotient counts as 0) */
    return 0;
}

/* The order keys of floats p[0..count) (1 ≤ count ≤ 32). */
static inline HVX_Vector hvx_float_keys(const uint8_t *p, int32_t count)
{
    HVX_Vector bits = count == HVX_LANES ? *(const HVX_UVector *)p : hvx_load_bytes(p, 4 * count);
    return Q6_V_vmux_QVV(Q6_Q_vcmp_gt_VwVw(Q6_V_vsplat_R(0), bits), Q6_V_vxor_VV(bits, Q6_V_vsplat_R(0x7FFFFFFF)), bits);
}

/* Four vectors (128 floats) per pass over the thresholds, so each threshold's load and splat serve four compares (the
 * NaN lanes found after the pass: HVX has four predicate registers, all taken by the compares). */
static NOINLINE void quantize_floats(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    int32_t thresholds = w[7] - w[6];
    const int32_t *below = (const int32_t *)n->tables;
    HVX_Vector one = Q6_V_vsplat_R(1), lowest = Q6_V_vsplat_R(w[6]);
    for (int32_t first = 0; first < w[3]; first += 4 * HVX_LANES)
    {
        int32_t left = w[3] - first;
        HVX_Vector key0 = hvx_float_keys(input + 4 * first, left < HVX_LANES ? left : HVX_LANES);
        HVX_Vector key1 = left > HVX_LANES ? hvx_float_keys(input + 4 * (first + HVX_LANES), left - HVX_LANES < HVX_LANES ? left - HVX_LANES : HVX_LANES) : lowest;
        HVX_Vector key2 = left > 2 * HVX_LANES ? hvx_float_keys(input + 4 * (first + 2 * HVX_LANES), left - 2 * HVX_LANES < HVX_LANES ? left - 2 * HVX_LANES : HVX_LANES) : lowest;
        HVX_Vector key3 = left > 3 * HVX_LANES ? hvx_float_keys(input + 4 * (first + 3 * HVX_LANES), left - 3 * HVX_LANES < HVX_LANES ? left - 3 * HVX_LANES : HVX_LANES) : lowest;
        HVX_Vector y0 = lowest, y1 = lowest, y2 = lowest, y3 = lowest;
#pragma clang loop unroll(disable) /* unrolled, the compares outnumber the four predicate registers and spill */
        for (int32_t t = 0; t < thresholds; t++)
        {
            HVX_Vector threshold = Q6_V_vsplat_R(below[t]);
            y0 = Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(key0, threshold), y0, one);
            y1 = Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(key1, threshold), y1, one);
            y2 = Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(key2, threshold), y2, one);
            y3 = Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(key3, threshold), y3, one);
        }
        HVX_Vector keys[4] = { key0, key1, key2, key3 }, results[4] = { y0, y1, y2, y3 };
        for (int32_t v = 0; v < 4 && left > v * HVX_LANES; v++)
        {
            HVX_VectorPred nan = Q6_Q_or_QQ(Q6_Q_vcmp_gt_VwVw(keys[v], Q6_V_vsplat_R(KEY_POSITIVE_INFINITY)),
                Q6_Q_vcmp_gt_VwVw(Q6_V_vsplat_R(KEY_NEGATIVE_INFINITY), keys[v]));
            int32_t count = left - v * HVX_LANES < HVX_LANES ? left - v * HVX_LANES : HVX_LANES;
            hvx_store_words(output + first + v * HVX_LANES, count, Q6_V_vmux_QVV(nan, Q6_V_vsplat_R(below[thresholds]), results[v]));
        }
    }
}

/* MEAN whose innermost kept run is contiguous (kept stride 1: the usual reduction over rows and columns keeping the
 * channels): 32 consecutive outputs per vector, each tap of the reduced runs one widening load of 32 contiguous bytes,
 * the same wrapping int32 sums (lanes past the run's end are not stored), then the scalar form's requantization in
 * HVX (hvx_quant.h). */
static void mean_hvx(const int32_t *w, const uint8_t *input, uint8_t *output)
{
    int is_signed = w[0];
    const int32_t *ks = w + 5, *kt = w + 9, *rs = w + 13, *rt = w + 17;
    HVX_Vector offset = Q6_V_vsplat_R(w[21]), multiplier = Q6_V_vsplat_R(w[22]);
    HVX_Vector left = Q6_V_vsplat_R(w[23] > 0 ? w[23] : 0), right = Q6_V_vsplat_R(w[23] > 0 ? 0 : -w[23]);
    HVX_Vector zp_out = Q6_V_vsplat_R(w[24]), lo = Q6_V_vsplat_R(w[25]), hi = Q6_V_vsplat_R(w[26]);
    for (int32_t k0 = 0; k0 < ks[0]; k0++)
    for (int32_t k1 = 0; k1 < ks[1]; k1++)
    for (int32_t k2 = 0; k2 < ks[2]; k2++)
    for (int32_t first = 0; first < ks[3]; first += HVX_LANES)
    {
        int32_t lanes = ks[3] - first < HVX_LANES ? ks[3] - first : HVX_LANES;
        const uint8_t *base = input + k0 * kt[0] + k1 * kt[1] + k2 * kt[2] + first;
        HVX_Vector sum = Q6_V_vsplat_R(0);
        for (int32_t r0 = 0; r0 < rs[0]; r0++)
        for (int32_t r1 = 0; r1 < rs[1]; r1++)
        for (int32_t r2 = 0; r2 < rs[2]; r2++)
        {
            const uint8_t *row = base + r0 * rt[0] + r1 * rt[1] + r2 * rt[2];
            for (int32_t r3 = 0; r3 < rs[3]; r3++) sum = Q6_Vw_vadd_VwVw(sum, hvx_load_words(row + r3 * rt[3], lanes, is_signed));
        }
        HVX_Vector y = Q6_Vw_vadd_VwVw(hvx_mbqm(Q6_Vw_vsub_VwVw(sum, offset), multiplier, left, right), zp_out);
        hvx_store_words(output, lanes, Q6_Vw_vmax_VwVw(Q6_Vw_vmin_VwVw(y, hi), lo));
        output += lanes;
    }
}

/* MEAN whose innermost reduced run is contiguous (reduced stride 1: the mean over the innermost dimension): per
 * output, each run's bytes summed 128 per vector by vrmpy (4 bytes × 1 into each of 32 int32 lanes; unsigned bytes by
 * the scalar ones 0x01010101, signed by a vector of ones; the lanes past a short run's end zeroed first), the 32 lanes
 * added by a rotate-and-add tree: the same wrapping int32 sum (addition mod 2^32 in any order), then the scalar form's
 * requantization. */
static void mean_rows_hvx(const int32_t *w, const uint8_t *input, uint8_t *output)
{
    int is_signed = w[0];
    const int32_t *ks = w + 5, *kt = w + 9, *rs = w + 13, *rt = w + 17;
    HVX_Vector zero = Q6_V_vsplat_R(0), ones = Q6_Vb_vsplat_R(1);
    for (int32_t k0 = 0; k0 < ks[0]; k0++)
    for (int32_t k1 = 0; k1 < ks[1]; k1++)
    for (int32_t k2 = 0; k2 < ks[2]; k2++)
    for (int32_t k3 = 0; k3 < ks[3]; k3++)
    {
        const uint8_t *base = input + k0 * kt[0] + k1 * kt[1] + k2 * kt[2] + k3 * kt[3];
        HVX_Vector sums = zero;
        for (int32_t r0 = 0; r0 < rs[0]; r0++)
        for (int32_t r1 = 0; r1 < rs[1]; r1++)
        for (int32_t r2 = 0; r2 < rs[2]; r2++)
        {
            const uint8_t *row = base + r0 * rt[0] + r1 * rt[1] + r2 * rt[2];
            for (int32_t first = 0; first < rs[3]; first += 128)
            {
                int32_t count = rs[3] - first < 128 ? rs[3] - first : 128;
                HVX_Vector x = count == 128 ? *(const HVX_UVector *)(row + first)
                                            : Q6_V_vmux_QVV(Q6_Q_vsetq2_R(count), hvx_load_bytes(row + first, count), zero);
                sums = is_signed ? Q6_Vw_vrmpyacc_VwVbVb(sums, x, ones) : Q6_Vuw_vrmpyacc_VuwVubRub(sums, x, 0x01010101);
            }
        }
        for (int32_t bytes = 64; bytes >= 4; bytes >>= 1) sums = Q6_Vw_vadd_VwVw(sums, Q6_V_vror_VR(sums, bytes));
        uint32_t sum = (uint32_t)Q6_R_vextract_VR(sums, 0);
        int32_t y = mbqm((int32_t)(sum - (uint32_t)w[21]), w[22], w[23]) + w[24];
        *output++ = (uint8_t)clamp32(y, w[25], w[26]);
    }
}

/* int8/uint8 MEAN (TFLite's reference_ops::QuantizedMeanOrSum, as MeanKernel): per output, the wrapping int32 sum of
 * its elements over the reduced runs, less zp_in·n, MultiplyByQuantizedMultiplier (1/n folded in by the host), +
 * zp_out, clamped. Outputs follow the kept runs in row-major order; an empty reduction gives zeros. */
static NOINLINE void mean(const int32_t *w, uint8_t *shm)
{
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[2];
    const int32_t *ks = w + 5, *kt = w + 9, *rs = w + 13, *rt = w + 17;
    if (w[27] == 0)
    {
        memset(output, 0, (size_t)w[4]);
        return;
    }
    if (kt[3] == 1 && ks[3] > 1)
    {
        mean_hvx(w, input, output);
        return;
    }
    if (rt[3] == 1 && rs[3] >= 8)
    {
        mean_rows_hvx(w, input, output);
        return;
    }
    for (int32_t k0 = 0; k0 < ks[0]; k0++)
    for (int32_t k1 = 0; k1 < ks[1]; k1++)
    for (int32_t k2 = 0; k2 < ks[2]; k2++)
    for (int32_t k3 = 0; k3 < ks[3]; k3++)
    {
        const uint8_t *base = input + k0 * kt[0] + k1 * kt[1] + k2 * kt[2] + k3 * kt[3];
        uint32_t sum = 0;
        for (int32_t r0 = 0; r0 < rs[0]; r0++)
        for (int32_t r1 = 0; r1 < rs[1]; r1++)
        for (int32_t r2 = 0; r2 < rs[2]; r2++)
        {
            const uint8_t *row = base + r0 * rt[0] + r1 * rt[1] + r2 * rt[2];
            for (int32_t r3 = 0; r3 < rs[3]; r3++) sum += (uint32_t)load8(row + r3 * rt[3], is_signed);
        }
        int32_t y = mbqm((int32_t)(sum - (uint32_t)w[21]), w[22], w[23]) + w[24];
        *output++ = (uint8_t)clamp32(y, w[25], w[26]);
    }
}

/* int8 and uint8 TRANSPOSE_CONV (reference_integer_ops / reference_ops::TransposeConv, gathered as QuantizedTransposeConv): 32 output channels
 * per vector; output (oy, ox) takes input (iy, ix) through tap (ky, kx) where iy·stride − pad + ky = oy (likewise x). */
static ALWAYS_INLINE void transpose_conv_hvx_body(const struct node *n, uint8_t *shm, const int narrow)
{
    const int32_t *w = n->w;
    int is_signed = w[0];
    const uint8_t *input = shm + w[1];
    uint8_t *output = shm + w[4];
    int32_t batches = w[5], height = w[6], width = w[7], depth = w[8], kh = w[9], kw = w[10];
    int32_t oh = w[11], ow = w[12], oc_count = w[13], sh = w[14], sw = w[15], pt = w[16], pl = w[17];
    int32_t input_offset = w[18], output_offset = w[19], lo = w[20], hi = w[21];
    int32_t taps = kh * kw * depth, blocks = (oc_count + HVX_LANES - 1) / HVX_LANES;
    for (int32_t b = 0; b < batches; b++)
    for (int32_t oy = 0; oy < oh; oy++)
    for (int32_t ox = 0; ox < ow; ox++)
    {
        uint8_t *out = output + ((b * oh + oy) * ow + ox) * oc_count;
        for (int32_t block = 0; block < blocks; block++)
        {
            const HVX_Vector *weights = (const HVX_Vector *)(n->wide + block * taps * HVX_LANES);
            const int32_t *lanes = n->lanes + block * 4 * HVX_LANES;
            HVX_Vector acc = *(const HVX_Vector *)lanes; /* the bias */
            for (int32_t ky = 0; ky < kh; ky++)
            {
                int32_t rows = oy + pt - ky;
                if (rows < 0) continue;
                int32_t iy = sdiv32(rows, sh);
                if (iy * sh != rows || iy >= height) continue;
                for (int32_t kx = 0; kx < kw; kx++)
                {
                    int32_t columns = ox + pl - kx;
                    if (columns < 0) continue;
                    int32_t ix = sdiv32(columns, sw);
                    if (ix * sw != columns || ix >= width) continue;
                    const uint8_t *x = input + ((b * height + iy) * width + ix) * depth;
                    const HVX_Vector *wv = weights + (ky * kw + kx) * depth;
                    for (int32_t ci = 0; ci < depth; ci++) acc = hvx_mac(acc, wv[ci], load8(x + ci, is_signed) + input_offset, narrow);
                }
            }
            int32_t count = oc_count - block * HVX_LANES < HVX_LANES ? oc_count - block * HVX_LANES : HVX_LANES;
            hvx_requantize_store(acc, lanes, output_offset, lo, hi, out + block * HVX_LANES, count);
        }
    }
}

static NOINLINE void transpose_conv_hvx(const struct node *n, uint8_t *shm)
{
    if (narrow_offset(n->w[18])) transpose_conv_hvx_body(n, shm, 1); else transpose_conv_hvx_body(n, shm, 0);
}

void node_execute(const struct node *n, uint8_t *shm)
{
    const int32_t *w = n->w;
    switch (n->op)
    {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL: binary(w, shm, (int)n->op); break;
    case OP_CONV_2D: conv2d_hvx(n, shm); break;
    case OP_DEPTHWISE_CONV_2D: depthwise_hvx(n, shm); break;
    case OP_FULLY_CONNECTED: fully_connected_hvx(n, shm); break;
    case OP_MAX_POOL_2D: max_pool_hvx(w, shm); break;
    case OP_AVERAGE_POOL_2D: if ((int64_t)w[13] * w[14] <= 2048) average_pool_hvx(w, shm); else pool(w, shm, 1); break;
    case OP_COPY: memmove(shm + w[1], shm + w[0], (size_t)w[2]); break;
    case OP_REQUANTIZE: requantize(w, shm); break;
    case OP_LOOKUP: lookup_hvx(n, shm); break;
    case OP_PAD: pad(w, shm); break;
    case OP_CONCATENATION: concatenation(w, shm); break;
    case OP_DEQUANTIZE: dequantize(n, shm); break;
    case OP_STRIDED_COPY: strided_copy(n, shm); break;
    case OP_RESIZE_NEAREST: resize_nearest(w, shm); break;
    case OP_RESIZE_BILINEAR: if (n->tables) resize_bilinear_hvx(n, shm); else resize_bilinear(w, shm); break;
    case OP_QUANTIZE_FLOAT: quantize_floats(n, shm); break;
    case OP_SOFTMAX: softmax(w, shm); break;
    case OP_CONCATENATION_RESCALE: concat_rescale(w, shm, n->tables); break;
    case OP_MEAN: mean(w, shm); break;
    case OP_TRANSPOSE_CONV: transpose_conv_hvx(n, shm); break;
    }
}
