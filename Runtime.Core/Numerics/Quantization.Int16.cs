using System.Runtime.CompilerServices;

namespace Accel.Numerics;

public static partial class Quantization
{
    /// <summary>The largest shift the 64-bit form accepts: its total right shift 15 − shift must stay ≥ 1.</summary>
    public const int MaxInt64MultiplierShift = 14;

    /// <summary>
    /// TFLite's 64-bit MultiplyByQuantizedMultiplier (the int16x8 kernels' requantization, common.h; identical with and
    /// without TFLITE_SINGLE_ROUNDING): the mantissa reduced to 16 bits, m16 = m &lt; 0x7FFF0000 ? (m + 2^15) &gt;&gt; 16 :
    /// 0x7FFF, then one rounding: (x · m16 + 2^(14 − shift)) &gt;&gt; (15 − shift) with an arithmetic shift (halves up),
    /// truncated to int32. <paramref name="shift"/> must be at most <see cref="MaxInt64MultiplierShift"/> (TFLite
    /// asserts [−31, 7]; up to 14 the formula stays defined). |x| must be below 2^47, as TFLite assumes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(long x, int multiplier, int shift)
    {
        long reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
        int totalShift = 15 - shift;
        return unchecked((int)((x * reduced + (1L << (totalShift - 1))) >> totalShift));
    }

    /// <summary>
    /// x · mantissa · 2^(shift − 31) rounded once, halves up (toward +∞): (x · mantissa + 2^(30 − shift)) &gt;&gt;
    /// (31 − shift), the product exact in 128 bits, truncated to int32. This is what the oracle's int16x8
    /// FULLY_CONNECTED computes (measured; docs/numerics.md §Quantized execution, int16x8). The shift must be at
    /// most 30.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplierSingleRounding(long x, QuantizedMultiplier multiplier)
    {
        int totalShift = 31 - multiplier.Shift;
        Int128 product = (Int128)x * multiplier.Multiplier + ((Int128)1 << (totalShift - 1));
        return unchecked((int)(long)(product >> totalShift));
    }

    /// <inheritdoc cref="MultiplyByQuantizedMultiplier(long, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(long x, QuantizedMultiplier multiplier) =>
        MultiplyByQuantizedMultiplier(x, multiplier.Multiplier, multiplier.Shift);
}
