using System.Collections.Immutable;
using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

/// <summary>A tensor's validated per-tensor affine quantization: real = Scale · (q − ZeroPoint).</summary>
public readonly record struct TensorQuantization(float Scale, int ZeroPoint);

/// <summary>
/// What an integer CONV_2D, DEPTHWISE_CONV_2D or FULLY_CONNECTED runs from (TFLite's OpData after Prepare): the input's
/// offset (−zero point), the filter's offset (−zero point; 0 for symmetric int8 weights), the output's zero point, one
/// multiplier per output channel (per-tensor weights repeat theirs) and the fused activation's clamp in the output's
/// quantized domain.
/// </summary>
public sealed record QuantizedConvParams(int InputOffset, int FilterOffset, int OutputOffset,
    ImmutableArray<QuantizedMultiplier> Multipliers, int ActivationMin, int ActivationMax);

/// <summary>
/// What an integer ADD or SUB runs from (TFLite's add.cc / sub.cc OpData for int8 and uint8): both inputs shifted left by
/// <see cref="LeftShift"/> (20) and rescaled to twice the larger input scale, summed, rescaled to the output.
/// </summary>
public sealed record QuantizedAddParams(int Input1Offset, int Input2Offset, int OutputOffset, int LeftShift,
    QuantizedMultiplier Input1Multiplier, QuantizedMultiplier Input2Multiplier, QuantizedMultiplier OutputMultiplier,
    int ActivationMin, int ActivationMax);

/// <summary>
/// What an int8/uint8 comparison runs from (TFLite's comparisons.cc ComparisonQuantized): each input's offset
/// (−zero point) and its own scale as a multiplier; both are shifted left by <see cref="LeftShift"/> (8) and rescaled
/// to the common unit, then compared as int32.
/// </summary>
public sealed record QuantizedComparisonParams(int Input1Offset, int Input2Offset, int LeftShift,
    QuantizedMultiplier Input1Multiplier, QuantizedMultiplier Input2Multiplier)
{
    /// <summary>Input 1's stored value q as TFLite compares it: MBQM((q + offset) · 2^8, M1).</summary>
    public int Scale1(int q) => Quantization.MultiplyByQuantizedMultiplier((q + Input1Offset) * (1 << LeftShift), Input1Multiplier);

    /// <summary>Input 2's stored value q as TFLite compares it: MBQM((q + offset) · 2^8, M2).</summary>
    public int Scale2(int q) => Quantization.MultiplyByQuantizedMultiplier((q + Input2Offset) * (1 << LeftShift), Input2Multiplier);
}

/// <summary>What an integer MUL runs from (TFLite's mul.cc OpData): offsets, one multiplier in1·in2/out, the clamp.</summary>
public sealed record QuantizedMulParams(int Input1Offset, int Input2Offset, int OutputOffset, QuantizedMultiplier OutputMultiplier,
    int ActivationMin, int ActivationMax);

/// <summary>
/// The checks and multipliers TFLite's Prepare computes for integer kernels (kernel_util.cc: GetQuantizedConvolutionMultipler,
/// PopulateConvolutionQuantizationParams, CalculateActivationRangeQuantized), shared by the definitions.
/// </summary>
internal static class QuantizedParams
{
    /// <summary>The dtypes of quantized activations the integer reference kernels run.</summary>
    public static bool IsQuantizedType(TensorType type) => type is TensorType.Int8 or TensorType.UInt8;

    /// <summary>
    /// A tensor's per-tensor quantization: exactly one finite scale &gt; 0 and a zero point inside the dtype's range;
    /// otherwise a typed error naming the tensor.
    /// </summary>
    public static TensorQuantization PerTensor(KernelContext context, Tensor tensor, string role)
    {
        var q = tensor.Quantization;
        if (!q.IsQuantized)
            throw context.Error($"{role} '{tensor.Name}' ({tensor.Type.ToDisplayName()}) has no quantization parameters");
        if (q.Scale.Length != 1)
            throw context.Error($"{role} '{tensor.Name}' has {q.Scale.Length} scales; it must be quantized per tensor (one scale)");
        float scale = q.Scale[0];
        ExpectScale(context, tensor, role, scale);
        int zeroPoint = ZeroPoint(context, tensor, role, q.ZeroPoint.Length == 0 ? 0 : q.ZeroPoint[0]);
        return new TensorQuantization(scale, zeroPoint);
    }

    private static void ExpectScale(KernelContext context, Tensor tensor, string role, float scale)
    {
        if (!(scale > 0) || !float.IsFinite(scale))
            throw context.Error($"{role} '{tensor.Name}' has scale {scale}; a quantization scale must be finite and > 0");
    }

    private static int ZeroPoint(KernelContext context, Tensor tensor, string role, long zeroPoint)
    {
        var (min, max) = Quantization.TypeRange(tensor.Type)
                         ?? throw context.Error($"{role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}, not an integer quantized type");
        if (zeroPoint < min || zeroPoint > max)
            throw context.Error($"{role} '{tensor.Name}' has zero point {zeroPoint}, outside the {tensor.Type.ToDisplayName()} range [{min}, {max}]");
        return (int)zeroPoint;
    }

    /// <summary>
    /// Weights quantized per tensor (one scale) or per channel along <paramref name="channelAxis"/> (one scale per
    /// channel): the scales, one per output channel, and the common zero point. int8 weights must be symmetric (zero
    /// point 0 in every channel), as TFLite's integer kernels assume; uint8 weights are asymmetric per tensor.
    /// </summary>
    public static (float[] Scales, int ZeroPoint) Weights(KernelContext context, Tensor weights, string role, int channelAxis, int channels)
    {
        var q = weights.Quantization;
        if (!q.IsQuantized)
            throw context.Error($"{role} '{weights.Name}' ({weights.Type.ToDisplayName()}) has no quantization parameters");
        int count = q.Scale.Length;
        if (count != 1)
        {
            if (weights.Type != TensorType.Int8)
                throw context.Error($"{role} '{weights.Name}' has {count} scales; per-channel quantization needs int8 weights");
            if (q.QuantizedDimension != channelAxis)
                throw context.Error($"{role} '{weights.Name}' is quantized along dimension {q.QuantizedDimension}; it must be {channelAxis} (the output channels)");
            if (count != channels)
                throw context.Error($"{role} '{weights.Name}' has {count} per-channel scales for {channels} output channels");
        }
        if (q.ZeroPoint.Length != 0 && q.ZeroPoint.Length != count)
            throw context.Error($"{role} '{weights.Name}' has {count} scales but {q.ZeroPoint.Length} zero points");
        foreach (float s in q.Scale) ExpectScale(context, weights, role, s);
        int zeroPoint = ZeroPoint(context, weights, role, q.ZeroPoint.Length == 0 ? 0 : q.ZeroPoint[0]);
        for (int i = 1; i < q.ZeroPoint.Length; i++)
            if (q.ZeroPoint[i] != zeroPoint)
                throw context.Error($"{role} '{weights.Name}' has differing per-channel zero points; they must all be 0");
        if (weights.Type == TensorType.Int8 && zeroPoint != 0)
            throw context.Error($"{role} '{weights.Name}' is int8 with zero point {zeroPoint}; int8 weights must be symmetric (zero point 0)");
        var scales = new float[channels];
        for (int c = 0; c < channels; c++) scales[c] = q.Scale[count == 1 ? 0 : c];
        return (scales, zeroPoint);
    }

    /// <summary>
    /// The fused activation's clamp in the output's quantized domain; TANH and SIGN_BIT are refused as TFLite refuses them.
    /// </summary>
    public static (int Min, int Max) Activation(KernelContext context, ActivationFunctionType activation, Tensor output, TensorQuantization q)
    {
        var (typeMin, typeMax) = Quantization.TypeRange(output.Type)!.Value;
        return Quantization.ActivationRange(activation, q.Scale, q.ZeroPoint, typeMin, typeMax)
               ?? throw context.Error($"fused activation {activation} is not supported for {output.Type.ToDisplayName()} outputs");
    }

    /// <summary>A multiplier from its real value, refusing what no 32-bit mantissa and shift can hold.</summary>
    public static QuantizedMultiplier Multiplier(KernelContext context, double real, string what)
    {
        if (!double.IsFinite(real) || real < 0 || real >= 2147483648.0)
            throw context.Error($"{what} {real} cannot be represented as a quantized multiplier");
        return Quantization.QuantizeMultiplier(real);
    }

    /// <summary>
    /// The quantized params of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED: input, weights (per channel along
    /// <paramref name="weightsChannelAxis"/> or per tensor), int32 bias and output of the input's dtype; the multiplier
    /// of channel c is (double)input scale × (double)weight scale[c] / (double)output scale. With
    /// <paramref name="checkBiasScale"/> (TFLite: per-tensor FULLY_CONNECTED, uint8 convolutions) the bias scale must equal
    /// input scale × weight scale within 1e-6 relative.
    /// </summary>
    public static QuantizedConvParams Convolution(KernelContext context, Tensor input, Tensor weights, Tensor? bias, Tensor output,
        ActivationFunctionType activation, int weightsChannelAxis, int channels, bool checkBiasScale)
    {
        if (!IsQuantizedType(input.Type))
            throw context.Error($"input '{input.Name}' is {input.Type.ToDisplayName()}; the integer kernels take int8 or uint8");
        context.ExpectType(output, input.Type, "output");
        context.ExpectType(weights, input.Type, "weights");
        var inQ = PerTensor(context, input, "input");
        var outQ = PerTensor(context, output, "output");
        var (scales, weightsZeroPoint) = Weights(context, weights, "weights", weightsChannelAxis, channels);
        if (bias is not null)
        {
            context.ExpectType(bias, TensorType.Int32, "bias");
            if (bias.Sparsity is not null) throw context.Error($"bias '{bias.Name}' is sparse; it must be densified first");
            if (bias.Rank != 1 || bias.Dim(0) != channels)
                throw context.Error($"bias '{bias.Name}' must have shape [{channels}] (one value per output channel), has [{string.Join(",", bias.Shape.ToArray())}]");
            if (checkBiasScale)
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
        var multipliers = new QuantizedMultiplier[channels];
        for (int c = 0; c < channels; c++)
            multipliers[c] = Multiplier(context, (double)inQ.Scale * scales[c] / outQ.Scale, $"output channel {c}'s multiplier");
        var (min, max) = Activation(context, activation, output, outQ);
        return new QuantizedConvParams(-inQ.ZeroPoint, -weightsZeroPoint, outQ.ZeroPoint, [.. multipliers], min, max);
    }

    /// <summary>ADD / SUB's integer params (add.cc, sub.cc Prepare for int8 and uint8: left shift 20).</summary>
    public static QuantizedAddParams Add(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = PerTensor(context, a, "input 1");
        var bq = PerTensor(context, b, "input 2");
        var oq = PerTensor(context, output, "output");
        const int leftShift = 20;
        // 2·max(s1, s2) is exact in float; the ratios are taken in double, as TFLite does.
        double twiceMaxInputScale = 2 * Math.Max(aq.Scale, bq.Scale);
        var m1 = Multiplier(context, aq.Scale / twiceMaxInputScale, "input 1's multiplier");
        var m2 = Multiplier(context, bq.Scale / twiceMaxInputScale, "input 2's multiplier");
        var mo = Multiplier(context, twiceMaxInputScale / ((double)(1 << leftShift) * oq.Scale), "the output multiplier");
        var (min, max) = Activation(context, activation, output, oq);
        return new QuantizedAddParams(-aq.ZeroPoint, -bq.ZeroPoint, oq.ZeroPoint, leftShift, m1, m2, mo, min, max);
    }

    /// <summary>
    /// SQUARED_DIFFERENCE's int8 params (squared_difference.cc Prepare): left shift 7; t = 2·max(s1, s2);
    /// M1 = QM(s1 / t), M2 = QM(s2 / t), M_out = QM(t² / (2^14 · s_out)), all in double; clamp to [−128, 127]. TFLite's
    /// QuantizeMultiplierSmallerThanOneExp aborts on a multiplier ≥ 1: refused here with a typed error.
    /// </summary>
    public static QuantizedAddParams SquaredDifference(KernelContext context)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = PerTensor(context, a, "input 1");
        var bq = PerTensor(context, b, "input 2");
        var oq = PerTensor(context, output, "output");
        const int leftShift = 7;
        double twiceMaxInputScale = 2 * Math.Max(aq.Scale, bq.Scale);
        var m1 = Multiplier(context, aq.Scale / twiceMaxInputScale, "input 1's multiplier");
        var m2 = Multiplier(context, bq.Scale / twiceMaxInputScale, "input 2's multiplier");
        double outputReal = twiceMaxInputScale * twiceMaxInputScale / ((double)(1 << (2 * leftShift)) * oq.Scale);
        if (!(outputReal < 1))
            throw context.Error(
                $"output '{output.Name}' has scale {oq.Scale}: SQUARED_DIFFERENCE's output multiplier (2·max(s1, s2))² / (2^14 · s_out) = {outputReal:R} " +
                "must be below 1 (TFLite's QuantizeMultiplierSmallerThanOneExp)");
        var mo = Multiplier(context, outputReal, "the output multiplier");
        return new QuantizedAddParams(-aq.ZeroPoint, -bq.ZeroPoint, oq.ZeroPoint, leftShift, m1, m2, mo, sbyte.MinValue, sbyte.MaxValue);
    }

    /// <summary>
    /// A comparison's int8/uint8 params (comparisons.cc ComparisonQuantized): left shift 8, each input's multiplier
    /// QM(its scale) (a binary32 scale widened to double). TFLite takes a scale ≥ 1 through a right shift by a negative
    /// amount (undefined; older versions abort): refused here with a typed error naming the input.
    /// </summary>
    public static QuantizedComparisonParams Comparison(KernelContext context)
    {
        var (a, b) = (context.Input(0), context.Input(1));
        var aq = PerTensor(context, a, "input 1");
        var bq = PerTensor(context, b, "input 2");
        foreach (var (tensor, q, role) in new[] { (a, aq, "input 1"), (b, bq, "input 2") })
            if (!(q.Scale < 1))
                throw context.Error($"{role} '{tensor.Name}' has scale {q.Scale}; a quantized comparison needs scales below 1 (TFLite rescales by a right shift)");
        return new QuantizedComparisonParams(-aq.ZeroPoint, -bq.ZeroPoint, 8,
            Multiplier(context, aq.Scale, "input 1's multiplier"), Multiplier(context, bq.Scale, "input 2's multiplier"));
    }

    /// <summary>
    /// DIV's int8/uint8 params (div.cc Prepare): M = QM((double)(s1 / (s2 · s_out))) — the product and quotient in
    /// binary32, as TFLite computes them from float scales; the fused activation's clamp. A multiplier whose shift
    /// exceeds 23 would make TFLite's final rounding shift negative (undefined) for some numerator: refused.
    /// </summary>
    public static QuantizedMulParams Divide(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = PerTensor(context, a, "input 1");
        var bq = PerTensor(context, b, "input 2");
        var oq = PerTensor(context, output, "output");
        return Divide(context, activation, aq, bq, oq);
    }

    /// <summary>DIV's params from its tensors' quantization (shared by the 8-bit and int16 forms).</summary>
    internal static QuantizedMulParams Divide(KernelContext context, ActivationFunctionType activation,
        TensorQuantization aq, TensorQuantization bq, TensorQuantization oq)
    {
        var mo = Multiplier(context, aq.Scale / (bq.Scale * oq.Scale), "DIV's output multiplier s1 / (s2 · s_out)");
        if (mo.Shift > 23)
            throw context.Error($"DIV's output multiplier {mo.ToDouble():R} (s1 / (s2 · s_out)) is too large: at most 2^23 keeps TFLite's rounding shift defined");
        var (min, max) = Activation(context, activation, context.Output(0), oq);
        return new QuantizedMulParams(-aq.ZeroPoint, -bq.ZeroPoint, oq.ZeroPoint, mo, min, max);
    }

    /// <summary>MUL's integer params (mul.cc Prepare: one multiplier in1 scale · in2 scale / out scale, in double).</summary>
    public static QuantizedMulParams Mul(KernelContext context, ActivationFunctionType activation)
    {
        var (a, b, output) = (context.Input(0), context.Input(1), context.Output(0));
        var aq = PerTensor(context, a, "input 1");
        var bq = PerTensor(context, b, "input 2");
        var oq = PerTensor(context, output, "output");
        var mo = Multiplier(context, (double)aq.Scale * bq.Scale / oq.Scale, "the output multiplier");
        var (min, max) = Activation(context, activation, output, oq);
        return new QuantizedMulParams(-aq.ZeroPoint, -bq.ZeroPoint, oq.ZeroPoint, mo, min, max);
    }
}
