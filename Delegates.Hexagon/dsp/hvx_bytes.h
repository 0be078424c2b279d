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

/* Bytes p[0..count) (1 ≤ count ≤ 32) as int32 lanes 0..count−1, sign- or zero-extended in order (vunpack keeps the
 * order: b → h → w, the low halves). */
static inline HVX_Vector hvx_load_words(const uint8_t *p, int32_t count, int is_signed)
{
    HVX_Vector bytes = hvx_load_bytes(p, count);
    if (is_signed) return Q6_V_lo_W(Q6_Ww_vunpack_Vh(Q6_V_lo_W(Q6_Wh_vunpack_Vb(bytes))));
    return Q6_V_lo_W(Q6_Wuw_vunpack_Vuh(Q6_V_lo_W(Q6_Wuh_vunpack_Vub(bytes))));
}

/* The low bytes of int32 lanes 0..count−1 (1 ≤ count ≤ 32; the values already clamped to the 8-bit range) to
 * p[0..count): vpacke keeps each lane's low half, then each half's low byte, in order. */
static inline void hvx_store_words(uint8_t *p, int32_t count, HVX_Vector words)
{
    HVX_Vector halves = Q6_Vh_vpacke_VwVw(words, words);
    hvx_store_bytes(p, count, Q6_Vb_vpacke_VhVh(halves, halves));
}

#endif
