using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>How an int16x8 node turns its sum into the output (docs/numerics.md §Quantized execution, int16x8).</summary>
public enum Int16x8Rescale
{
    /// <summary>TFLite's 64-bit MultiplyByQuantizedMultiplier: the mantissa reduced to 16 bits, one rounding (CONV_2D, DEPTHWISE_CONV_2D).</summary>
    Reduced16BitMultiplier,

    /// <summary>The full 31-bit mantissa, one rounding, halves up (FULLY_CONNECTED, as the oracle computes it).</summary>
    FullMultiplierSingleRounding,
}

/// <summary>
/// What an int16x8 CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED runs from (TFLite's OpData for int16 activations and
/// int8 weights): one multiplier per output channel, the clamp in the int16 domain, whether the bias (and so TFLite's
/// accumulator) is int64 — an int32 one (FULLY_CONNECTED only) wraps the sum modulo 2^32 — and the rescale. Zero points
/// are all 0, so there are no offsets.
/// </summary>
public sealed record Int16ConvParams(ImmutableArray<QuantizedMultiplier> Multipliers, int ActivationMin, int ActivationMax, bool WideBias,
    Int16x8Rescale Rescale);

/// <summary>TFLite's Prepare checks and multipliers for the int16x8 scheme (docs/numerics.md §Quantized execution, int16x8).</summary>
internal static class Int16x8
{
    /// <summary>An int16 activation's per-tensor quantization: a valid scale and zero point 0 (TFLite's TF_LITE_ENSURE_EQ).</summary>
    public static TensorQuantization Activation(KernelContext context, Tensor tensor, string role)
    {
        context.ExpectType(tensor, TensorType.Int16, role);
        var q = QuantizedParams.PerTensor(context, tensor, role);
        if (q.ZeroPoint != 0)
            throw context.Error($"{role} '{tensor.Name}' is int16 with zero point {q.ZeroPoint}; int16 activations must be symmetric (zero point 0)");
        return q;
    }

    /// <summary>A multiplier whose shift the rescale's formula can take (the 64-bit form's right shift 15 − shift ≥ 1).</summary>
    private static QuantizedMultiplier Multiplier(KernelContext context, double real, string what, Int16x8Rescale rescale)
    {
        var m = QuantizedParams.Multiplier(context, real, what);
        if (rescale == Int16x8Rescale.Reduced16BitMultiplier && m.Shift > Quantization.MaxInt64MultiplierShift)
            throw context.Error($"{what} {real:R} is too large for the int16x8 requantization (at most 2^{Quantization.MaxInt64MultiplierShift})");
        return m;
    }

    /// <summary>
    /// The int16x8 params of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: int16 input and output with zero point 0,
    /// symmetric int8 weights per tensor or per channel along <paramref name="weightsChannelAxis"/>, an optional int64
    /// bias of one value per channel (FULLY_CONNECTED also takes int32). Channel c's multiplier is (double)s_x · (double)s_w[c] / (double)s_y
    /// (PopulateConvolutionQuantizationParams); for FULLY_CONNECTED with per-tensor weights it is TFLite's
    /// GetQuantizedConvolutionMultipler instead: (double)(s_x · s_w) with the product rounded to binary32, / (double)s_y,
    /// and the bias scale must equal s_x · s_w within 1e-6 relative (as for int8).
    /// </summary>
    public static Int16ConvParams Convolution(KernelContext context, Tensor input, Tensor weights, Tensor? bias, Tensor output,
        ActivationFunctionType activation, int weightsChannelAxis, int channels, Int16x8Op op)
    {
        bool perTensorFullyConnected = op == Int16x8Op.FullyConnected && weights.Quantization.Scale.Length == 1;
        var inQ = Activation(context, input, "input");
        var outQ = Activation(context, output, "output");
        context.ExpectType(weights, TensorType.Int8, "weights");
        var (scales, _) = QuantizedParams.Weights(context, weights, "weights", weightsChannelAxis, channels);
        bool wide = true;
        if (bias is not null)
        {
            if (bias.Type is not (TensorType.Int64 or TensorType.Int32))
                throw context.Error($"bias '{bias.Name}' is {bias.Type.ToDisplayName()}; an int16x8 node takes an int64 (or int32) bias");
            wide = bias.Type == TensorType.Int64;
            // DEPTHWISE_CONV_2D: TFLite's Prepare refuses an int32 bias. CONV_2D: TFLite accepts one but reads it as int64
            // (the oracle's outputs are far off), so Accel refuses it rather than give it a meaning TFLite does not have.
            if (!wide && op != Int16x8Op.FullyConnected)
                throw context.Error($"bias '{bias.Name}' is int32; an int16x8 {(op == Int16x8Op.Conv2D ? "CONV_2D" : "DEPTHWISE_CONV_2D")} needs an int64 bias");
            if (bias.Sparsity is not null) throw context.Error($"bias '{bias.Name}' is sparse; it must be densified first");
            if (bias.Rank != 1 || bias.Dim(0) != channels)
                throw context.Error($"bias '{bias.Name}' must have shape [{channels}] (one value per output channel), has [{string.Join(",", bias.Shape.ToArray())}]");
            if (perTensorFullyConnected)
            {
                var bq = bias.Quantization;
                if (!bq.IsQuantized) throw context.Error($"bias '{bias.Name}' has no quantization scale");
                double productScale = (double)inQ.Scale * scales[0];
                double biasScale = bq.Scale[0];
                if (Math.Abs(productScale - biasScale) > 1e-6 * Math.Min(productScale, biasScale))
                    throw context.Error(
                        $"bias '{bias.Name}' has scale {biasScale:R}; it must equal input scale × weight scale = {productScale:R} (within 1e-6 relative)");
            }
        }
        var rescale = op == Int16x8Op.FullyConnected ? Int16x8Rescale.FullMultiplierSingleRounding : Int16x8Rescale.Reduced16BitMultiplier;
        var multipliers = new QuantizedMultiplier[channels];
        for (int c = 0; c < channels; c++)
        {
            double real = perTensorFullyConnected
                ? (double)(inQ.Scale * scales[c]) / outQ.Scale
                : (double)inQ.Scale * scales[c] / outQ.Scale;
            multipliers[c] = Multiplier(context, real, $"output channel {c}'s multiplier", rescale);
        }
        var (min, max) = QuantizedParams.Activation(context, activation, output, outQ);
        return new Int16ConvParams([.. multipliers], min, max, wide, rescale);
    }

    /// <summary>
    /// ADD / SUB on int16 (add.cc, sub.cc Prepare, general_scale_int16): TFLite's int8 formula with left shift 15 and
    /// all zero points 0. The legacy power-of-two path (pot_scale_int16 = true, the schema's default, which TFLite's
    /// converter sets false for 16x8 models) is not built and refused.
    /// </summary>
    public static QuantizedAddParams Add(KernelContext context, ActivationFunctionType activation, bool potScaleInt16)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = Activation(context, a, "input 1");
        var bq = Activation(context, b, "input 2");
        var oq = Activation(context, output, "output");
        if (potScaleInt16)
            throw context.Error("pot_scale_int16 is set (TFLite's legacy power-of-two int16 path); Accel runs int16 ADD/SUB with general scales only (pot_scale_int16 = false)");
        const int leftShift = 15;
        double twiceMaxInputScale = 2 * Math.Max(aq.Scale, bq.Scale);
        var m1 = QuantizedParams.Multiplier(context, aq.Scale / twiceMaxInputScale, "input 1's multiplier");
        var m2 = QuantizedParams.Multiplier(context, bq.Scale / twiceMaxInputScale, "input 2's multiplier");
        var mo = QuantizedParams.Multiplier(context, twiceMaxInputScale / ((double)(1 << leftShift) * oq.Scale), "the output multiplier");
        var (min, max) = QuantizedParams.Activation(context, activation, output, oq);
        return new QuantizedAddParams(0, 0, 0, leftShift, m1, m2, mo, min, max);
    }

    /// <summary>MUL on int16 (mul.cc Prepare): one multiplier (double)s_a · (double)s_b / (double)s_y, zero points 0.</summary>
    public static QuantizedMulParams Mul(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = Activation(context, a, "input 1");
        var bq = Activation(context, b, "input 2");
        var oq = Activation(context, output, "output");
        var mo = QuantizedParams.Multiplier(context, (double)aq.Scale * bq.Scale / oq.Scale, "the output multiplier");
        var (min, max) = QuantizedParams.Activation(context, activation, output, oq);
        return new QuantizedMulParams(0, 0, 0, mo, min, max);
    }
}

/// <summary>Which int16x8 node <see cref="Int16x8.Convolution"/> prepares (their bias and rescale rules differ).</summary>
internal enum Int16x8Op
{
    Conv2D,
    DepthwiseConv2D,
    FullyConnected,
}
