using System.Runtime.CompilerServices;
using System.Numerics;

namespace Accel.Numerics;

public static partial class Quantization
{
    /// <summary>
    /// gemmlowp's SaturatingRoundingMultiplyByPOT for a left shift (<paramref name="exponent"/> in [1, 30]): x · 2^exponent,
    /// int.MaxValue above 2^(31 − exponent) − 1, int.MinValue below −(2^(31 − exponent) − 1).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static int SaturatingShiftLeft(int x, int exponent)
    {
        int threshold = (1 << (31 - exponent)) - 1;
        return x > threshold ? int.MaxValue : x < -threshold ? int.MinValue : x << exponent;
    }

    /// <summary>
    /// TFLite's GetInvSqrtQuantizedMultiplierExp (kernels/internal/common.h) with reverse_shift −1: a mantissa and a
    /// left shift approximating 1/√<paramref name="input"/>, by five Newton–Raphson steps in gemmlowp's Q3.28 fixed point
    /// from x = 1 (every product a SaturatingRoundingDoublingHighMul, every rescale a saturating shift). An input of 0
    /// or 1 gives (int.MaxValue, 0), as TFLite. The shift returned is ≤ 0. docs/numerics.md §L2_NORMALIZATION.
    /// </summary>
    public static (int Multiplier, int Shift) InverseSqrtMultiplier(int input)
    {
        if (input <= 1) return (int.MaxValue, 0);
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
        // Q3.28 (gemmlowp FixedPoint<int32, 3>): a product of two is Q6.25, of three Q9.22; Rescale<3> shifts back.
        int fixedInput = input >> 1;
        int halfInput = RoundingDivideByPOT(fixedInput, 1);
        const int halfThree = (1 << 28) + (1 << 27);
        int x = 1 << 28;
        for (int i = 0; i < 5; i++)
        {
            int x3 = SaturatingShiftLeft(SaturatingRoundingDoublingHighMul(SaturatingRoundingDoublingHighMul(x, x), x), 6);
            int difference = unchecked(SaturatingRoundingDoublingHighMul(halfThree, x) - SaturatingRoundingDoublingHighMul(halfInput, x3));
            x = SaturatingShiftLeft(difference, 3);
        }
        // · √2/2 in Q0.31.
        x = SaturatingRoundingDoublingHighMul(x, 1518500250);
        if (shift < 0)
        {
            x = unchecked(x << -shift);
            shift = 0;
        }
        return (x, -shift);
    }
}
