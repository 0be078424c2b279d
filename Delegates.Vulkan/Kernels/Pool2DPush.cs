using System.Runtime.InteropServices;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The pool shaders' push constants (max_pool_2d.comp, average_pool_2d.comp; std430: three ivec4, then padTop,
/// padLeft, total, lo, hi), filled from the tensors and the definition's <see cref="Pool2DGeometry"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Pool2DPush
{
    public int InputBatches, InputHeight, InputWidth, Depth;
    public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
    public int FilterHeight, FilterWidth, StrideH, StrideW;
    public int PadTop, PadLeft;
    public uint Total;
    public float Lo, Hi;

    public static Pool2DPush Of(DelegateNode node, Pool2DGeometry g)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        return new Pool2DPush
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), Depth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            FilterHeight = g.FilterH, FilterWidth = g.FilterW, StrideH = g.StrideH, StrideW = g.StrideW,
            PadTop = g.PadTop, PadLeft = g.PadLeft, Total = (uint)output.ElementCount, Lo = g.Activation.Min, Hi = g.Activation.Max,
        };
    }
}
