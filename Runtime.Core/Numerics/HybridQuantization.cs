using System.Runtime.CompilerServices;
namespace Accel.Numerics;

/// <summary>
/// The dynamic-range (hybrid) kernels' shared steps, public so every backend quantizes a row exactly as the reference
/// does: TFLite's portable_tensor_utils.cc SymmetricQuantizeFloats / AsymmetricQuantizeFloats, IsZeroVector,
/// ReductionSumVector and fully_connected.cc's ActivationFunctor (docs/numerics.md §Hybrid kernels).
/// </summary>
public static class HybridQuantization
{
    /// <summary>True when no element differs from zero (TFLite's IsZeroVector).</summary>
    [MethodImpl(JitHints.Hot)]
    public static bool IsZeroVector(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
            if (v != 0f) return false;
        return true;
    }

    /// <summary>The sum of each weight row (TFLite's ReductionSumVector), for the asymmetric inputs' zero-point term.</summary>
    public static void RowSums(ReadOnlySpan<sbyte> weights, int rows, int depth, Span<int> sums)
    {
        for (int r = 0; r < rows; r++)
        {
            int sum = 0;
            foreach (sbyte w in weights.Slice(r * depth, depth)) sum = unchecked(sum + w);
            sums[r] = sum;
        }
    }

    /// <summary>
    /// TFLite's SymmetricQuantizeFloats: range = max(|min|, |max|); zero range → all 0 and factor 1; otherwise
    /// q = clamp(round_half_away(v · (127 / range)), −127, 127) and the factor is range / 127 (binary32 each step).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static float SymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized)
    {
        if (values.IsEmpty) return 1f;   // an empty image (a zero spatial dimension) has nothing to quantize
        float min = values[0], max = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] < min) min = values[i];
            if (values[i] > max) max = values[i];
        }
        float absMin = MathF.Abs(min), absMax = MathF.Abs(max);
        float range = absMin < absMax ? absMax : absMin;
        if (range == 0f)
        {
            quantized.Clear();
            return 1f;
        }
        float inverse = 127f / range;
        for (int i = 0; i < values.Length; i++)
        {
            int q = RoundToInt32(values[i] * inverse);
            quantized[i] = (sbyte)Math.Clamp(q, -127, 127);
        }
        return range / 127f;
    }

    /// <summary>
    /// TFLite's AsymmetricQuantizeFloats: [rmin, rmax] = [min(0, min), max(0, max)] in binary64; equal → all 0, factor 1,
    /// offset 0; otherwise scale = (rmax − rmin) / 255, the zero point from whichever end has the smaller error,
    /// nudged into [−128, 127] (rounded half away from zero), factor = (float)scale, inverse = (float)(1.0 / factor),
    /// q = clamp(round_half_away(offset + v · inverse), −128, 127).
    /// </summary>
    [MethodImpl(JitHints.Hot)]
    public static float AsymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset)
    {
        if (values.IsEmpty)
        {
            offset = 0;   // an empty image (a zero spatial dimension) has nothing to quantize
            return 1f;
        }
        float min = values[0], max = values[0];
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] < min) min = values[i];
            if (values[i] > max) max = values[i];
        }
        if (!AsymmetricParameters(min, max, out offset, out float factor, out float inverse))
        {
            quantized.Clear();
            return 1f;
        }
        for (int i = 0; i < values.Length; i++)
        {
            int q = RoundToInt32(offset + values[i] * inverse);
            quantized[i] = (sbyte)Math.Clamp(q, -128, 127);
        }
        return factor;
    }

    /// <summary>
    /// <see cref="AsymmetricQuantize"/>'s parameters from the values' minimum and maximum: the zero point
    /// <paramref name="offset"/>, the factor (the returned scale) and its binary32 <paramref name="inverse"/>. False when
    /// the range [min(0, min), max(0, max)] is empty: then every q is 0, the factor 1 and the offset 0. Shared with the
    /// backends' vectorized quantizers, which must find the same three numbers.
    /// </summary>
    public static bool AsymmetricParameters(float min, float max, out int offset, out float factor, out float inverse)
    {
        const double qmin = -128, qmax = 127;
        double rmin = Math.Min(0.0, min), rmax = Math.Max(0.0, max);
        if (rmin == rmax)
        {
            (offset, factor, inverse) = (0, 1f, 1f);
            return false;
        }
        double scale = (rmax - rmin) / (qmax - qmin);
        double zeroFromMin = qmin - rmin / scale;
        double zeroFromMax = qmax - rmax / scale;
        double errorFromMin = Math.Abs(qmin) + Math.Abs(rmin / scale);
        double errorFromMax = Math.Abs(qmax) + Math.Abs(rmax / scale);
        double zeroPoint = errorFromMin < errorFromMax ? zeroFromMin : zeroFromMax;
        offset = zeroPoint <= qmin ? -128
            : zeroPoint >= qmax ? 127
            : (int)Math.Round(zeroPoint, MidpointRounding.AwayFromZero);
        factor = (float)scale;
        inverse = (float)(1.0 / factor);
        return true;
    }

    // std::round on binary32, then a cast to int32; the quantizers' products stay within ±(127 + 128) for finite inputs.
    private static int RoundToInt32(float x) => (int)MathF.Round(x, MidpointRounding.AwayFromZero);

    /// <summary>TFLite's ActivationFunctor for the hybrid kernels' float output (its min/max order, so −0 and NaN follow it).</summary>
    [MethodImpl(JitHints.Hot)]
    public static float Activate(ActivationFunctionType activation, float a) => activation switch
    {
        ActivationFunctionType.Relu => a < 0f ? 0f : a,
        ActivationFunctionType.Relu6 => Max(0f, Min(a, 6f)),
        ActivationFunctionType.ReluN1To1 => Max(-1f, Min(a, 1f)),
        _ => a,
    };

    // std::min(a, b) = b < a ? b : a; std::max(a, b) = a < b ? b : a.
    private static float Min(float a, float b) => b < a ? b : a;
    private static float Max(float a, float b) => a < b ? b : a;
}
