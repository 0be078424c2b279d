using Accel.Kernels.Reference;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// CONV_2D (grouped when the filter covers fewer channels than the input) and DEPTHWISE_CONV_2D (filter
/// [1, kh, kw, Cout], Cin = Cout / multiplier), float32 NHWC with dense filters: per output, the reference's FMA
/// chain over ky, kx, then ci (conv only), skipping out-of-bounds taps, from +0; then + bias when present; then the
/// clamp. The two share one kernel.
/// </summary>
internal sealed class ConvolutionOperator : IIlgpuOperator
{
    public NodeSupport Supports(DelegateNode node) =>
        GeometryOf(node, out _, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        GeometryOf(node, out var g, out var range);
        var bias = node.Inputs.Count > 2 ? node.Inputs[2] : null;
        var input = c.View(node.Inputs[0]!);
        var filter = c.View(node.Inputs[1]!);
        var biasView = bias is null ? filter : c.View(bias);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, (long)g.FilterHeight * g.FilterWidth * g.FilterDepth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry,
            ActivationRange, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, filter, biasView, output, g, range, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> filter, ArrayView<float> bias,
        ArrayView<float> output, ConvGeometry g, ActivationRange range, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int oc = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            float acc = 0f;
            for (int ky = 0; ky < g.FilterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= g.InputHeight) continue;
                for (int kx = 0; kx < g.FilterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= g.InputWidth) continue;
                    int pixel = ((b * g.InputHeight + iy) * g.InputWidth + ix) * g.InputDepth;
                    if (g.Depthwise != 0)
                    {
                        acc = default(TArithmetic).FusedMultiplyAdd(input[pixel + oc / g.DepthMultiplier],
                            filter[(ky * g.FilterWidth + kx) * g.OutputDepth + oc], acc);
                    }
                    else
                    {
                        int inputOffset = pixel + oc / g.FiltersPerGroup * g.FilterDepth;
                        int filterOffset = ((oc * g.FilterHeight + ky) * g.FilterWidth + kx) * g.FilterDepth;
                        for (int ci = 0; ci < g.FilterDepth; ci++)
                            acc = default(TArithmetic).FusedMultiplyAdd(input[inputOffset + ci], filter[filterOffset + ci], acc);
                    }
                }
            }
            float value = g.HasBias != 0 ? acc + bias[oc] : acc;
            output[i] = range.Apply(value);
        }
    }

    /// <summary>Checks a CONV_2D / DEPTHWISE_CONV_2D the way the reference's Prepare does; null when supported.</summary>
    private static string? GeometryOf(DelegateNode node, out ConvGeometry g, out ActivationRange range)
    {
        g = default;
        range = default;
        string op = node.Code.Name;
        if (node.Inputs.Count is < 2 or > 3 || node.Outputs.Count != 1 || node.Inputs[0] is null || node.Inputs[1] is null)
            return $"{op} needs input, filter, optional bias and one output";
        Padding padding;
        int strideW, strideH, dilationW, dilationH;
        ActivationFunctionType activation;
        bool depthwise = node.Builtin == BuiltinOperator.DepthwiseConv2D;
        switch (node.Options)
        {
            case Conv2DOptions o when !depthwise:
                (padding, strideW, strideH, activation, dilationW, dilationH) = (o.Padding, o.StrideW, o.StrideH, o.FusedActivation, o.DilationW, o.DilationH);
                break;
            case DepthwiseConv2DOptions o when depthwise:
                (padding, strideW, strideH, activation, dilationW, dilationH) = (o.Padding, o.StrideW, o.StrideH, o.FusedActivation, o.DilationW, o.DilationH);
                break;
            default:
                return $"{op} without its options";
        }
        if (FusedClamp.Refusal(node, activation) is { } why) return why;
        if (padding is not (Padding.Same or Padding.Valid)) return $"{op}: unknown padding {padding}";
        if (strideW <= 0 || strideH <= 0 || dilationW <= 0 || dilationH <= 0) return $"{op}: strides and dilations must be positive";
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || filter.Rank != 4 || output.Rank != 4 || filter.Sparsity is not null)
            return $"{op}: input, dense filter and output must have rank 4";
        int inputDepth = input.Dim(3);
        int outputDepth = depthwise ? filter.Dim(3) : filter.Dim(0);
        int filterDepth = depthwise ? 1 : filter.Dim(3);
        if (depthwise && (filter.Dim(0) != 1 || inputDepth <= 0 || outputDepth % inputDepth != 0))
            return $"{op}: filter must be [1, kh, kw, Cin·multiplier]";
        if (!depthwise && (filterDepth <= 0 || inputDepth % filterDepth != 0 || outputDepth % (inputDepth / filterDepth) != 0))
            return $"{op}: filter depth does not divide the input depth into groups";
        if (node.Inputs.Count > 2 && node.Inputs[2] is { } bias && bias.ElementCount != outputDepth)
            return $"{op}: bias size differs from the output depth";
        var rows = SpatialPadding.Compute(padding, input.Dim(1), filter.Dim(1), strideH, dilationH);
        var cols = SpatialPadding.Compute(padding, input.Dim(2), filter.Dim(2), strideW, dilationW);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize || output.Dim(3) != outputDepth)
            return $"{op}: output shape does not match the convolution";
        range = FusedClamp.RangeOf(activation);
        g = new ConvGeometry
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = inputDepth,
            FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2), FilterDepth = filterDepth,
            OutputHeight = rows.OutputSize, OutputWidth = cols.OutputSize, OutputDepth = outputDepth,
            StrideH = strideH, StrideW = strideW, DilationH = dilationH, DilationW = dilationW,
            PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
            FiltersPerGroup = depthwise ? 1 : outputDepth / (inputDepth / filterDepth),
            DepthMultiplier = depthwise ? outputDepth / inputDepth : 1,
            Depthwise = depthwise ? 1 : 0,
            HasBias = node.Inputs.Count > 2 && node.Inputs[2] is not null ? 1 : 0,
        };
        return null;
    }
}

/// <summary>
/// Window geometry of CONV_2D / DEPTHWISE_CONV_2D / MAX_POOL_2D / AVERAGE_POOL_2D / Convolution2DTransposeBias,
/// computed on the host with the reference's padding math.
/// </summary>
internal struct ConvGeometry
{
    public int InputHeight, InputWidth, InputDepth;
    public int FilterHeight, FilterWidth, FilterDepth;
    public int OutputHeight, OutputWidth, OutputDepth;
    public int StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft;
    public int FiltersPerGroup, DepthMultiplier, Depthwise, HasBias;
}
