using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Numerics;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// MAX_POOL_2D / AVERAGE_POOL_2D checks and window geometry, as the reference's Pool2DGeometry computes them
/// (SpatialPadding with dilation 1); shared by <see cref="MaxPool2DOp"/> and <see cref="AveragePool2DOp"/> so their
/// Supports and Build agree.
/// </summary>
internal static class Pool2DWindow
{
    /// <summary>Null when supported (push constants filled in), else the refusal.</summary>
    public static string? Of(DelegateNode node, out Push push)
    {
        push = default;
        string op = node.Code.Name;
        if (VulkanOpChecks.Arity(node, 1, 1, 1) is { } arity) return arity;
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (VulkanOpChecks.Float32(node, input, output) is { } dtype) return dtype;
        if (node.Options is not Pool2DOptions o) return $"{op}: Pool2DOptions are missing";
        if (o.Padding is not (Padding.Same or Padding.Valid)) return $"{op}: padding {(int)o.Padding} is neither SAME nor VALID";
        if (o.StrideH <= 0 || o.StrideW <= 0 || o.FilterHeight <= 0 || o.FilterWidth <= 0)
            return $"{op}: strides and filter sizes must be positive";
        if ((long)o.FilterHeight * o.FilterWidth > SpecMath.MaxExactCount) return $"{op}: a window has more than 2^24 taps";
        if (!VulkanOpChecks.TryClamp(o.FusedActivation, out float lo, out float hi))
            return $"{op}: fused activation {o.FusedActivation} is not a clamp";
        if (input.Rank != 4 || output.Rank != 4) return $"{op}: input and output must be rank-4 NHWC";
        var rows = SpatialPadding.Compute(o.Padding, input.Dim(1), o.FilterHeight, o.StrideH, 1);
        var cols = SpatialPadding.Compute(o.Padding, input.Dim(2), o.FilterWidth, o.StrideW, 1);
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != rows.OutputSize || output.Dim(2) != cols.OutputSize || output.Dim(3) != input.Dim(3))
            return $"{op}: output shape does not match the pooling geometry";
        if (output.ElementCount > uint.MaxValue) return $"{op}: output too large";
        push = new Push
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = rows.OutputSize, OutputWidth = cols.OutputSize, OutputDepth = output.Dim(3),
            FilterHeight = o.FilterHeight, FilterWidth = o.FilterWidth, StrideH = o.StrideH, StrideW = o.StrideW,
            PadTop = rows.PadBefore, PadLeft = cols.PadBefore, Total = (uint)output.ElementCount, Lo = lo, Hi = hi,
        };
        return null;
    }

    /// <summary>The pool shaders' push constants (std430: three ivec4, then padTop, padLeft, total, lo, hi).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Push
    {
        public int InputBatches, InputHeight, InputWidth, Depth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public int FilterHeight, FilterWidth, StrideH, StrideW;
        public int PadTop, PadLeft;
        public uint Total;
        public float Lo, Hi;
    }
}
