using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// DEPTH_TO_SPACE on float32 NHWC (Shaders/depth_to_space.comp): out[b, h·bs + dy, w·bs + dx, c] =
/// in[b, h, w, (dy·bs + dx)·C_out + c], the reference's (TFLite DCR) ordering; 32-bit words are moved, never converted.
/// </summary>
internal sealed class DepthToSpaceOp : IVulkanOp
{
    public bool MovesBitsOnly => true;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.DepthToSpace.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) =>
        Geometry(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Geometry(node, out var push);
        builder.DispatchElements("depth_to_space",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, push.Total);
    }

    /// <summary>The shader's push constants; null when supported, else the refusal.</summary>
    private static string? Geometry(DelegateNode node, out Push push)
    {
        push = default;
        if (VulkanOpChecks.Arity(node, 1, 1, 1) is { } arity) return arity;
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (VulkanOpChecks.Float32(node, input, output) is { } dtype) return dtype;
        if (node.Options is not DepthToSpaceOptions options) return "DEPTH_TO_SPACE: DepthToSpaceOptions are missing";
        int bs = options.BlockSize;
        if (bs < 1) return $"DEPTH_TO_SPACE: block_size {bs} is below 1";
        if (input.Rank != 4 || output.Rank != 4) return "DEPTH_TO_SPACE: input and output must be rank-4 NHWC";
        if (input.Dim(3) % ((long)bs * bs) != 0) return $"DEPTH_TO_SPACE: input depth {input.Dim(3)} is not divisible by block_size² = {bs * bs}";
        int outputDepth = (int)(input.Dim(3) / ((long)bs * bs));
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != (long)input.Dim(1) * bs || output.Dim(2) != (long)input.Dim(2) * bs ||
            output.Dim(3) != outputDepth)
            return "DEPTH_TO_SPACE: output shape does not match the block size";
        if (output.ElementCount > uint.MaxValue) return "DEPTH_TO_SPACE: output too large";
        push = new Push
        {
            InputBatches = input.Dim(0), InputHeight = input.Dim(1), InputWidth = input.Dim(2), InputDepth = input.Dim(3),
            OutputBatches = output.Dim(0), OutputHeight = output.Dim(1), OutputWidth = output.Dim(2), OutputDepth = outputDepth,
            BlockSize = bs, Total = (uint)output.ElementCount,
        };
        return null;
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
