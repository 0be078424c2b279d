using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// CONV_2D on float32 (Cl/conv.cl): grouped convolution, strides, dilations, SAME/VALID and the clamp activations, all
/// from the definition's <see cref="Conv2DParams"/>; per output the reference's fma chain over (ky, kx, ci) from +0
/// skipping outside taps, then + bias, then the clamp. The OHWI filter is read as it is (no re-packing).
/// </summary>
[OpCodes(BuiltinOperator.Conv2D)]
internal sealed class Conv2DKernel : OpenClKernel<Conv2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Conv2D];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, Conv2DParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.Conv2D(node, p, q, builder);
            return;
        }
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!;
        var g = p.Geometry;
        var args = ConvArgs.Create(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), g.OutputHeight, g.OutputWidth, filter.Dim(0),
            filter.Dim(3), p.FiltersPerGroup, filter.Dim(1), filter.Dim(2), g, p.HasBias, p.Activation);
        ConvArgs.Launch(builder, "conv2d", node, p.HasBias ? node.Inputs[2] : null, args);
    }
}

/// <summary>
/// FULLY_CONNECTED on float32 (Cl/conv.cl's conv2d): the input read as the definition's [batch, K] rows is a 1x1
/// convolution over a [1, 1, batch, K] image with the [units, K] weights as its filter, so each output is the
/// reference's chain acc = fma(x[b, k], w[u, k], acc) for k = 0 … K−1 from +0, then + bias (optional), then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.FullyConnected)]
internal sealed class FullyConnectedKernel : OpenClKernel<FullyConnectedParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.FullyConnected];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, FullyConnectedParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.FullyConnected(node, p, q, builder);
            return;
        }
        var unit = new ConvGeometry(1, 1, 1, 1, 0, 0, 1, p.Batch);
        var args = ConvArgs.Create(1, 1, p.Batch, p.Depth, 1, p.Batch, p.Units, p.Depth, p.Units, 1, 1, unit, p.HasBias, p.Activation);
        ConvArgs.Launch(builder, "conv2d", node, p.HasBias ? node.Inputs[2] : null, args);
    }
}

/// <summary>
/// DEPTHWISE_CONV_2D on float32 (Cl/conv.cl): the reference's per-output fma chain over (ky, kx) from +0 skipping
/// outside taps, then + bias, then the clamp; output channel oc reads input channel oc / multiplier.
/// </summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DKernel : OpenClKernel<DepthwiseConv2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthwiseConv2D];

    public override bool NeedsFma => true;

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override void Build(DelegateNode node, DepthwiseConv2DParams p, OpenClPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.DepthwiseConv2D(node, p, q, builder);
            return;
        }
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!;
        var g = p.Geometry;
        var args = ConvArgs.Create(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), g.OutputHeight, g.OutputWidth, filter.Dim(3),
            p.DepthMultiplier, 1, filter.Dim(1), filter.Dim(2), g, p.HasBias, p.Activation);
        ConvArgs.Launch(builder, "depthwise_conv2d", node, p.HasBias ? node.Inputs[2] : null, args);
    }
}

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias on float32 (Cl/conv.cl): weights OHWI [Cout, KH, KW, Cin], bias
/// [Cout]; strides and padding from the definition. Per output the reference's gather chain: for ky, for kx, when
/// (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) / stride_w are exact and in range, for ci:
/// acc = fma(x, w, acc) from +0; then acc + bias.
/// </summary>
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasKernel : OpenClKernel<TransposeConvBiasParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    public override bool NeedsFma => true;

    protected override void Build(DelegateNode node, TransposeConvBiasParams p, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, weights = node.Inputs[1]!, output = node.Outputs[0];
        var g = new ConvGeometry(p.StrideH, p.StrideW, 1, 1, p.PadTop, p.PadLeft, output.Dim(1), output.Dim(2));
        var args = ConvArgs.Create(input.Dim(0), input.Dim(1), input.Dim(2), input.Dim(3), output.Dim(1), output.Dim(2), weights.Dim(0),
            input.Dim(3), weights.Dim(0), weights.Dim(1), weights.Dim(2), g, true,
            new ActivationRange(float.NegativeInfinity, float.PositiveInfinity));
        ConvArgs.Launch(builder, "transpose_conv_bias", node, node.Inputs[2], args);
    }
}

/// <summary>conv.cl's ConvArgs.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConvArgs
{
    public int N, H, W, C;
    public int OH, OW, OC;
    public int Depth;
    public int FiltersPerGroup;
    public int KH, KW, StrideH, StrideW;
    public int DilationH, DilationW, PadTop, PadLeft;
    public int HasBias;
    public float Lo, Hi;
    public float Zero; // always +0 (see conv.cl)

    public static ConvArgs Create(int n, int h, int w, int c, int oh, int ow, int oc, int depth, int filtersPerGroup, int kh, int kw,
        ConvGeometry g, bool hasBias, ActivationRange activation) => new()
    {
        N = n, H = h, W = w, C = c, OH = oh, OW = ow, OC = oc, Depth = depth, FiltersPerGroup = filtersPerGroup,
        KH = kh, KW = kw, StrideH = g.StrideH, StrideW = g.StrideW, DilationH = g.DilationH, DilationW = g.DilationW,
        PadTop = g.PadTop, PadLeft = g.PadLeft, HasBias = hasBias ? 1 : 0, Lo = activation.Min, Hi = activation.Max, Zero = 0f,
    };

    /// <summary>One work-item per output element: (input, filter, bias or the filter again when there is none, output).</summary>
    public static void Launch(OpenClPartitionBuilder builder, string kernel, DelegateNode node, Tensor? bias, in ConvArgs args)
    {
        var filter = builder.Buffer(node.Inputs[1]!);
        builder.Dispatch(kernel, [builder.Buffer(node.Inputs[0]!), filter, bias is null ? filter : builder.Buffer(bias), builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "conv");
    }
}
