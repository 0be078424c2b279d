using System.Runtime.CompilerServices;

namespace Accel.Numerics;

/// <summary>
/// gemmlowp's 16-bit fixed-point math (fixedpoint.h, <c>FixedPoint&lt;int16_t, N&gt;</c>) as TFLite's optimized int16
/// LOGISTIC and TANH run it for power-of-two input scales (docs/numerics.md §Quantized execution, int16x8): the input's
/// raw value read as Q3.12, the result Q0.15. Every step is int16 arithmetic as the C++ performs it — sums and negations
/// wrap to 16 bits, products are the rounding doubling high multiply (halves up, −1 · −1 saturating), power-of-two
/// rescales round to nearest (right) or saturate (left) — so the integers are gemmlowp's exactly, on every platform.
/// Written from gemmlowp's published algorithms: exp on [−1/4, 0) by a Taylor polynomial around −1/8, a barrel
/// shifter of exp(−2^k) factors for the rest, 1/(1 + x) and (1 − x)/(1 + x) by three Newton–Raphson steps.
/// </summary>
internal static class FixedPoint16
{
    // Q0.15 constants: gemmlowp writes them as Q0.31 and rounds them to 16 bits (RescaleConstantInitializer).
    private static readonly short ExpMinusOneEighth = FromQ31(1895147668);   // e^(−1/8)
    private static readonly short OneThird = FromQ31(715827883);
    private static readonly short FortyEightSeventeenths = FromQ31(1515870810); // 48/17 in Q2.13
    private static readonly short MinusThirtyTwoSeventeenths = FromQ31(-1010580540); // −32/17 in Q2.13

    /// <summary>e^(−2^k) for k = −2..4 in Q0.31 (the barrel shifter's factors, rounded to Q0.15 where used).</summary>
    private static ReadOnlySpan<int> ExpOfMinusPowerOfTwoQ31 => [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

    private const short One0 = short.MaxValue;   // "1" in Q0.15
    private const short One2 = 1 << 13;          // 1 in Q2.13

    /// <summary>gemmlowp::logistic on a Q3.12 input, the result in Q0.15.</summary>
    public static short Logistic(short q3)
    {
        if (q3 == 0) return 1 << 14;                                   // one half
        bool positive = q3 > 0;
        short magnitude = positive ? q3 : Neg(q3);                     // −(−32768) wraps to −32768, as in C++
        short ofPositive = OneOverOnePlusX(ExpOnNegativeValues(Neg(magnitude), integerBits: 3));
        return positive ? ofPositive : Sub(One0, ofPositive);
    }

    /// <summary>gemmlowp::tanh on a Q3.12 input, the result in Q0.15.</summary>
    public static short Tanh(short q3)
    {
        if (q3 == 0) return 0;
        bool negative = q3 < 0;
        short n = negative ? q3 : Neg(q3);
        // −tanh(n) for n < 0: (1 − e^(2n)) / (1 + e^(2n)), the doubling exact by reading n as Q4.11.
        short t = OneMinusXOverOnePlusX(ExpOnNegativeValues(n, integerBits: 4));
        return negative ? Neg(t) : t;
    }

    /// <summary>gemmlowp::exp_on_negative_values for a value with <paramref name="integerBits"/> integer bits (3 or 4); Q0.15.</summary>
    private static short ExpOnNegativeValues(short a, int integerBits)
    {
        int fractionalBits = 15 - integerBits;
        short quarter = (short)(1 << (fractionalBits - 2));
        short aModQuarterMinusQuarter = Sub((short)(a & (quarter - 1)), quarter);
        short result = ExpOnMinusQuarterToZero(SaturatingShiftLeft(aModQuarterMinusQuarter, integerBits));
        short remainder = Sub(aModQuarterMinusQuarter, a);
        for (int k = -2; k <= 4; k++)
        {
            if (integerBits <= k) break;
            if ((remainder & (1 << (fractionalBits + k))) != 0)
                result = Mul(result, FromQ31(ExpOfMinusPowerOfTwoQ31[k + 2]));
        }
        return a == 0 ? One0 : result;
    }

    /// <summary>gemmlowp::exp_on_interval_between_negative_one_quarter_and_0_excl: Q0.15 in, Q0.15 out.</summary>
    private static short ExpOnMinusQuarterToZero(short a)
    {
        short x = Add(a, 1 << 12);                                    // a + 1/8
        short x2 = Mul(x, x);
        short x3 = Mul(x2, x);
        short x4 = Mul(x2, x2);
        short x4Over4 = RoundingDivideByPowerOfTwo(x4, 2);
        short polynomial = RoundingDivideByPowerOfTwo(Add(Mul(Add(x4Over4, x3), OneThird), x2), 1);
        return SaturatingAdd(ExpMinusOneEighth, Mul(ExpMinusOneEighth, Add(x, polynomial)));
    }

    /// <summary>gemmlowp::one_over_one_plus_x_for_x_in_0_1: Q0.15 in, Q0.15 out.</summary>
    private static short OneOverOnePlusX(short a)
    {
        short x = NewtonRaphsonReciprocalOfHalfDenominator(a);        // Q2.13 ≈ 2 / (1 + a)
        return SaturatingShiftLeft(x, 1);                              // x / 2, from Q1.14 to Q0.15
    }

    /// <summary>gemmlowp::one_minus_x_over_one_plus_x_for_x_in_0_1: Q0.15 in, Q0.15 out.</summary>
    private static short OneMinusXOverOnePlusX(short a)
    {
        short x = NewtonRaphsonReciprocalOfHalfDenominator(a);
        return SaturatingShiftLeft(Sub(x, One2), 2);                   // x − 1, from Q2.13 to Q0.15
    }

    /// <summary>1 / ((1 + a) / 2) in Q2.13: 48/17 − 32/17 · d, then three Newton–Raphson steps x += x · (1 − d · x).</summary>
    private static short NewtonRaphsonReciprocalOfHalfDenominator(short a)
    {
        short halfDenominator = RoundingHalfSum(a, One0);
        short x = Add(FortyEightSeventeenths, Mul(halfDenominator, MinusThirtyTwoSeventeenths));
        for (int i = 0; i < 3; i++)
        {
            short oneMinusDx = Sub(One2, Mul(halfDenominator, x));
            x = Add(x, SaturatingShiftLeft(Mul(x, oneMinusDx), 2));   // Q4.11 → Q2.13
        }
        return x;
    }

    /// <summary>The Q0.31 constant rounded to Q0.15 (gemmlowp's RoundingDivideByPOT on int32 by 16).</summary>
    private static short FromQ31(int value)
    {
        int mask = (1 << 16) - 1;
        int remainder = value & mask;
        int threshold = (mask >> 1) + (value < 0 ? 1 : 0);
        return (short)((value >> 16) + (remainder > threshold ? 1 : 0));
    }

    /// <summary>gemmlowp's SaturatingRoundingDoublingHighMul on int16: round(a · b / 2^15), halves up; −1 · −1 gives the maximum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static short Mul(short a, short b)
    {
        if (a == short.MinValue && b == short.MinValue) return short.MaxValue;
        int product = a * b;
        int nudge = product >= 0 ? 1 << 14 : 1 - (1 << 14);
        return (short)((product + nudge) / (1 << 15));
    }

    /// <summary>gemmlowp's RoundingDivideByPOT on int16: x / 2^exponent to nearest, halves away from zero.</summary>
    internal static short RoundingDivideByPowerOfTwo(short x, int exponent)
    {
        int mask = (1 << exponent) - 1;
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (short)((x >> exponent) + (remainder > threshold ? 1 : 0));
    }

    /// <summary>gemmlowp's SaturatingRoundingMultiplyByPOT with a positive exponent on int16: x · 2^exponent, saturating.</summary>
    internal static short SaturatingShiftLeft(short x, int exponent)
    {
        int threshold = (1 << (15 - exponent)) - 1;
        return x > threshold ? short.MaxValue : x < -threshold ? short.MinValue : (short)(x << exponent);
    }

    /// <summary>gemmlowp's RoundingHalfSum on int16: (a + b + sign) / 2 truncating, in int32.</summary>
    private static short RoundingHalfSum(short a, short b)
    {
        int sum = a + b;
        return (short)((sum + (sum >= 0 ? 1 : -1)) / 2);
    }

    private static short SaturatingAdd(short a, short b) => (short)Math.Clamp(a + b, short.MinValue, short.MaxValue);

    private static short Add(short a, int b) => (short)(a + b);

    private static short Sub(short a, short b) => (short)(a - b);

    private static short Neg(short a) => (short)-a;
}
