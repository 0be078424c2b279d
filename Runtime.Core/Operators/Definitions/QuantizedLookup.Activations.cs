using Accel.Kernels;
using Accel.Numerics;

namespace Accel.Operators.Definitions;

// The 8-bit activations TFLite runs per element from the input byte alone (activations.cc): TANH and ELU through
// LUTPopulate, RELU / RELU6 / RELU_N1_TO_1 (QuantizedReluX) and LEAKY_RELU (QuantizeLeakyRelu) through a requantizing
// multiply. An 8-bit input has 256 values, so tabulating the integer formula at AllocateTensors is the kernel exactly
// (docs/numerics.md §Quantized execution).
internal static partial class QuantizedLookup
{
    /// <summary>TANH's table: LUTPopulate with SpecMath Tanh (TFLite: std::tanh). No constraint on the output's quantization.</summary>
    public static byte[] Tanh(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        return Table(context.Input(0).Type, inQ, outQ, SpecMath.Tanh);
    }

    /// <summary>ELU's table (int8): LUTPopulate with x &lt; 0 ? Exp(x) − 1 : x — TFLite's exp minus one, not expm1.</summary>
    public static byte[] Elu(KernelContext context)
    {
        var (inQ, outQ) = Quantizations(context);
        return Table(context.Input(0).Type, inQ, outQ, x => x < 0f ? SpecMath.Exp(x) - 1f : x);
    }

    /// <summary>
    /// GELU's table (int8, uint8): LUTPopulate with SpecMath GeluExact or GeluApproximate (TFLite: GeluTransform /
    /// GeluTransformApproximate with std::erfc / std::tanh). No constraint on the output's quantization.
    /// </summary>
    public static byte[] Gelu(KernelContext context, bool approximate)
    {
        var (inQ, outQ) = Quantizations(context);
        return Table(context.Input(0).Type, inQ, outQ, approximate ? SpecMath.GeluApproximate : SpecMath.GeluExact);
    }

    /// <summary>
    /// RELU, RELU6, RELU_N1_TO_1's table (TFLite's QuantizedReluX / reference ReluX): multiplier QuantizeMultiplier(s_x / s_y)
    /// (a binary32 quotient widened to double, as ReluPrepare computes it); clamp bounds max(qmin, z_y + round(lo / s_y)) and
    /// min(qmax, z_y + round(hi / s_y)) (the type's maximum when hi is +∞); y = min(hi', max(lo', z_y + MBQM(v − z_x))).
    /// </summary>
    public static byte[] ReluX(KernelContext context, float low, float high)
    {
        var (inQ, outQ) = Quantizations(context);
        var type = context.Input(0).Type;
        var (min, max) = Quantization.TypeRange(type)!.Value;
        var multiplier = QuantizedParams.Multiplier(context, inQ.Scale / outQ.Scale, "the input-to-output multiplier");
        int clampLow = Math.Max(min, Quantization.QuantizeBound(low, outQ.Scale, outQ.ZeroPoint));
        int clampHigh = float.IsPositiveInfinity(high) ? max : Math.Min(max, Quantization.QuantizeBound(high, outQ.Scale, outQ.ZeroPoint));
        var table = new byte[256];
        for (int v = min; v <= max; v++)
        {
            int y = outQ.ZeroPoint + Quantization.MultiplyByQuantizedMultiplier(v - inQ.ZeroPoint, multiplier);
            y = Math.Max(clampLow, y);
            y = Math.Min(clampHigh, y);   // TFLite's order: the upper bound wins if the bounds cross
            table[(byte)v] = (byte)y;
        }
        return table;
    }

    /// <summary>
    /// LEAKY_RELU's table (TFLite's QuantizeLeakyRelu): identity multiplier QM(s_x / s_y), alpha multiplier
    /// QM(s_x · alpha / s_y), both binary32 expressions widened to double as LeakyReluPrepare computes them (a negative
    /// alpha gives a negative mantissa, as TFLite's QuantizeMultiplier does); x = v − z_x,
    /// y = clamp(z_y + MBQM(x, x ≥ 0 ? identity : alpha)) to the type's range.
    /// </summary>
    public static byte[] LeakyRelu(KernelContext context, float alpha)
    {
        var (inQ, outQ) = Quantizations(context);
        var type = context.Input(0).Type;
        var (min, max) = Quantization.TypeRange(type)!.Value;
        var identity = QuantizedParams.Multiplier(context, inQ.Scale / outQ.Scale, "the identity multiplier");
        var alphaMultiplier = SignedMultiplier(context, inQ.Scale * alpha / outQ.Scale);
        var table = new byte[256];
        for (int v = min; v <= max; v++)
        {
            int x = v - inQ.ZeroPoint;
            int y = outQ.ZeroPoint + Quantization.MultiplyByQuantizedMultiplier(x, x >= 0 ? identity : alphaMultiplier);
            table[(byte)v] = (byte)Math.Clamp(y, min, max);
        }
        return table;
    }

    /// <summary>
    /// TFLite's QuantizeMultiplier for either sign: a negative m keeps the frexp mantissa negative, and a mantissa that
    /// rounds to −2^31 stays −2^31 (TFLite halves only +2^31), so that case has the shift one lower than |m|'s.
    /// </summary>
    internal static QuantizedMultiplier SignedMultiplier(KernelContext context, double real)
    {
        if (!double.IsFinite(real) || Math.Abs(real) >= 2147483648.0)
            throw context.Error($"the alpha multiplier {real} cannot be represented as a quantized multiplier");
        if (real >= 0) return Quantization.QuantizeMultiplier(real);
        var positive = Quantization.QuantizeMultiplier(-real);
        if (positive.Multiplier == 0) return positive;
        bool roundedUpToTwoPow31 = positive.Multiplier == 1 << 30 && -real != Math.ScaleB(0.5, positive.Shift);
        if (!roundedUpToTwoPow31) return new QuantizedMultiplier(-positive.Multiplier, positive.Shift);
        return positive.Shift - 1 < -31 ? new QuantizedMultiplier(0, 0) : new QuantizedMultiplier(int.MinValue, positive.Shift - 1);
    }

    /// <summary>The input's and output's per-tensor quantization, validated.</summary>
    private static (TensorQuantization Input, TensorQuantization Output) Quantizations(KernelContext context) =>
        (QuantizedParams.PerTensor(context, context.Input(0), "input"), QuantizedParams.PerTensor(context, context.Output(0), "output"));

    /// <summary>output byte = table[input byte]: the whole integer kernel of a tabulated 8-bit activation.</summary>
    public static void Apply(ReadOnlySpan<byte> table, ReadOnlySpan<byte> input, Span<byte> output)
    {
        for (int i = 0; i < input.Length; i++) output[i] = table[input[i]];
    }
}
