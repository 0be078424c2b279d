using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// DEPTHWISE_CONV_2D, float32 (docs/numerics.md §Convolutions and matrix products). Mirrors TFLite's
/// <c>tflite::reference_ops::DepthwiseConv</c> (kernels/internal/reference/depthwiseconv_float.h):
/// input NHWC [N,H,W,Cin], filter [1,KH,KW,Cout] with Cout = Cin × depth_multiplier, optional bias [Cout].
/// Output channel oc reads input channel oc / depth_multiplier. Each output element is one sequential FMA chain
/// starting at +0 over (ky, kx), skipping taps outside the input; then + bias; then the activation clamp.
/// As in TFLite's Eval (ComputeDepthMultiplier), the multiplier is derived from the shapes (Cout / Cin); the
/// option field is not trusted, since some converters leave it 0 or stale.
/// </summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DKernel : ReferenceKernel<DepthwiseConv2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthwiseConv2D];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.DepthwiseConv2D).Types;

    protected override void Invoke(KernelContext context, DepthwiseConv2DParams p)
    {
        if (p.Hybrid is { } h)
        {
            HybridKernels.DepthwiseConv2D(context, p, h);
            return;
        }
        if (p.Int16 is { } q16)
        {
            Int16x8Kernels.DepthwiseConv2D(context, p, q16);
            return;
        }
        if (p.Quantized is { } q)
        {
            QuantizedKernels.DepthwiseConv2D(context, p, q);
            return;
        }
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<float> filter = filterTensor.Read<float>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2);
        int inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);

        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        {
            context.ThrowIfCancellationRequested(); // once per output row
            for (int ox = 0; ox < outputWidth; ox++)
            for (int oc = 0; oc < outputDepth; oc++)
            {
                int ic = oc / p.DepthMultiplier;
                int iyOrigin = oy * p.Geometry.StrideH - p.Geometry.PadTop;
                int ixOrigin = ox * p.Geometry.StrideW - p.Geometry.PadLeft;
                float acc = 0f;
                for (int ky = 0; ky < filterHeight; ky++)
                {
                    int iy = iyOrigin + ky * p.Geometry.DilationH;
                    if (iy < 0 || iy >= inputHeight) continue; // padding contributes nothing
                    for (int kx = 0; kx < filterWidth; kx++)
                    {
                        int ix = ixOrigin + kx * p.Geometry.DilationW;
                        if (ix < 0 || ix >= inputWidth) continue;
                        float x = input[((b * inputHeight + iy) * inputWidth + ix) * inputDepth + ic];
                        float w = filter[(ky * filterWidth + kx) * outputDepth + oc];
                        acc = MathF.FusedMultiplyAdd(x, w, acc);
                    }
                }
                float value = bias.IsEmpty ? acc : acc + bias[oc];
                output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = p.Activation.Apply(value);
            }
        }
    }
}
