namespace Accel.Kernels.Reference;

/// <summary>
/// The gather form of a transposed convolution (docs/numerics.md §Convolutions), shared by TRANSPOSE_CONV and
/// MediaPipe's Convolution2DTransposeBias: input NHWC [N,H,W,Cin], weights OHWI [Cout,KH,KW,Cin], output
/// [N,OH,OW,Cout]. Output row oy gathers input row iy through tap ky where iy·strideH − padTop + ky = oy (likewise
/// columns), so each output is one sequential FMA chain from +0 over (ky, kx, ci), then + bias (when present), then
/// the clamp.
/// </summary>
internal static class TransposeConvolution
{
    public static void Gather(KernelContext context, ReadOnlySpan<float> input, ReadOnlySpan<int> inputShape, ReadOnlySpan<float> weights,
        ReadOnlySpan<int> weightsShape, ReadOnlySpan<float> bias, Span<float> output, ReadOnlySpan<int> outputShape,
        int strideH, int strideW, int padTop, int padLeft, ActivationRange activation)
    {
        int batches = inputShape[0], inputHeight = inputShape[1], inputWidth = inputShape[2], inputDepth = inputShape[3];
        int filterHeight = weightsShape[1], filterWidth = weightsShape[2];
        int outputHeight = outputShape[1], outputWidth = outputShape[2], outputDepth = outputShape[3];

        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        {
            context.ThrowIfCancellationRequested(); // once per output row
            for (int ox = 0; ox < outputWidth; ox++)
            for (int oc = 0; oc < outputDepth; oc++)
            {
                float acc = 0f;
                for (int ky = 0; ky < filterHeight; ky++)
                {
                    // The input row whose scatter through tap ky lands on oy: iy * stride_h - pad_top + ky == oy.
                    int rowNumerator = oy + padTop - ky;
                    if (rowNumerator < 0 || rowNumerator % strideH != 0) continue;
                    int iy = rowNumerator / strideH;
                    if (iy >= inputHeight) continue;
                    for (int kx = 0; kx < filterWidth; kx++)
                    {
                        int colNumerator = ox + padLeft - kx;
                        if (colNumerator < 0 || colNumerator % strideW != 0) continue;
                        int ix = colNumerator / strideW;
                        if (ix >= inputWidth) continue;
                        int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth;
                        int weightsOffset = ((oc * filterHeight + ky) * filterWidth + kx) * inputDepth;
                        for (int ci = 0; ci < inputDepth; ci++)
                            acc = MathF.FusedMultiplyAdd(input[inputOffset + ci], weights[weightsOffset + ci], acc);
                    }
                }
                float value = bias.IsEmpty ? acc : acc + bias[oc];
                output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = activation.Apply(value);
            }
        }
    }
}
