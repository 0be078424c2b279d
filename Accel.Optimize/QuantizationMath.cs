namespace Accel.Optimize;

/// <summary>Scale and zero point of an asymmetric per-tensor quantization.</summary>
public readonly record struct AffineParams(float Scale, int ZeroPoint);

/// <summary>
/// The arithmetic that turns float ranges and weights into quantization parameters (docs/optimize.md §Int8). It
/// mirrors TFLite's ChooseQuantizationParams and its symmetric per-channel weight quantization.
/// </summary>
public static class QuantizationMath
{
    /// <summary>
    /// Asymmetric parameters for values in [min, max] on [qmin, qmax]: the range is first widened to contain 0; then
    /// scale = (max − min) / (qmax − qmin) in double, stored as float; the zero point is qmin − min/scale or
    /// qmax − max/scale (whichever has the smaller |q| + |r/scale|), rounded half away from zero and clamped. A range of
    /// width 0 (a tensor that is always 0) gets scale 1 and zero point 0.
    /// </summary>
    public static AffineParams ChooseAsymmetric(double min, double max, int qmin, int qmax)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || double.IsInfinity(min) || double.IsInfinity(max))
            throw new OptimizationException($"A calibrated range [{min}, {max}] is not finite (the float model produced NaN or infinity).");
        if (min > max) throw new ArgumentException($"min {min} > max {max}.");
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        if (min == max) return new AffineParams(1f, 0);
        double scale = (max - min) / (qmax - (double)qmin);
        double fromMin = qmin - min / scale;
        double fromMax = qmax - max / scale;
        double errorMin = Math.Abs((double)qmin) + Math.Abs(min / scale);
        double errorMax = Math.Abs((double)qmax) + Math.Abs(max / scale);
        double zp = errorMin < errorMax ? fromMin : fromMax;
        int zeroPoint = zp < qmin ? qmin : zp > qmax ? qmax : (int)Math.Round(zp, MidpointRounding.AwayFromZero);
        return new AffineParams((float)scale, zeroPoint);
    }

    /// <summary>
    /// Symmetric int8 quantization of a weight tensor, one scale per slice along <paramref name="channelAxis"/> (or one
    /// scale for all with <paramref name="channelAxis"/> = −1): scale = max|w| / 127 (double, stored as float; 1 for an
    /// all-zero slice), q = round(w / scale) half away from zero, clamped to [−127, 127].
    /// </summary>
    public static (sbyte[] Values, float[] Scales) QuantizeSymmetric(ReadOnlySpan<float> weights, int[] shape, int channelAxis)
    {
        int channels = channelAxis < 0 ? 1 : shape[channelAxis];
        int inner = 1;
        if (channelAxis >= 0)
            for (int d = channelAxis + 1; d < shape.Length; d++) inner *= shape[d];
        else inner = weights.Length;
        int Channel(int i) => channelAxis < 0 ? 0 : i / inner % channels;

        var maxAbs = new double[channels];
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            if (!float.IsFinite(w)) throw new OptimizationException($"Weight element {i} is {w}; only finite weights can be quantized.");
            maxAbs[Channel(i)] = Math.Max(maxAbs[Channel(i)], Math.Abs(w));
        }
        var scales = maxAbs.Select(m => m == 0 ? 1f : (float)(m / 127.0)).ToArray();
        var q = new sbyte[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double v = Math.Round(weights[i] / (double)scales[Channel(i)], MidpointRounding.AwayFromZero);
            q[i] = (sbyte)Math.Clamp(v, -127, 127);
        }
        return (q, scales);
    }

    /// <summary>
    /// 16x8 activations (TFLite's GetSymmetricQuantizationParams with half range 32767): the range is widened to contain
    /// 0, scale = max(|min|, |max|) / 32767 in binary32, zero point 0. A range of width 0 gets scale 1.
    /// </summary>
    public static AffineParams ChooseSymmetricInt16(double min, double max)
    {
        if (double.IsNaN(min) || double.IsNaN(max) || double.IsInfinity(min) || double.IsInfinity(max))
            throw new OptimizationException($"A calibrated range [{min}, {max}] is not finite (the float model produced NaN or infinity).");
        if (min > max) throw new ArgumentException($"min {min} > max {max}.");
        float bound = (float)Math.Max(Math.Abs(min), Math.Abs(max));
        return bound == 0 ? new AffineParams(1f, 0) : new AffineParams(bound / 32767f, 0);
    }

    /// <summary>
    /// Int32 bias: scale[c] = (float)(input scale × weight scale[c]) computed in double, q = round(b / scale[c]) half away
    /// from zero, saturated to int32.
    /// </summary>
    public static (int[] Values, float[] Scales) QuantizeBias(ReadOnlySpan<float> bias, float inputScale, float[] weightScales)
    {
        var (q, scales) = QuantizeBias(bias, inputScale, weightScales, int.MinValue, int.MaxValue);
        return (q.Select(v => (int)v).ToArray(), scales);
    }

    /// <summary>
    /// Int64 bias of 16x8 operators: the scales as <see cref="QuantizeBias(ReadOnlySpan{float}, float, float[])"/>,
    /// q = round(b / scale[c]) half away from zero, saturated to int64.
    /// </summary>
    public static (long[] Values, float[] Scales) QuantizeBiasInt64(ReadOnlySpan<float> bias, float inputScale, float[] weightScales) =>
        QuantizeBias(bias, inputScale, weightScales, long.MinValue, long.MaxValue);

    internal static (long[] Values, float[] Scales) QuantizeBias(ReadOnlySpan<float> bias, float inputScale, float[] weightScales, long min, long max)
    {
        var scales = new float[bias.Length];
        var q = new long[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            float ws = weightScales.Length == 1 ? weightScales[0] : weightScales[c];
            scales[c] = (float)((double)inputScale * ws);
            double v = Math.Round(bias[c] / (double)scales[c], MidpointRounding.AwayFromZero);
            // (double)long.MaxValue is 2^63, one past the range: saturate before converting.
            q[c] = v >= max ? max : v <= min ? min : (long)v;
        }
        return (q, scales);
    }

    /// <summary>Quantizes values with fixed affine parameters: clamp(round(x / scale) + zero point) half away from zero.</summary>
    public static int QuantizeValue(float x, AffineParams p, int qmin, int qmax)
    {
        double v = Math.Round(x / (double)p.Scale, MidpointRounding.AwayFromZero) + p.ZeroPoint;
        return (int)Math.Clamp(v, qmin, qmax);
    }
}
