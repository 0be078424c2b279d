using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// CONV_2D (grouped when the filter covers fewer channels than the input) and DEPTHWISE_CONV_2D (filter
/// [1, kh, kw, Cout], Cin = Cout / multiplier), float32 NHWC with dense filters: per output, the reference's FMA
/// chain over ky, kx, then ci (conv only), skipping out-of-bounds taps, from +0; then + bias when present; then the
/// clamp. The two share one kernel; geometry, groups, multiplier and clamp come from the definitions' params.
/// </summary>
[OpCodes(BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D)]
internal sealed class ConvolutionKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Conv2D, BuiltinOperator.DepthwiseConv2D];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var (g, range) = ShapeOf(node);
        var quantized = node.Params switch
        {
            DepthwiseConv2DParams d => d.Quantized,
            Conv2DParams conv => conv.Quantized,
            _ => null,
        };
        if (quantized is not null)
        {
            QuantizedKernels.Convolution(node, c, g, quantized, checked((int)node.Outputs[0].ElementCount));
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var filter = c.View(node.Inputs[1]!);
        // Without a bias the kernel never reads this view; any valid view will do.
        var biasView = g.HasBias != 0 ? c.View(node.Inputs[2]!) : filter;
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape,
            ActivationRange, int, int>(c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, filter, biasView, output, g, range, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> filter, ArrayView<float> bias,
        ArrayView<float> output, WindowShape g, ActivationRange range, int total, int chunkSize)
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

    /// <summary>The kernel's argument: dimensions from the node's tensors, everything else from its params.</summary>
    private static (WindowShape Shape, ActivationRange Range) ShapeOf(DelegateNode node)
    {
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var g = new WindowShape
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            FilterHeight = filter.Dim(1), FilterWidth = filter.Dim(2),
            OutputDepth = node.Outputs[0].Dim(3),
        };
        ConvGeometry geometry;
        ActivationRange range;
        if (node.Params is DepthwiseConv2DParams depthwise)
        {
            (geometry, range) = (depthwise.Geometry, depthwise.Activation);
            g.FilterDepth = 1;
            g.FiltersPerGroup = 1;
            g.DepthMultiplier = depthwise.DepthMultiplier;
            g.Depthwise = 1;
            g.HasBias = depthwise.HasBias ? 1 : 0;
        }
        else
        {
            var conv = node.ParamsAs<Conv2DParams>();
            (geometry, range) = (conv.Geometry, conv.Activation);
            g.FilterDepth = filter.Dim(3);
            g.FiltersPerGroup = conv.FiltersPerGroup;
            g.DepthMultiplier = 1;
            g.HasBias = conv.HasBias ? 1 : 0;
        }
        g.OutputHeight = geometry.OutputHeight;
        g.OutputWidth = geometry.OutputWidth;
        g.StrideH = geometry.StrideH;
        g.StrideW = geometry.StrideW;
        g.DilationH = geometry.DilationH;
        g.DilationW = geometry.DilationW;
        g.PadTop = geometry.PadTop;
        g.PadLeft = geometry.PadLeft;
        return (g, range);
    }
}
