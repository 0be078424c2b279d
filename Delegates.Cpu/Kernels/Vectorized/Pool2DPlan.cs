using Accel.Kernels.Reference;

namespace Accel.Delegates.Cpu.Kernels.Vectorized;

/// <summary>
/// MAX_POOL_2D / AVERAGE_POOL_2D geometry as the reference computes it (SpatialPadding with dilation 1): for output
/// (oy, ox) the window covers input rows oy·strideH − padTop + ky, ky in [0, filterH), likewise columns; only
/// in-bounds taps take part, visited in (ky, kx) order.
/// </summary>
internal sealed class Pool2DPlan
{
    private Pool2DPlan(Tensor input, Tensor output, Pool2DOptions options, int padTop, int padLeft, FusedClamp clamp)
    {
        Batches = input.Dim(0);
        Height = input.Dim(1);
        Width = input.Dim(2);
        Depth = input.Dim(3);
        OutputHeight = output.Dim(1);
        OutputWidth = output.Dim(2);
        StrideH = options.StrideH;
        StrideW = options.StrideW;
        FilterH = options.FilterHeight;
        FilterW = options.FilterWidth;
        PadTop = padTop;
        PadLeft = padLeft;
        Clamp = clamp;
    }

    public int Batches { get; }
    public int Height { get; }
    public int Width { get; }
    public int Depth { get; }
    public int OutputHeight { get; }
    public int OutputWidth { get; }
    public int StrideH { get; }
    public int StrideW { get; }
    public int FilterH { get; }
    public int FilterW { get; }
    public int PadTop { get; }
    public int PadLeft { get; }
    public FusedClamp Clamp { get; }

    public static Pool2DPlan? Create(DelegateNode node, out string reason)
    {
        if (NodeChecks.Float32Arity(node, 1, 1, 1) is { } arity)
        {
            reason = arity;
            return null;
        }
        reason = "";
        if (node.Options is not Pool2DOptions options)
        {
            reason = $"{node.Code.Name} has no Pool2DOptions";
            return null;
        }
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || output.Rank != 4)
        {
            reason = $"{node.Code.Name} needs rank-4 NHWC input and output";
            return null;
        }
        if (options.Padding is not (Padding.Same or Padding.Valid) || options.StrideH <= 0 || options.StrideW <= 0 ||
            options.FilterHeight <= 0 || options.FilterWidth <= 0)
        {
            reason = $"{node.Code.Name} options {options} are invalid";
            return null;
        }
        if ((long)options.FilterHeight * options.FilterWidth > Numerics.SpecMath.MaxExactCount)
        {
            reason = "pool window has more than 2^24 taps";
            return null;
        }
        var clamp = FusedClamp.For(options.FusedActivation, out reason);
        if (clamp is null) return null;
        var rows = SpatialPadding.Compute(options.Padding, input.Dim(1), options.FilterHeight, options.StrideH, 1);
        var cols = SpatialPadding.Compute(options.Padding, input.Dim(2), options.FilterWidth, options.StrideW, 1);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize ||
            output.Dim(3) != input.Dim(3))
        {
            reason = $"output [{NodeChecks.Format(output.Shape)}] does not match the pooled input [{NodeChecks.Format(input.Shape)}]";
            return null;
        }
        return new Pool2DPlan(input, output, options, rows.PadBefore, cols.PadBefore, clamp.Value);
    }

    /// <summary>The in-bounds tap range [start, end) of one window along a dimension.</summary>
    public static (int Start, int End) Taps(int outputIndex, int stride, int padBefore, int filter, int size)
    {
        int origin = outputIndex * stride - padBefore;
        return (Math.Max(0, -origin), Math.Min(filter, size - origin));
    }

    /// <summary>Output rows (b, oy) per thread below which a hand-off is not worth it.</summary>
    public int MinRowsPerThread(int costPerTap)
    {
        long perRow = Math.Max(1L, (long)OutputWidth * Depth * FilterH * FilterW * costPerTap);
        return (int)Math.Clamp(64 * 1024 / perRow, 1, int.MaxValue);
    }
}
