using System.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Numerics;

public static partial class Quantization
{
    /// <summary>
    /// TFLite's GetInvSqrtQuantizedMultiplierExp (kernels/internal/common.h) with reverse_shift −1: 1/√input as a Q0.31
    /// mantissa and a left shift (≤ 0), by five Newton-Raphson steps in gemmlowp's Q3.28 fixed point. Inputs ≤ 1 give
    /// (int.MaxValue, 0), as TFLite's. Pure integer operations (TFLite's int32 wraps where the C++ shifts would).
    /// </summary>
    internal static QuantizedMultiplier InverseSqrtMultiplier(int input)
    {
        if (input <= 1) return new QuantizedMultiplier(int.MaxValue, 0);
        int shift = 11;
        while (input >= 1 << 29)
        {
            input /= 4;
            shift++;
        }
        int maxLeftShiftBits = BitOperations.LeadingZeroCount((uint)input) - 1;
        int leftShiftBitPairs = maxLeftShiftBits / 2 - 1;
        shift -= leftShiftBitPairs;
        input <<= 2 * leftShiftBitPairs;
        // Q3.28: raw r means r · 2^-28.
        int fixedInput = input >> 1;
        int halfInput = RoundingDivideByPOT(fixedInput, 1);
        const int halfThree = (1 << 28) + (1 << 27);
        int x = 1 << 28;
        for (int i = 0; i < 5; i++)
        {
            // x·x·x: Q6 then Q9, rescaled to Q3 (a saturating left shift by 6).
            int x3 = SaturatingShiftLeft(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(x, x), x), 6);
            int difference = unchecked(SaturatingRoundingDoublingHighMul(halfThree, x) - SaturatingRoundingDoublingHighMul(halfInput, x3));
            x = SaturatingShiftLeft(difference, 3);
        }
        int result = SaturatingRoundingDoublingHighMul(x, 1518500250);   // · √2/2 (Q0.31)
        if (shift < 0)
        {
            result = unchecked(result << -shift);
            shift = 0;
        }
        return new QuantizedMultiplier(result, -shift);
    }

    /// <summary>
    /// TFLite's int16 LUTLookup (kernels/internal/common.h) on a 513-entry table: the high 9 bits pick a segment
    /// (index 256 + (x &gt;&gt; 7)), the low 7 interpolate: y = base + ((next − base) · (x &amp; 127) + 64) &gt;&gt; 7, wrapped to int16.
    /// </summary>
    public static short LookupInt16(ReadOnlySpan<short> table, short x)
    {
        int index = 256 + (x >> 7);
        int baseValue = table[index];
        int slope = table[index + 1] - baseValue;
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

    /// <summary>gemmlowp's SaturatingRoundingMultiplyByPOT for a positive exponent: x · 2^exponent saturated to int32.</summary>
    private static int SaturatingShiftLeft(int x, int exponent)
    {
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) return int.MaxValue;
        if (x < -threshold) return int.MinValue;
        return x << exponent;
    }
}
