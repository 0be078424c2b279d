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
public sealed class DepthwiseConv2DKernel : IKernel
{
    private ConvGeometry _geometry;
    private int _depthMultiplier;
    private ActivationRange _activation;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<DepthwiseConv2DOptions>();
        var input = context.Input(0);
        var filter = context.Input(1);
        var bias = context.OptionalInput(2);
        var output = context.Output(0);

        ConvCommon.ExpectFloat32(context, input, "input");
        ConvCommon.ExpectFloat32(context, filter, "filter");
        ConvCommon.ExpectFloat32(context, output, "output");
        ConvCommon.ExpectDense(context, filter, "filter");
        context.ExpectRank(input, 4, "input");
        context.ExpectRank(filter, 4, "filter");
        ConvCommon.ExpectKnownPadding(context, options.Padding);
        ConvCommon.ExpectPositive(context, options.StrideH, "stride_h");
        ConvCommon.ExpectPositive(context, options.StrideW, "stride_w");
        ConvCommon.ExpectPositive(context, options.DilationH, "dilation_h_factor");
        ConvCommon.ExpectPositive(context, options.DilationW, "dilation_w_factor");
        if (filter.Dim(0) != 1)
            throw context.Error($"filter '{filter.Name}' must have shape [1,KH,KW,Cout], has [{ConvCommon.FormatShape(filter.Shape)}]");

        int inputDepth = input.Dim(3);
        int outputDepth = filter.Dim(3);
        if (inputDepth <= 0 || outputDepth % inputDepth != 0)
            throw context.Error(
                $"filter output depth {outputDepth} must be a positive multiple of the input depth {inputDepth} " +
                $"(input [{ConvCommon.FormatShape(input.Shape)}], filter [{ConvCommon.FormatShape(filter.Shape)}])");
        ConvCommon.ExpectBias(context, bias, outputDepth);

        _depthMultiplier = outputDepth / inputDepth;
        _geometry = ConvGeometry.Compute(options.Padding, input, filter, options.StrideH, options.StrideW, options.DilationH, options.DilationW);
        _activation = ActivationRange.For(options.FusedActivation, context);
        context.SetOutputShape(0, [input.Dim(0), _geometry.OutputHeight, _geometry.OutputWidth, outputDepth]);
    }

    public void Invoke(KernelContext context)
    {
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
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int ic = oc / _depthMultiplier;
            int iyOrigin = oy * _geometry.StrideH - _geometry.PadTop;
            int ixOrigin = ox * _geometry.StrideW - _geometry.PadLeft;
            float acc = 0f;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * _geometry.DilationH;
                if (iy < 0 || iy >= inputHeight) continue; // padding contributes nothing
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * _geometry.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    float x = input[((b * inputHeight + iy) * inputWidth + ix) * inputDepth + ic];
                    float w = filter[(ky * filterWidth + kx) * outputDepth + oc];
                    acc = MathF.FusedMultiplyAdd(x, w, acc);
                }
            }
            float value = bias.IsEmpty ? acc : acc + bias[oc];
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = _activation.Apply(value);
        }
    }
}
