using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>MAX_POOL_2D / AVERAGE_POOL_2D checks and window geometry, as the reference's Pool2DGeometry.</summary>
internal static class PoolGeometry
{
    /// <summary>Null when supported (geometry and clamp filled in), else the refusal.</summary>
    public static string? Of(DelegateNode node, out ConvGeometry g, out ActivationRange range)
    {
        g = default;
        range = default;
        string op = node.Code.Name;
        if (node.Inputs.Count != 1 || node.Outputs.Count != 1 || node.Inputs[0] is null)
            return $"{op} needs one input and one output";
        if (node.Options is not Pool2DOptions o) return $"{op} without options";
        if ((long)o.FilterHeight * o.FilterWidth > SpecMath.MaxExactCount) return $"{op}: window too large";
        if (FusedClamp.Refusal(node, o.FusedActivation) is { } why) return why;
        if (o.Padding is not (Padding.Same or Padding.Valid)) return $"{op}: unknown padding {o.Padding}";
        if (o.StrideH <= 0 || o.StrideW <= 0 || o.FilterHeight <= 0 || o.FilterWidth <= 0)
            return $"{op}: strides and filter sizes must be positive";
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || output.Rank != 4) return $"{op}: input and output must have rank 4";
        var rows = SpatialPadding.Compute(o.Padding, input.Dim(1), o.FilterHeight, o.StrideH, 1);
        var cols = SpatialPadding.Compute(o.Padding, input.Dim(2), o.FilterWidth, o.StrideW, 1);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize || output.Dim(3) != input.Dim(3))
            return $"{op}: output shape does not match the pooling";
        range = FusedClamp.RangeOf(o.FusedActivation);
        g = new ConvGeometry
        {
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            FilterHeight = o.FilterHeight, FilterWidth = o.FilterWidth,
            OutputHeight = rows.OutputSize, OutputWidth = cols.OutputSize, OutputDepth = input.Dim(3),
            StrideH = o.StrideH, StrideW = o.StrideW, PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
        };
        return null;
    }
}
