using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR on float32 NHWC (Shaders/resize_nearest_neighbor.comp): out[b, y, x, c] =
/// in[b, row[y], col[x], c] with the definition's source-index tables (TFLite's GetNearestNeighbor on the host) as
/// buffers; 32-bit words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborKernel : VulkanKernel<ResizeNearestNeighborParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeNearestNeighbor];

    protected override void Build(DelegateNode node, ResizeNearestNeighborParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var push = new Push
        {
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), Depth = output.Dim(3),
            InputHeight = input.Dim(1), InputWidth = input.Dim(2), Total = (uint)output.ElementCount,
        };
        builder.DispatchElements("resize_nearest_neighbor",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Read(builder.Table(p.SourceRows.ToArray())),
             ShaderBinding.Read(builder.Table(p.SourceColumns.ToArray())), ShaderBinding.Write(builder.Buffer(output))],
            push, push.Total);
    }

    /// <summary>resize_nearest_neighbor.comp's push constants (std430: one ivec4, then two ints and the total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int OutputBatches, OutputHeight, OutputWidth, Depth;
        public int InputHeight, InputWidth;
        public uint Total;
    }
}
