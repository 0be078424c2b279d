using System.Buffers.Binary;

namespace Accel.Kernels.Reference;

/// <summary>
/// MediaPipe's custom operator <c>Convolution2DTransposeBias</c>, float32 (docs/numerics.md §Convolutions and matrix
/// products). Semantics (output size, padding) follow mediapipe/util/tflite/operations/transpose_conv_bias.cc, which
/// is TFLite's reference TransposeConv with the bias folded in:
/// inputs 0 = input NHWC [N,H,W,Cin], 1 = weights OHWI [Cout,KH,KW,Cin], 2 = bias [Cout]; custom options are the
/// 12-byte <c>TfLiteTransposeConvParams</c> {int32 padding (1 SAME, 2 VALID, 0 unknown = no padding), int32
/// stride_width, int32 stride_height}. No fused activation.
/// MediaPipe scatters (each input element adds into the outputs it reaches, starting from the bias); Accel gathers
/// instead, so each output is one sequential FMA chain: for ky, for kx, if (oy + pad_top - ky) / stride_h and
/// (ox + pad_left - kx) / stride_w are exact and in range, for ci: acc = fma(in, w, acc); then acc + bias.
/// Results therefore differ from MediaPipe by rounding only.
/// </summary>
public sealed class TransposeConvBiasKernel : IKernel
{
    /// <summary>sizeof(TfLiteTransposeConvParams): three int32s.</summary>
    public const int CustomOptionsLength = 12;

    private const int PaddingUnknown = 0, PaddingSame = 1, PaddingValid = 2;

    private int _strideH, _strideW;
    private int _padTop, _padLeft;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(3, 3, 1);
        var input = context.Input(0);
        var weights = context.Input(1);
        var bias = context.Input(2);
        var output = context.Output(0);

        ReadOnlySpan<byte> options = context.CustomOptions.Span;
        if (options.Length != CustomOptionsLength)
            throw context.Error(
                $"custom options must be {CustomOptionsLength} bytes (TfLiteTransposeConvParams: padding, stride_width, " +
                $"stride_height as int32), got {options.Length}");
        int padding = BinaryPrimitives.ReadInt32LittleEndian(options);
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(options[4..]);
        int strideH = BinaryPrimitives.ReadInt32LittleEndian(options[8..]);
        if (padding is not (PaddingUnknown or PaddingSame or PaddingValid))
            throw context.Error($"padding {padding} in custom options is not a TfLitePadding value (0 unknown, 1 SAME, 2 VALID)");
        ConvCommon.ExpectPositive(context, strideH, "stride_height");
        ConvCommon.ExpectPositive(context, strideW, "stride_width");

        ConvCommon.ExpectFloat32(context, input, "input");
        ConvCommon.ExpectFloat32(context, weights, "weights");
        ConvCommon.ExpectFloat32(context, output, "output");
        ConvCommon.ExpectDense(context, weights, "weights");
        context.ExpectRank(input, 4, "input");
        context.ExpectRank(weights, 4, "weights");
        if (weights.Dim(3) != input.Dim(3))
            throw context.Error(
                $"weights input depth {weights.Dim(3)} (weights [{ConvCommon.FormatShape(weights.Shape)}]) must equal the " +
                $"input depth {input.Dim(3)} (input [{ConvCommon.FormatShape(input.Shape)}])");
        ConvCommon.ExpectBias(context, bias, weights.Dim(0));
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0)
            throw context.Error($"input '{input.Name}' must have positive height and width, has [{ConvCommon.FormatShape(input.Shape)}]");

        int filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        // MediaPipe's Prepare: total padding only for SAME, output = stride*(in-1) + filter - total, leading half floored.
        int totalPadH = padding == PaddingSame ? Math.Max(0, filterHeight - (inputHeight - 1) % strideH - 1) : 0;
        int totalPadW = padding == PaddingSame ? Math.Max(0, filterWidth - (inputWidth - 1) % strideW - 1) : 0;
        int outputHeight = strideH * (inputHeight - 1) + filterHeight - totalPadH;
        int outputWidth = strideW * (inputWidth - 1) + filterWidth - totalPadW;

        _strideH = strideH;
        _strideW = strideW;
        _padTop = totalPadH / 2;
        _padLeft = totalPadW / 2;
        context.SetOutputShape(0, [input.Dim(0), outputHeight, outputWidth, weights.Dim(0)]);
    }

    public void Invoke(KernelContext context)
    {
        var inputTensor = context.Input(0);
        var weightsTensor = context.Input(1);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<float> weights = weightsTensor.Read<float>();
        ReadOnlySpan<float> bias = context.Input(2).Read<float>();
        Span<float> output = outputTensor.Write<float>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2);
        int inputDepth = inputTensor.Dim(3);
        int filterHeight = weightsTensor.Dim(1), filterWidth = weightsTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);

        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            float acc = 0f;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                // The input row whose scatter through tap ky lands on oy: iy * stride_h - pad_top + ky == oy.
                int rowNumerator = oy + _padTop - ky;
                if (rowNumerator < 0 || rowNumerator % _strideH != 0) continue;
                int iy = rowNumerator / _strideH;
                if (iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int colNumerator = ox + _padLeft - kx;
                    if (colNumerator < 0 || colNumerator % _strideW != 0) continue;
                    int ix = colNumerator / _strideW;
                    if (ix >= inputWidth) continue;
                    int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth;
                    int weightsOffset = ((oc * filterHeight + ky) * filterWidth + kx) * inputDepth;
                    for (int ci = 0; ci < inputDepth; ci++)
                        acc = MathF.FusedMultiplyAdd(input[inputOffset + ci], weights[weightsOffset + ci], acc);
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = acc + bias[oc];
        }
    }
}
