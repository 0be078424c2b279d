using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// DEPTH_TO_SPACE on float32 NHWC (Shaders/depth_to_space.comp): out[b, h·bs + dy, w·bs + dx, c] =
/// in[b, h, w, (dy·bs + dx)·C_out + c], the reference's (TFLite DCR) ordering with the definition's block size;
/// 32-bit words are moved, never converted.
/// </summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceKernel : VulkanKernel<DepthToSpaceParams>
{
    public override bool MovesBitsOnly => true;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthToSpace];

    protected override void Build(DelegateNode node, DepthToSpaceParams p, VulkanPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var push = new Push
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = output.Dim(3),
            BlockSize = p.BlockSize, Total = (uint)output.ElementCount,
        };
        builder.DispatchElements("depth_to_space",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(output))],
            push, push.Total);
    }

    /// <summary>depth_to_space.comp's push constants (std430: two ivec4, then block size and total).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int InputBatches, InputHeight, InputWidth, InputDepth;
        public int OutputBatches, OutputHeight, OutputWidth, OutputDepth;
        public int BlockSize;
        public uint Total;
    }
}
