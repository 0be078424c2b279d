using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// CONV_2D, float32 (docs/numerics.md §Convolutions and matrix products). Mirrors TFLite's
/// <c>tflite::reference_ops::Conv</c> (kernels/internal/reference/conv.h), grouped convolution included:
/// input NHWC [N,H,W,Cin], filter OHWI [Cout,KH,KW,Cin/groups], optional bias [Cout].
/// Each output element is one sequential FMA chain starting at +0 over (ky, kx, ci) in that order, skipping taps
/// outside the input; then one rounded add of the bias; then the fused-activation clamp.
/// </summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DKernel : ReferenceKernel<Conv2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Conv2D];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Conv2D).Types;

    protected override void Invoke(KernelContext context, Conv2DParams p)
    {
        if (p.Hybrid is { } h)
        {
            if (h.PerChannel) HybridKernels.Conv2D(context, p, h);
            else HybridKernels.Conv2DPerTensor(context, p, h);
            return;
        }
        if (p.Int16 is { } q16)
        {
            Int16x8Kernels.Conv2D(context, p, q16);
            return;
        }
        if (p.Quantized is { } q)
        {
            QuantizedKernels.Conv2D(context, p, q);
            return;
        }
        var geometry = p.Geometry;
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
        {
            context.ThrowIfCancellationRequested(); // once per output row
            for (int ox = 0; ox < outputWidth; ox++)
            for (int oc = 0; oc < outputDepth; oc++)
            {
                int inputChannelBase = oc / filtersPerGroup * filterDepth;
                int iyOrigin = oy * geometry.StrideH - geometry.PadTop;
                int ixOrigin = ox * geometry.StrideW - geometry.PadLeft;
                float acc = 0f;
                for (int ky = 0; ky < filterHeight; ky++)
                {
                    int iy = iyOrigin + ky * geometry.DilationH;
                    if (iy < 0 || iy >= inputHeight) continue; // padding contributes nothing
                    for (int kx = 0; kx < filterWidth; kx++)
                    {
                        int ix = ixOrigin + kx * geometry.DilationW;
                        if (ix < 0 || ix >= inputWidth) continue;
                        int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth + inputChannelBase;
                        int filterOffset = ((oc * filterHeight + ky) * filterWidth + kx) * filterDepth;
                        for (int ci = 0; ci < filterDepth; ci++)
                            acc = MathF.FusedMultiplyAdd(input[inputOffset + ci], filter[filterOffset + ci], acc);
                    }
                }
                float value = bias.IsEmpty ? acc : acc + bias[oc];
                output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = p.Activation.Apply(value);
            }
        }
    }
}
