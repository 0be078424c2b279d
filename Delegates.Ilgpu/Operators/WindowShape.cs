using Accel.Kernels.Reference;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The sliding-window kernels' argument (CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D,
/// Convolution2DTransposeBias): tensor dimensions read from the node's final shapes, strides, dilations and leading
/// padding copied from its definition's params. Nothing here is computed: this is only the device layout.
/// </summary>
internal struct WindowShape
{
    public int InputHeight, InputWidth, InputDepth;
    public int FilterHeight, FilterWidth, FilterDepth;
    public int OutputHeight, OutputWidth, OutputDepth;
    public int StrideH, StrideW, DilationH, DilationW, PadTop, PadLeft;
    public int FiltersPerGroup, DepthMultiplier, Depthwise, HasBias;

    /// <summary>MAX_POOL_2D / AVERAGE_POOL_2D: dimensions from the node's tensors, the window from its definition.</summary>
    public static WindowShape ForPool(DelegateNode node, Pool2DGeometry geometry)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        return new WindowShape
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            FilterHeight = geometry.FilterH, FilterWidth = geometry.FilterW,
            OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            StrideH = geometry.StrideH, StrideW = geometry.StrideW, PadTop = geometry.PadTop, PadLeft = geometry.PadLeft,
        };
    }
}
