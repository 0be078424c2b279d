using System.Runtime.InteropServices;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// CONV_2D on float32 (Shaders/conv2d.comp), grouped convolution, strides, dilations, SAME/VALID and the clamp
/// activations included: the reference's per-output fma chain over (ky, kx, ci) from +0 skipping outside taps, then
/// + bias, then the clamp. One invocation computes up to 8 output channels of one pixel, each in its own accumulator
/// (never a split reduction). The filter is read in place (OHWI), so it need not be a constant.
/// </summary>
internal sealed class Conv2DOp : IVulkanOp
{
    /// <summary>Output channels per invocation: enough accumulators to amortise the input loads, few enough to stay in registers.</summary>
    private const int MaxBlock = 8;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.Conv2D.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.RequiresExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        return Plan(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Plan(node, out var plan);
        var filter = builder.Buffer(node.Inputs[1]!);
        var bias = ConvChecks.Bias(node);
        builder.Dispatch("conv2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(filter),
             ShaderBinding.Read(bias is null ? filter : builder.Buffer(bias)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            plan.Push, plan.GroupsX, plan.Blocks, 1, [plan.Block, bias is null ? 0 : 1]);
    }

    private readonly record struct DispatchPlan(Push Push, int Block, uint GroupsX, uint Blocks);

    /// <summary>The reference's Prepare checks and the dispatch; null when supported, else the refusal.</summary>
    private static string? Plan(DelegateNode node, out DispatchPlan plan)
    {
        plan = default;
        if (VulkanOpChecks.Arity(node, 2, 3, 1) is { } arity) return arity;
        if (node.Options is not Conv2DOptions options) return "CONV_2D without Conv2DOptions";
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        if (input.Rank != 4 || filter.Rank != 4)
            return $"CONV_2D: input and filter must have rank 4, have {input.Rank} and {filter.Rank}";
        if (options.Padding is not (Padding.Same or Padding.Valid)) return $"CONV_2D: padding {(int)options.Padding} is neither SAME nor VALID";
        if (options.StrideH <= 0 || options.StrideW <= 0 || options.DilationH <= 0 || options.DilationW <= 0)
            return "CONV_2D: strides and dilation factors must be positive";
        int inputDepth = input.Dim(3), outputDepth = filter.Dim(0), filterDepth = filter.Dim(3);
        if (filterDepth <= 0 || inputDepth % filterDepth != 0)
            return $"CONV_2D: filter depth {filterDepth} does not divide the input depth {inputDepth}";
        int groups = inputDepth / filterDepth;
        if (groups <= 0 || outputDepth % groups != 0) return $"CONV_2D: output depth {outputDepth} is not divisible by the group count {groups}";
        if (ConvChecks.TensorsAndBias(node, outputDepth) is { } tensors) return tensors;
        if (ConvChecks.Activation(node, options.FusedActivation, out float lo, out float hi) is { } activation) return activation;
        var rows = SpatialPadding.Compute(options.Padding, input.Dim(1), filter.Dim(1), options.StrideH, options.DilationH);
        var cols = SpatialPadding.Compute(options.Padding, input.Dim(2), filter.Dim(2), options.StrideW, options.DilationW);
        if (ConvChecks.OutputShape(node, [input.Dim(0), rows.OutputSize, cols.OutputSize, outputDepth]) is { } shape) return shape;

        int filtersPerGroup = outputDepth / groups;
        // A block must not straddle two groups (it shares one input channel range); one group: the last block may run past Cout.
        int block = MaxBlock;
        if (groups > 1) while (filtersPerGroup % block != 0) block /= 2;
        long pixels = (long)input.Dim(0) * rows.OutputSize * cols.OutputSize;
        long blocks = (outputDepth + block - 1) / block;
        if (blocks > ushort.MaxValue) return $"CONV_2D: {outputDepth} output channels need more than 65,535 workgroups";
        if (pixels > int.MaxValue) return "CONV_2D: output too large";
        var push = new Push
        {
            H = input.Dim(1), W = input.Dim(2), C = inputDepth, FilterDepth = filterDepth,
            OH = rows.OutputSize, OW = cols.OutputSize, OC = outputDepth, FiltersPerGroup = filtersPerGroup,
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = options.StrideH, StrideW = options.StrideW,
            DilationH = options.DilationH, DilationW = options.DilationW, PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
            Pixels = (uint)pixels, Lo = lo, Hi = hi,
        };
        uint groupsX = (uint)Math.Min((pixels + VulkanPartitionBuilder.LocalSize - 1) / VulkanPartitionBuilder.LocalSize, ushort.MaxValue);
        plan = new DispatchPlan(push, block, groupsX, (uint)blocks);
        return null;
    }

    /// <summary>conv2d.comp's push constants (std430: four ivec4, then pixels, lo, hi).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int H, W, C, FilterDepth;
        public int OH, OW, OC, FiltersPerGroup;
        public int KH, KW, StrideH, StrideW;
        public int DilationH, DilationW, PadTop, PadLeft;
        public uint Pixels;
        public float Lo, Hi;
    }
}
