using System.Runtime.CompilerServices;
using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Numerics;

public static partial class Quantization
{
    /// <summary>
    /// TFLite's int16 LUTLookup (kernels/internal/common.h) on a 513-entry table: the high 9 bits pick a segment
    /// (index 256 + (x &gt;&gt; 7)), the low 7 interpolate: y = base + ((next − base) · (x &amp; 127) + 64) &gt;&gt; 7, wrapped to int16.
    /// The slope next − base is an int16 in TFLite, so a segment rising or falling by more than 32,767 wraps (int16 LOG's
    /// segment from the saturated −32768 below 0 to a positive log; measured identical with LiteRT.js).
    /// </summary>
    public static short LookupInt16(ReadOnlySpan<short> table, short x)
    {
        int index = 256 + (x >> 7);
        int baseValue = table[index];
        int slope = unchecked((short)(table[index + 1] - baseValue));
        return unchecked((short)(baseValue + ((slope * (x & 0x7F) + 64) >> 7)));
    }

    /// <summary>
    /// One int8 SQUARED_DIFFERENCE element (TFLite's squared_difference.cc): each stored value + its offset, shifted left
    /// by <see cref="QuantizedAddParams.LeftShift"/> (7) and rescaled by its multiplier; the difference squared (at most
    /// (255·2^6)², no overflow), rescaled, + the output zero point, clamped.
    /// </summary>
    public static int SquaredDifference(int a, int b, QuantizedAddParams q)
    {
        int scaledA = MultiplyByQuantizedMultiplier((a + q.Input1Offset) * (1 << q.LeftShift), q.Input1Multiplier);
        int scaledB = MultiplyByQuantizedMultiplier((b + q.Input2Offset) * (1 << q.LeftShift), q.Input2Multiplier);
        int difference = scaledA - scaledB;
        int result = MultiplyByQuantizedMultiplier(difference * difference, q.OutputMultiplier) + q.OutputOffset;
        return Math.Clamp(result, q.ActivationMin, q.ActivationMax);
    }

    /// <summary>
    /// One int8/uint8 DIV element (TFLite's reference_ops::DivElementwise; the division by the stored zero point is refused
    /// before): x = a + offset_1, y = b + offset_2, both negated when y &lt; 0; (r, n) = GetReciprocal(y) (a Q0.31
    /// reciprocal and its exponent); h = CountLeadingSignBits(x); q = SRDHM(x · 2^h, r);
    /// out = clamp(z_y + RoundingDivideByPOT(SRDHM(q, M), n + h − shift_M)). The rounding shift may exceed 31 (a zero or
    /// tiny numerator): TFLite's arithmetic then takes the mask from 64 bits and the shift count mod 32, as
    /// <see cref="RoundingDivideByPOT"/> does.
    /// </summary>
    public static int Divide(int a, int b, QuantizedMulParams q)
    {
        int x = a + q.Input1Offset;
        int y = b + q.Input2Offset;
        if (y < 0)
        {
            x = -x;
            y = -y;
        }
        int reciprocal = Reciprocal(y, out int bitsOverUnit);
        int headroom = CountLeadingSignBits(x);
        int unscaled = SaturatingRoundingDoublingHighMul(unchecked(x * (1 << headroom)), reciprocal);
        int totalShift = q.OutputMultiplier.Shift - bitsOverUnit - headroom;
        int result = q.OutputOffset + RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unscaled, q.OutputMultiplier.Multiplier), -totalShift);
        return Math.Clamp(result, q.ActivationMin, q.ActivationMax);
    }

    /// <summary>TFLite's CountLeadingSignBits for int32 (0 → 31, −1 → 31, int.MinValue → 0).</summary>
    private static int CountLeadingSignBits(int x) =>
        x >= 0 ? BitOperations.LeadingZeroCount((uint)x) - 1
        : x != int.MinValue ? BitOperations.LeadingZeroCount(2 * (uint)-x - 1) : 0;

    /// <summary>
    /// TFLite's GetReciprocal(x, 31, &amp;n) for x &gt; 0: n = 31 − clz(x); the Q0.31 value of 1 / (1 + f) where
    /// x · 2^clz(x) = 2^31 · (1 + f), by gemmlowp's one_over_one_plus_x_for_x_in_0_1 (three Newton-Raphson steps in Q2.29).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    private static int Reciprocal(int x, out int bitsOverUnit)
    {
        int headroomPlusOne = BitOperations.LeadingZeroCount((uint)x);
        bitsOverUnit = 31 - headroomPlusOne;
        int shiftedMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
        // half_denominator = RoundingHalfSum(a, F0::One()) with One() = int.MaxValue in Q0.31.
        long sum = (long)shiftedMinusOne + int.MaxValue;
        int halfDenominator = (int)((sum + (sum >= 0 ? 1 : -1)) / 2);
        const int constant48Over17 = 1515870810, constantMinus32Over17 = -1010580540, oneQ2 = 1 << 29;
        int estimate = unchecked(constant48Over17 + SaturatingRoundingDoublingHighMul(halfDenominator, constantMinus32Over17));
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = SaturatingRoundingDoublingHighMul(halfDenominator, estimate);
            int oneMinus = unchecked(oneQ2 - halfDenominatorTimesX);
            estimate = unchecked(estimate + SaturatingShiftLeft(SaturatingRoundingDoublingHighMul(estimate, oneMinus), 2));
        }
        return SaturatingShiftLeft(estimate, 1);   // ExactMulByPot<-1> then Rescale<0>: Q1.30 raw read as Q0.31
    }
}
