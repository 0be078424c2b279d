using System.Runtime.CompilerServices;
using System.Numerics;
using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>
/// What an int8/uint8 MEAN (and an int8/uint8/int16 SUM, without the 1/n) runs from (TFLite's reduce.cc PrepareMeanOrSum plus the 1/n folding of reference_ops::
/// QuantizedMeanOrSum, done once here since n is fixed): the input's zero point, the multiplier s_in/s_out with 1/n folded
/// into it, the output's zero point and the dtype's range. Each output is
/// clamp(MultiplyByQuantizedMultiplier((int32)(Σx − zp_in·n), Multiplier) + zp_out) (docs/numerics.md §MEAN).
/// int16 takes the one of the two forms TFLite's reduce.cc picks for it (<see cref="QuantizedMeanForm"/>).
/// </summary>
public sealed record QuantizedMeanParams(int InputZeroPoint, int OutputZeroPoint, QuantizedMultiplier Multiplier, int Min, int Max)
{
    /// <summary>Which of TFLite's integer mean kernels this node follows (int8 and uint8: always <see cref="QuantizedMeanForm.Rescaled"/>).</summary>
    public QuantizedMeanForm Form { get; init; }

    /// <summary><see cref="QuantizedMeanForm.Spatial"/>: s_in/s_out without 1/n folded in (the division rounds separately).</summary>
    public QuantizedMultiplier SpatialMultiplier { get; init; }

    /// <summary>
    /// One output from the exact sum of its <paramref name="count"/> inputs: TFLite's int32 temp sum (wrapping) less
    /// zp_in·n, truncated to int32, rescaled, + zp_out, clamped to the dtype's range (int16: the form's own steps).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public int Requantize(long sum, long count)
    {
        int shifted = unchecked((int)(sum - InputZeroPoint * count));
        int value;
        switch (Form)
        {
            case QuantizedMeanForm.Spatial:
                // reference_integer_ops::Mean: rescale the sum, then divide by n rounding halves away from zero.
                int scaled = Quantization.MultiplyByQuantizedMultiplier(shifted, SpatialMultiplier);
                int n = (int)count;
                value = (scaled > 0 ? (scaled + n / 2) / n : (scaled - n / 2) / n) + OutputZeroPoint;
                break;
            default:
                value = Quantization.MultiplyByQuantizedMultiplier(shifted, Multiplier) + OutputZeroPoint;
                break;
        }
        return value < Min ? Min : value > Max ? Max : value;
    }
}

/// <summary>
/// The integer mean kernel TFLite's reduce.cc (EvalMeanReferenceOps) runs for an int16 MEAN, chosen by the node's shape
/// and axes as written (docs/numerics.md §MEAN).
/// </summary>
public enum QuantizedMeanForm
{
    /// <summary>reference_ops::QuantizedMeanOrSum: 1/n folded into the multiplier s_in/s_out, one rescale.</summary>
    Rescaled,

    /// <summary>keep_dims, rank 4, axes exactly {1, 2}: reference_integer_ops::Mean (rescale, then a rounded division by n).</summary>
    Spatial,
}

internal static class QuantizedMean
{
    /// <param name="spatial">keep_dims on a rank-4 input with the axes exactly [1, 2] or [2, 1] as written (TFLite's
    /// test on the raw axis values), which sends an int16 MEAN to reference_integer_ops::Mean.</param>
    /// <param name="foldCount">MEAN: 1/n folded into the multiplier; SUM (QuantizedMeanOrSum's compute_sum): not.</param>
    public static QuantizedMeanParams Prepare(KernelContext context, long count, bool spatial, bool foldCount = true)
    {
        var input = context.Input(0);
        var output = context.Output(0);
        bool int16 = input.Type == TensorType.Int16;
        // int16: symmetric, zero points 0 (TFLite's PrepareSimple TF_LITE_ENSURE_EQ).
        var inQ = int16 ? Int16x8.Activation(context, input, "input") : QuantizedParams.PerTensor(context, input, "input");
        var outQ = int16 ? Int16x8.Activation(context, output, "output") : QuantizedParams.PerTensor(context, output, "output");
        // The ratio in double of the two float scales, as TFLite's Prepare takes it.
        var m = QuantizedParams.Multiplier(context, (double)inQ.Scale / outQ.Scale, "the output multiplier s_in/s_out");
        var form = !int16 ? QuantizedMeanForm.Rescaled
            : spatial ? QuantizedMeanForm.Spatial
            : QuantizedMeanForm.Rescaled;
        int multiplier = m.Multiplier, shift = m.Shift;
        if (count > 0 && foldCount)
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
        return new QuantizedMeanParams(inQ.ZeroPoint, outQ.ZeroPoint, new QuantizedMultiplier(multiplier, shift), min, max)
        {
            Form = form,
            SpatialMultiplier = m,
        };
    }
}
