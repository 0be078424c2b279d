/* 8-bit data in and out of HVX vectors at any address and length, for the kernels' loads and stores.
 * A partial access reads or writes only the 128-byte aligned blocks that hold a byte asked for (aligned loads joined
 * by valign; masked aligned stores), so a tensor at the end of the shared memory is never read or written past the
 * block of its last byte, and bytes beside the range are never written. */
#ifndef ACCEL_HEXAGON_HVX_BYTES_H
#define ACCEL_HEXAGON_HVX_BYTES_H
#include "sys.h"
#include <hexagon_types.h>
#include <hvx_hexagon_protos.h>

/* Bytes p[0..count) in lanes 0..count−1 (1 ≤ count ≤ 128); the other lanes are unspecified. */
static inline HVX_Vector hvx_load_bytes(const uint8_t *p, int32_t count)
{
    const HVX_Vector *first = (const HVX_Vector *)((uintptr_t)p & ~(uintptr_t)127);
    const HVX_Vector *last = (const HVX_Vector *)((uintptr_t)(p + count - 1) & ~(uintptr_t)127);
    return Q6_V_valign_VVR(*last, *first, (int32_t)((uintptr_t)p & 127));
}

/* Lanes 0..count−1 of v to p[0..count) (1 ≤ count ≤ 128), nothing else written. */
static inline void hvx_store_bytes(uint8_t *p, int32_t count, HVX_Vector v)
{
    int32_t offset = (int32_t)((uintptr_t)p & 127), end = offset + count;
    HVX_Vector *first = (HVX_Vector *)(p - offset);
    HVX_Vector rotated = Q6_V_vror_VR(v, 128 - offset); /* lane i lands on byte offset + i of the block pair */
    HVX_VectorPred from = Q6_Q_not_Q(Q6_Q_vsetq_R(offset)); /* bytes ≥ offset */
    if (end <= 128)
        Q6_vmem_QRIV(Q6_Q_and_QQ(from, Q6_Q_vsetq2_R(end)), first, rotated); /* vsetq2(128): all 128 bytes */
    else
    {
        Q6_vmem_QRIV(from, first, rotated);
        Q6_vmem_QRIV(Q6_Q_vsetq_R(end - 128), first + 1, rotated);
    }
}

/* Bytes 0..31 of v (sign- or zero-extended) as int32 lanes 0..31, in order. */
static inline HVX_Vector hvx_widen_words(HVX_Vector bytes, int is_signed)
{
    if (is_signed) return Q6_V_lo_W(Q6_Ww_vunpack_Vh(Q6_V_lo_W(Q6_Wh_vunpack_Vb(bytes))));
    return Q6_V_lo_W(Q6_Wuw_vunpack_Vuh(Q6_V_lo_W(Q6_Wuh_vunpack_Vub(bytes))));
}

/* Bytes p[0..count) (1 ≤ count ≤ 32) as int32 lanes 0..count−1, sign- or zero-extended in order (vunpack keeps the
 * order: b → h → w, the low halves). */
static inline HVX_Vector hvx_load_words(const uint8_t *p, int32_t count, int is_signed)
{
    return hvx_widen_words(hvx_load_bytes(p, count), is_signed);
}

/* The low bytes of int32 lanes 0..count−1 (1 ≤ count ≤ 32; the values already clamped to the 8-bit range) to
 * p[0..count): vpacke keeps each lane's low half, then each half's low byte, in order. */
static inline void hvx_store_words(uint8_t *p, int32_t count, HVX_Vector words)
{
    HVX_Vector halves = Q6_Vh_vpacke_VwVw(words, words);
    hvx_store_bytes(p, count, Q6_Vb_vpacke_VhVh(halves, halves));
}

/* 256-entry byte tables with vlut32: vlut32 picks entry idx where idx >> 5 equals its match value (Rt & 7) from byte
 * (Rt >> 1) & 1 of halfword idx % 64 of the table vector, so a prepared table holds entry idx in vector idx >> 7 at
 * byte 2·(idx % 64) + ((idx >> 6) & 1), and eight lookups (match values 0..7; every other lane gives 0, so they are
 * ORed) cover every index. */
static inline void hvx_arrange_table(uint8_t *prepared, const uint8_t *table)
{
    for (int32_t idx = 0; idx < 256; idx++) prepared[(idx >> 7) * 128 + 2 * (idx & 63) + ((idx >> 6) & 1)] = table[idx];
}

/* table (two vectors, hvx_arrange_table's order) applied to the 128 bytes of x. */
static inline HVX_Vector hvx_lookup256(HVX_Vector x, const HVX_Vector *table)
{
    HVX_Vector low = table[0], high = table[1];
    HVX_Vector y = Q6_Vb_vlut32_VbVbR(x, low, 0);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, low, 1);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, low, 2);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, low, 3);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, high, 4);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, high, 5);
    y = Q6_Vb_vlut32or_VbVbVbR(y, x, high, 6);
    return Q6_Vb_vlut32or_VbVbVbR(y, x, high, 7);
}

/* output[i] = table[input[i]] for i < count, 128 bytes per vector. */
static inline void hvx_lookup_bytes(const HVX_Vector *table, const uint8_t *input, uint8_t *output, int32_t count)
{
    for (int32_t first = 0; first < count; first += 128)
    {
        int32_t n = count - first < 128 ? count - first : 128;
        HVX_Vector x = n == 128 ? *(const HVX_UVector *)(input + first) : hvx_load_bytes(input + first, n);
        HVX_Vector y = hvx_lookup256(x, table);
        if (n == 128) *(HVX_UVector *)(output + first) = y;
        else hvx_store_bytes(output + first, n, y);
    }
}

/* A byte permutation inside one vector, by the same vlut32: lane i takes byte p of `source` (0 ≤ p < 128) when
 * indices[i] = hvx_permute_index(p) (byte p is entry ((p & 1) << 6) | (p >> 1) of the table order above, match values
 * 0..3); an index ≥ 128 gives 0. */
static inline uint8_t hvx_permute_index(int32_t p) { return (uint8_t)(((p & 1) << 6) | (p >> 1)); }

static inline HVX_Vector hvx_permute_bytes(HVX_Vector source, HVX_Vector indices)
{
    HVX_Vector y = Q6_Vb_vlut32_VbVbR(indices, source, 0);
    y = Q6_Vb_vlut32or_VbVbVbR(y, indices, source, 1);
    y = Q6_Vb_vlut32or_VbVbVbR(y, indices, source, 2);
    return Q6_Vb_vlut32or_VbVbVbR(y, indices, source, 3);
}


#endif
