
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
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasKernel : ReferenceKernel<TransposeConvBiasParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    protected override void Invoke(KernelContext context, TransposeConvBiasParams p)
    {
        var inputTensor = context.Input(0);
        var weightsTensor = context.Input(1);
        var outputTensor = context.Output(0);
        // No fused activation: the NONE clamp passes every value (NaN included) unchanged.
        TransposeConvolution.Gather(context, inputTensor.Read<float>(), inputTensor.Shape, weightsTensor.Read<float>(), weightsTensor.Shape,
            context.Input(2).Read<float>(), outputTensor.Write<float>(), outputTensor.Shape, p.StrideH, p.StrideW, p.PadTop, p.PadLeft,
            new ActivationRange(float.NegativeInfinity, float.PositiveInfinity));
    }
}
