
using Accel.Operators.Definitions;

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
internal sealed class TransposeConvBiasKernel : ReferenceKernel<TransposeConvBiasParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    protected override void Invoke(KernelContext context, TransposeConvBiasParams p)
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
                        acc = MathF.FusedMultiplyAdd(input[inputOffset + ci], weights[weightsOffset + ci], acc);
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = acc + bias[oc];
        }
    }
}
