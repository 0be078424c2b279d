using System.Numerics;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// int8 and uint8 TRANSPOSE_CONV (docs/numerics.md §Quantized execution): TFLite's reference_integer_ops::TransposeConv
/// (int8) and reference_ops::TransposeConv (uint8) scatter (x + input offset)·(w + weights offset) of every input element through every tap into zeroed int32 sums; Accel gathers the same
/// products per output (the taps of <see cref="TransposeConvolution.Gather"/>). An int32 sum is exact modulo 2^32, so
/// the order does not matter and the result is TFLite's bit for bit. Then + bias, the output channel's
/// MultiplyByQuantizedMultiplier, + output zero point, the activation clamp.
/// </summary>
internal static class QuantizedTransposeConv
{
    public static void Gather(KernelContext context, TransposeConvParams p, QuantizedConvParams q)
    {
        if (context.Input(2).Type == TensorType.UInt8) Gather<byte>(context, p, q);
        else Gather<sbyte>(context, p, q);
    }

    private static void Gather<T>(KernelContext context, TransposeConvParams p, QuantizedConvParams q) where T : unmanaged, IBinaryInteger<T>
    {
        var biasTensor = context.OptionalInput(3);
        var element = new EightBitElement<T>(context.Output(0).Write<T>(), biasTensor is null ? default : biasTensor.Read<int>(), q);
        GatherSums<T, T, EightBitElement<T>>(context, p, ref element);
    }

    /// <summary>An integer form's product of one input and one weight and its store of an output's exact sum.</summary>
    internal interface IElement<TInput, TWeight> where TInput : unmanaged where TWeight : unmanaged
    {
        long Product(TInput x, TWeight w);

        void Store(int index, int channel, long sum);
    }

    /// <summary>
    /// The gather the integer forms share (int8/uint8 here, int16x8 in <see cref="Int16x8Kernels.TransposeConv"/>): per
    /// output, sum = Σ Product(x, w) over the taps whose scatter lands on it, exact in int64 (8-bit: TFLite's wrapping
    /// int32 sum is this sum modulo 2^32, which <see cref="EightBitElement{T}"/> takes), then Store.
    /// </summary>
    internal static void GatherSums<TInput, TWeight, TElement>(KernelContext context, TransposeConvParams p, ref TElement element)
        where TInput : unmanaged where TWeight : unmanaged where TElement : struct, IElement<TInput, TWeight>, allows ref struct
    {
        var weightsTensor = context.Input(1);
        var inputTensor = context.Input(2);
        var outputTensor = context.Output(0);
        ReadOnlySpan<TInput> input = inputTensor.Read<TInput>();
        ReadOnlySpan<TWeight> weights = weightsTensor.Read<TWeight>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = weightsTensor.Dim(1), filterWidth = weightsTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        {
            context.ThrowIfCancellationRequested(); // once per output row
            for (int ox = 0; ox < outputWidth; ox++)
            for (int oc = 0; oc < outputDepth; oc++)
            {
                long sum = 0;
                for (int ky = 0; ky < filterHeight; ky++)
                {
                    // The input row whose scatter through tap ky lands on oy: iy * stride_h - pad_top + ky == oy.
                    int rowNumerator = oy + p.PadTop - ky;
                    if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                    int iy = rowNumerator / p.StrideH;
                    if (iy >= inputHeight) continue;
                    for (int kx = 0; kx < filterWidth; kx++)
                    {
                        int colNumerator = ox + p.PadLeft - kx;
                        if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                        int ix = colNumerator / p.StrideW;
                        if (ix >= inputWidth) continue;
                        int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth;
                        int weightsOffset = ((oc * filterHeight + ky) * filterWidth + kx) * inputDepth;
                        for (int ci = 0; ci < inputDepth; ci++)
                            sum += element.Product(input[inputOffset + ci], weights[weightsOffset + ci]);
                    }
                }
                element.Store(((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc, oc, sum);
            }
        }
    }

    /// <summary>int8/uint8: offsets on both operands; the int32 sum + bias (wrapping), the channel's rescale, the clamp.</summary>
    private ref struct EightBitElement<T>(Span<T> output, ReadOnlySpan<int> bias, QuantizedConvParams q) : IElement<T, T>
        where T : unmanaged, IBinaryInteger<T>
    {
        private readonly Span<T> _output = output;
        private readonly ReadOnlySpan<int> _bias = bias;

        public readonly long Product(T x, T w) => (int.CreateTruncating(x) + q.InputOffset) * (int.CreateTruncating(w) + q.FilterOffset);

        public readonly void Store(int index, int channel, long sum)
        {
            int acc = unchecked((int)sum);
            if (!_bias.IsEmpty) acc = unchecked(acc + _bias[channel]);
            int value = Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[channel]) + q.OutputOffset;
            _output[index] = T.CreateTruncating(value < q.ActivationMin ? q.ActivationMin : value > q.ActivationMax ? q.ActivationMax : value);
        }
    }
}
