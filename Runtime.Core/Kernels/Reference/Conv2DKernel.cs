namespace Accel.Kernels.Reference;

/// <summary>
/// CONV_2D, float32 (docs/numerics.md §Convolutions and matrix products). Mirrors TFLite's
/// <c>tflite::reference_ops::Conv</c> (kernels/internal/reference/conv.h), grouped convolution included:
/// input NHWC [N,H,W,Cin], filter OHWI [Cout,KH,KW,Cin/groups], optional bias [Cout].
/// Each output element is one sequential FMA chain starting at +0 over (ky, kx, ci) in that order, skipping taps
/// outside the input; then one rounded add of the bias; then the fused-activation clamp.
/// </summary>
public sealed class Conv2DKernel : IKernel
{
    private ConvGeometry _geometry;
    private ActivationRange _activation;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(2, 3, 1);
        var options = context.OptionsAs<Conv2DOptions>();
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

        int inputDepth = input.Dim(3);
        int outputDepth = filter.Dim(0);
        int filterDepth = filter.Dim(3);
        // Grouped convolution: the filter covers Cin/groups input channels; TFLite requires an exact division both ways.
        if (filterDepth <= 0 || inputDepth % filterDepth != 0)
            throw context.Error(
                $"filter input depth {filterDepth} (filter shape [{ConvCommon.FormatShape(filter.Shape)}]) must divide " +
                $"the input depth {inputDepth} (input shape [{ConvCommon.FormatShape(input.Shape)}])");
        int groups = inputDepth / filterDepth;
        if (groups <= 0 || outputDepth % groups != 0)
            throw context.Error($"output depth {outputDepth} is not divisible by the group count {groups}");
        ConvCommon.ExpectBias(context, bias, outputDepth);

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
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2), filterDepth = filterTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int groups = inputDepth / filterDepth;
        int filtersPerGroup = outputDepth / groups;

        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int inputChannelBase = oc / filtersPerGroup * filterDepth;
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
                    int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth + inputChannelBase;
                    int filterOffset = ((oc * filterHeight + ky) * filterWidth + kx) * filterDepth;
                    for (int ci = 0; ci < filterDepth; ci++)
                        acc = MathF.FusedMultiplyAdd(input[inputOffset + ci], filter[filterOffset + ci], acc);
                }
            }
            float value = bias.IsEmpty ? acc : acc + bias[oc];
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = _activation.Apply(value);
        }
    }
}
