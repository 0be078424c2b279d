/* MultiplyByQuantizedMultiplier on 32 int32 lanes with HVX (128-byte vectors), equal bit for bit to quant.h's scalar
 * form (checked lane by lane on adversarial values through CMD_SELFTEST_MBQM_HVX):
 *  - SaturatingRoundingDoublingHighMul(a, b) = (a·b + 2^30) >> 31 with an arithmetic shift: the reference's
 *    (p + (p >= 0 ? 2^30 : 1 − 2^30)) / 2^31 with truncating division is that floor for both signs. The exact 64-bit
 *    product comes from vmpye (a × low unsigned half of b) + vmpyo (a × high signed half of b, << 16); the nudge is
 *    added with a carry into the high word; the one overflowing case (a = b = −2^31) is selected to 2^31 − 1.
 *  - RoundingDivideByPOT with per-lane exponents: (x >> n) + ((x & mask) > (mask >> 1) + (x < 0)). */
#ifndef ACCEL_HEXAGON_HVX_QUANT_H
#define ACCEL_HEXAGON_HVX_QUANT_H
#include <hexagon_types.h>
#include <hvx_hexagon_protos.h>

#define HVX_LANES 32

static inline HVX_Vector hvx_srdhm(HVX_Vector a, HVX_Vector b)
{
    HVX_Vector zero = Q6_V_vsplat_R(0);
    HVX_VectorPair p = Q6_W_vmpye_VwVuh(a, b);
    p = Q6_W_vmpyoacc_WVwVh(p, a, b);
    HVX_VectorPred carry = Q6_Q_vcmp_gt_VwVw(zero, zero); /* all false */
    HVX_Vector lo = Q6_Vw_vadd_VwVwQ_carry(Q6_V_lo_W(p), Q6_V_vsplat_R(1 << 30), &carry);
    HVX_Vector hi = Q6_Vw_vadd_VwVwQ_carry(Q6_V_hi_W(p), zero, &carry);
    HVX_Vector result = Q6_V_vor_VV(Q6_Vw_vasl_VwR(hi, 1), Q6_Vuw_vlsr_VuwR(lo, 31));
    HVX_Vector min = Q6_V_vsplat_R((int)0x80000000);
    HVX_VectorPred both_min = Q6_Q_and_QQ(Q6_Q_vcmp_eq_VwVw(a, min), Q6_Q_vcmp_eq_VwVw(b, min));
    return Q6_V_vmux_QVV(both_min, Q6_V_vsplat_R(0x7FFFFFFF), result);
}

/* right: per-lane exponents in [0, 31]. */
static inline HVX_Vector hvx_rounding_divide_by_pot(HVX_Vector x, HVX_Vector right)
{
    HVX_Vector zero = Q6_V_vsplat_R(0), one = Q6_V_vsplat_R(1);
    HVX_Vector mask = Q6_Vw_vsub_VwVw(Q6_Vw_vasl_VwVw(one, right), one);
    HVX_Vector remainder = Q6_V_vand_VV(x, mask);
    HVX_Vector threshold = Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(zero, x), Q6_Vw_vasr_VwR(mask, 1), one);
    return Q6_Vw_condacc_QVwVw(Q6_Q_vcmp_gt_VwVw(remainder, threshold), Q6_Vw_vasr_VwVw(x, right), one);
}

/* left, right: per-lane max(shift, 0) and max(−shift, 0). The left shift wraps, as TFLite's int32 multiplication. */
static inline HVX_Vector hvx_mbqm(HVX_Vector x, HVX_Vector multiplier, HVX_Vector left, HVX_Vector right)
{
    return hvx_rounding_divide_by_pot(hvx_srdhm(Q6_Vw_vasl_VwVw(x, left), multiplier), right);
}

#endif
