using System.Runtime.InteropServices;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// DEPTHWISE_CONV_2D on float32 (Shaders/depthwise_conv2d.comp): the reference's per-output fma chain over (ky, kx)
/// from +0 skipping outside taps, then + bias, then the clamp; output channel oc reads input channel oc / multiplier,
/// the multiplier derived from the shapes (Cout / Cin) as the reference does. One invocation computes 8 consecutive
/// output channels of one pixel from a re-packed filter (ConvPacking, channels-last; re-packed on the device when the
/// filter is not a constant).
/// </summary>
internal sealed class DepthwiseConv2DOp : IVulkanOp
{
    /// <summary>Largest window whose weights the shader keeps in registers (a specialization per window size).</summary>
    private const int MaxPreloadedTaps = 25;

    /// <summary>Horizontally adjacent outputs per invocation for those windows (each input column loaded once for all).</summary>
    private const int Strip = 4;

    public IReadOnlyList<string> Operators { get; } = [BuiltinOperator.DepthwiseConv2D.ToSchemaName()];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.RequiresExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (Plan(node, out _, out var packing) is { } refusal) return NodeSupport.Refuse(refusal);
        return packing.Refusal("DEPTHWISE_CONV_2D", device) is { } size ? NodeSupport.Refuse(size) : NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Plan(node, out var push, out var packing);
        var filter = packing.PackedFilter(builder, node.Inputs[1]!);
        var bias = ConvChecks.Bias(node);
        int inputDepth = push.C, multiplier = push.Multiplier;
        bool vectorInput = multiplier == 1 && inputDepth % 8 == 0;
        bool vectorOutput = packing.OutputChannels % 4 == 0;
        // Windows up to 5x5 get their own pipeline: weights held in registers, Strip outputs per invocation along x.
        bool fixedWindow = push.KH * push.KW <= MaxPreloadedTaps;
        long items = fixedWindow && push.OW > 0 ? (long)push.Pixels / push.OW * ((push.OW + Strip - 1) / Strip) : push.Pixels;
        var dispatchPush = push with { Pixels = (uint)items };
        uint groupsX = ConvDispatch.PixelWorkgroups(builder.Device, items, packing.Blocks);
        builder.Dispatch("depthwise_conv2d",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(filter),
             ShaderBinding.Read(bias is null ? filter : builder.Buffer(bias)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            dispatchPush, groupsX, (uint)packing.Blocks, 1,
            [bias is null ? 0 : 1, vectorInput ? 1 : 0, vectorOutput ? 1 : 0,
             fixedWindow ? push.KH : 0, fixedWindow ? push.KW : 0, push.StrideW, push.DilationW, Strip]);
    }

    /// <summary>The reference's Prepare checks, the push constants and the filter packing; null when supported, else the refusal.</summary>
    private static string? Plan(DelegateNode node, out Push push, out ConvPacking packing)
    {
        push = default;
        packing = default;
        if (VulkanOpChecks.Arity(node, 2, 3, 1) is { } arity) return arity;
        if (node.Options is not DepthwiseConv2DOptions options) return "DEPTHWISE_CONV_2D without DepthwiseConv2DOptions";
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        if (input.Rank != 4 || filter.Rank != 4)
            return $"DEPTHWISE_CONV_2D: input and filter must have rank 4, have {input.Rank} and {filter.Rank}";
        if (filter.Dim(0) != 1) return $"DEPTHWISE_CONV_2D: filter must have shape [1, KH, KW, Cout], has [{string.Join(",", filter.Shape.ToArray())}]";
        if (options.Padding is not (Padding.Same or Padding.Valid)) return $"DEPTHWISE_CONV_2D: padding {(int)options.Padding} is neither SAME nor VALID";
        if (options.StrideH <= 0 || options.StrideW <= 0 || options.DilationH <= 0 || options.DilationW <= 0)
            return "DEPTHWISE_CONV_2D: strides and dilation factors must be positive";
        int inputDepth = input.Dim(3), outputDepth = filter.Dim(3);
        if (inputDepth <= 0 || outputDepth % inputDepth != 0)
            return $"DEPTHWISE_CONV_2D: filter output depth {outputDepth} is not a positive multiple of the input depth {inputDepth}";
        if (ConvChecks.TensorsAndBias(node, outputDepth) is { } tensors) return tensors;
        if (ConvChecks.Activation(node, options.FusedActivation, out float lo, out float hi) is { } activation) return activation;
        var rows = SpatialPadding.Compute(options.Padding, input.Dim(1), filter.Dim(1), options.StrideH, options.DilationH);
        var cols = SpatialPadding.Compute(options.Padding, input.Dim(2), filter.Dim(2), options.StrideW, options.DilationW);
        if (ConvChecks.OutputShape(node, [input.Dim(0), rows.OutputSize, cols.OutputSize, outputDepth]) is { } shape) return shape;
        long pixels = (long)input.Dim(0) * rows.OutputSize * cols.OutputSize;
        if (pixels > int.MaxValue || input.ElementCount > int.MaxValue) return "DEPTHWISE_CONV_2D: tensors above 2^31 elements are not supported";
        packing = new ConvPacking(outputDepth, filter.Dim(1) * filter.Dim(2), 1, 1, ChannelsLast: true);
        push = new Push
        {
            H = input.Dim(1), W = input.Dim(2), C = inputDepth, Multiplier = outputDepth / inputDepth,
            OH = rows.OutputSize, OW = cols.OutputSize, OC = outputDepth, BlockOctets = packing.BlockOctets,
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = options.StrideH, StrideW = options.StrideW,
            DilationH = options.DilationH, DilationW = options.DilationW, PadTop = rows.PadBefore, PadLeft = cols.PadBefore,
            Pixels = (uint)pixels, LastInput = (int)Math.Max(0, input.ElementCount - 1), Lo = lo, Hi = hi,
        };
        return null;
    }

    /// <summary>depthwise_conv2d.comp's push constants (std430: four ivec4, then pixels, lastInput, lo, hi, zero).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int H, W, C, Multiplier;
        public int OH, OW, OC, BlockOctets;
        public int KH, KW, StrideH, StrideW;
        public int DilationH, DilationW, PadTop, PadLeft;
        public uint Pixels;
        public int LastInput;
        public float Lo, Hi;
        public float Zero; // always +0 (see the shader)
    }
}
