namespace Accel.Kernels.Reference;

/// <summary>Shape checks shared by the convolution and matrix-product kernels (Prepare only).</summary>
internal static class ConvCommon
{
    /// <summary>Rejects any dtype but float32 with a message naming the tensor, its role and its dtype.</summary>
    public static void ExpectFloat32(KernelContext context, Tensor tensor, string role)
    {
        if (tensor.Type != TensorType.Float32)
            throw context.Error(
                $"{role} '{tensor.Name}' is {tensor.Type.ToDisplayName()}; only float32 is supported by this kernel " +
                "(constant float16 weights must be widened by a DEQUANTIZE first)");
    }

    /// <summary>Rejects weights stored sparsely: they must go through DENSIFY first.</summary>
    public static void ExpectDense(KernelContext context, Tensor tensor, string role)
    {
        if (tensor.Sparsity is not null)
            throw context.Error($"{role} '{tensor.Name}' is sparse; sparse weights must be densified by a DENSIFY node first");
    }

    /// <summary>Checks that a stride or dilation factor is positive.</summary>
    public static void ExpectPositive(KernelContext context, int value, string name)
    {
        if (value <= 0) throw context.Error($"{name} must be positive, is {value}");
    }

    /// <summary>Checks an optional bias: float32, rank 1, one value per output channel.</summary>
    public static void ExpectBias(KernelContext context, Tensor? bias, int outputChannels)
    {
        if (bias is null) return;
        ExpectFloat32(context, bias, "bias");
        ExpectDense(context, bias, "bias");
        if (bias.Rank != 1 || bias.Dim(0) != outputChannels)
            throw context.Error(
                $"bias '{bias.Name}' must have shape [{outputChannels}] (one value per output channel), has [{FormatShape(bias.Shape)}]");
    }

    /// <summary>Only SAME and VALID exist in the schema; anything else is a malformed model.</summary>
    public static void ExpectKnownPadding(KernelContext context, Padding padding)
    {
        if (padding is not (Padding.Same or Padding.Valid))
            throw context.Error($"padding {(int)padding} is neither SAME nor VALID");
    }

    /// <summary>
    /// What CONV_2D and DEPTHWISE_CONV_2D require alike: float32 NHWC input, a dense rank-4 float32 filter, a float32
    /// output, SAME or VALID padding, positive strides and dilations.
    /// </summary>
    public static void ExpectSlidingWindow(KernelContext context, Tensor input, Tensor filter, Tensor output, Padding padding,
        int strideH, int strideW, int dilationH, int dilationW)
    {
        // Hybrid nodes (float32 input, int8 filter): the definition checks them (HybridWeights).
        if (!Accel.Operators.Definitions.QuantizedParams.IsQuantizedType(input.Type) && input.Type != TensorType.Int16
            && !Accel.Operators.Definitions.HybridWeights.IsHybrid(input, filter))
        {
            // Integer nodes: QuantizedParams.Convolution (int16x8: Int16x8.Convolution) checks the dtypes and quantization.
            ExpectFloat32(context, input, "input");
            ExpectFloat32(context, filter, "filter");
            ExpectFloat32(context, output, "output");
        }
        ExpectDense(context, filter, "filter");
        context.ExpectRank(input, 4, "input");
        context.ExpectRank(filter, 4, "filter");
        ExpectKnownPadding(context, padding);
        ExpectPositive(context, strideH, "stride_h");
        ExpectPositive(context, strideW, "stride_w");
        ExpectPositive(context, dilationH, "dilation_h_factor");
        ExpectPositive(context, dilationW, "dilation_w_factor");
    }

    public static string FormatShape(ReadOnlySpan<int> shape) => string.Join(",", shape.ToArray());
}

/// <summary>
/// The sliding-window geometry CONV_2D and DEPTHWISE_CONV_2D share: strides, dilations, leading padding and output
/// size, computed once with TFLite's padding rules (<see cref="SpatialPadding"/>), overflow-checked: every offset
/// (oy*StrideH − PadTop + ky*DilationH, ox*StrideW − PadLeft + kx*DilationW) fits an int.
/// </summary>
public readonly record struct ConvGeometry(
    int StrideH, int StrideW, int DilationH, int DilationW, int PadTop, int PadLeft, int OutputHeight, int OutputWidth)
{
    /// <summary>The geometry of an NHWC input and a [*, KH, KW, *] filter; a typed error naming the node when it overflows.</summary>
    public static ConvGeometry Compute(KernelContext context, Padding padding, Tensor input, Tensor filter,
        int strideH, int strideW, int dilationH, int dilationW)
    {
        var rows = SpatialPadding.Compute(context, "height", padding, input.Dim(1), filter.Dim(1), strideH, dilationH);
        var cols = SpatialPadding.Compute(context, "width", padding, input.Dim(2), filter.Dim(2), strideW, dilationW);
        return new ConvGeometry(strideH, strideW, dilationH, dilationW, rows.PadBefore, cols.PadBefore, rows.OutputSize, cols.OutputSize);
    }
}
