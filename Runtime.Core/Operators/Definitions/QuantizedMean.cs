using System.Numerics;
using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// What an int8/uint8 MEAN runs from (TFLite's reduce.cc PrepareMeanOrSum plus the 1/n folding of reference_ops::
/// QuantizedMeanOrSum, done once here since n is fixed): the input's zero point, the multiplier s_in/s_out with 1/n folded
/// into it, the output's zero point and the dtype's range. Each output is
/// clamp(MultiplyByQuantizedMultiplier((int32)(Σx − zp_in·n), Multiplier) + zp_out) (docs/numerics.md §MEAN).
/// </summary>
public sealed record QuantizedMeanParams(int InputZeroPoint, int OutputZeroPoint, QuantizedMultiplier Multiplier, int Min, int Max)
{
    /// <summary>
    /// One output from the exact sum of its <paramref name="count"/> inputs: TFLite's int32 temp sum (wrapping) less
    /// zp_in·n, truncated to int32, rescaled, + zp_out, clamped to the dtype's range.
    /// </summary>
    public int Requantize(long sum, long count)
    {
        int shifted = unchecked((int)(sum - InputZeroPoint * count));
        int value = Quantization.MultiplyByQuantizedMultiplier(shifted, Multiplier) + OutputZeroPoint;
        return value < Min ? Min : value > Max ? Max : value;
    }
}

internal static class QuantizedMean
{
    public static QuantizedMeanParams Prepare(KernelContext context, long count)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        var inQ = QuantizedParams.PerTensor(context, input, "input");
        var outQ = QuantizedParams.PerTensor(context, output, "output");
        // The ratio in double of the two float scales, as TFLite's Prepare takes it.
        var m = QuantizedParams.Multiplier(context, (double)inQ.Scale / outQ.Scale, "the output multiplier s_in/s_out");
        int multiplier = m.Multiplier, shift = m.Shift;
        if (count > 0)
        {
            // TFLite folds 1/n into the mantissa: shift = floor(log2 n), at most 32 and at most 31 + shift (so the
            // final shift stays ≥ −31), mantissa = (mantissa << shift) / n truncated.
            int s = 63 - BitOperations.LeadingZeroCount((ulong)count);
            s = Math.Min(s, 32);
            s = Math.Min(s, 31 + shift);
            multiplier = (int)(((long)multiplier << s) / count);
            shift -= s;
        }
        var (min, max) = Quantization.TypeRange(output.Type)!.Value;
        return new QuantizedMeanParams(inQ.ZeroPoint, outQ.ZeroPoint, new QuantizedMultiplier(multiplier, shift), min, max);
    }
}
