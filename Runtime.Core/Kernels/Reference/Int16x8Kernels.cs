using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// The int16x8 paths of the reference kernels (docs/numerics.md §Quantized execution, int16x8): TFLite's
/// reference_integer_ops ConvPerChannel, DepthwiseConvPerChannel and FullyConnected(PerChannel) for int16 activations,
/// int8 weights and an int64 (or int32) bias. Every activation zero point is 0, so a sum is Σ w · x with no offsets;
/// an exact integer sum has no order. The rescale is <see cref="Requantize"/>.
/// </summary>
internal static class Int16x8Kernels
{
    /// <summary>
    /// sum (exact, in int64) + bias → the channel's rescale (<see cref="Int16x8Rescale"/>), clamped. An int32 bias means
    /// TFLite's int32 accumulator, so the sum is first taken modulo 2^32 (wrapping, as the C++ int32 sum does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static short Requantize(long sum, long bias, Int16ConvParams q, int channel)
    {
        var m = q.Multipliers[channel];
        long x = q.WideBias ? sum + bias : unchecked((int)(sum + bias));
        int scaled = q.Rescale switch
        {
            Int16x8Rescale.Reduced16BitMultiplier => Quantization.MultiplyByQuantizedMultiplier(x, m),
            Int16x8Rescale.Int32DoubleRounding => Quantization.MultiplyByQuantizedMultiplier(unchecked((int)x), m),
            _ => Quantization.MultiplyByQuantizedMultiplierSingleRounding(x, m),
        };
        return (short)Math.Clamp(scaled, q.ActivationMin, q.ActivationMax);
    }

    /// <summary>Bias of channel c as a long (int64 or int32 tensor), 0 without bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Bias(ReadOnlySpan<long> wide, ReadOnlySpan<int> narrow, int c) =>
        !wide.IsEmpty ? wide[c] : !narrow.IsEmpty ? narrow[c] : 0;

    private static ReadOnlySpan<long> WideBias(Tensor? bias) => bias is { Type: TensorType.Int64 } ? bias.Read<long>() : default;

    private static ReadOnlySpan<int> NarrowBias(Tensor? bias) => bias is { Type: TensorType.Int32 } ? bias.Read<int>() : default;

    /// <summary>CONV_2D (grouped included): Σ over in-bounds taps of w · x (padding taps are skipped: they are 0).</summary>
    public static void Conv2D(KernelContext context, Conv2DParams p, Int16ConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = outputTensor.Write<short>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2), filterDepth = filterTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int inputChannelBase = oc / p.FiltersPerGroup * filterDepth;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            long acc = 0;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth + inputChannelBase;
                    int filterOffset = ((oc * filterHeight + ky) * filterWidth + kx) * filterDepth;
                    for (int ci = 0; ci < filterDepth; ci++)
                        acc += filter[filterOffset + ci] * input[inputOffset + ci];
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, Bias(biasWide, biasNarrow, oc), q, oc);
        }
    }

    /// <summary>DEPTHWISE_CONV_2D: output channel oc reads input channel oc / depth multiplier; CONV_2D's sum and rescale.</summary>
    public static void DepthwiseConv2D(KernelContext context, DepthwiseConv2DParams p, Int16ConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = outputTensor.Write<short>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int ic = oc / p.DepthMultiplier;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            long acc = 0;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    acc += filter[(ky * filterWidth + kx) * outputDepth + oc] * input[((b * inputHeight + iy) * inputWidth + ix) * inputDepth + ic];
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, Bias(biasWide, biasNarrow, oc), q, oc);
        }
    }

    /// <summary>FULLY_CONNECTED: Σ_k w[u, k] · x[b, k], + bias, the unit's rescale.</summary>
    public static void FullyConnected(KernelContext context, FullyConnectedParams p, Int16ConvParams q)
    {
        ReadOnlySpan<short> input = context.Input(0).Read<short>();
        ReadOnlySpan<sbyte> weights = context.Input(1).Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = context.Output(0).Write<short>();
        for (int b = 0; b < p.Batch; b++)
        for (int u = 0; u < p.Units; u++)
        {
            long acc = 0;
            for (int k = 0; k < p.Depth; k++)
                acc += weights[u * p.Depth + k] * input[b * p.Depth + k];
            output[b * p.Units + u] = Requantize(acc, Bias(biasWide, biasNarrow, u), q, u);
        }
    }
}
