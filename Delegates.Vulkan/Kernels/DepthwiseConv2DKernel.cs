using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// DEPTHWISE_CONV_2D on float32 (Shaders/depthwise_conv2d.comp): the reference's per-output fma chain over (ky, kx)
/// from +0 skipping outside taps, then + bias, then the clamp; output channel oc reads input channel oc / multiplier,
/// the definition's multiplier (Cout / Cin, from the shapes as the reference does). One invocation computes 8 consecutive
/// output channels of one pixel from a re-packed filter (ConvPacking, channels-last; re-packed on the device when the
/// filter is not a constant).
/// </summary>
[OpCodes(BuiltinOperator.DepthwiseConv2D)]
internal sealed class DepthwiseConv2DKernel : VulkanKernel<DepthwiseConv2DParams>
{
    /// <summary>Largest window whose weights the shader keeps in registers (a specialization per window size).</summary>
    private const int MaxPreloadedTaps = 25;

    /// <summary>Horizontally adjacent outputs per invocation for those windows (each input column loaded once for all).</summary>
    private const int Strip = 4;

    /// <summary>
    /// Most input columns a strip may span, (Strip − 1)·stride_w + (KW − 1)·dilation_w + 1 (the shader's
    /// STRIP_COLUMNS, an int): wider strips (huge strides or dilations) mostly walk the gaps between taps, and on
    /// lavapipe strips beyond about 2^15 columns computed wrong results; such windows take the general path.
    /// </summary>
    private const int MaxStripColumns = 1024;

    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthwiseConv2D];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, DepthwiseConv2DParams p, VulkanDeviceInfo device)
    {
        if (p.Quantized is not null) return QuantizedKernels.SupportsSize(node);
        if (DeviceRequirements.ExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (Plan(node, p, out _, out var packing) is { } size) return NodeSupport.Refuse(size);
        return DeviceRequirements.FirstRefusal(packing.Refusal("DEPTHWISE_CONV_2D", device));
    }

    protected override void Build(DelegateNode node, DepthwiseConv2DParams p, VulkanPartitionBuilder builder)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.DepthwiseConv2D(node, p, q, builder);
            return;
        }
        Plan(node, p, out var push, out var packing);
        var filter = packing.PackedFilter(builder, node.Inputs[1]!);
        var bias = p.HasBias ? node.Inputs[2] : null;
        int inputDepth = push.C, multiplier = push.Multiplier;
        bool vectorInput = multiplier == 1 && inputDepth % 8 == 0;
        bool vectorOutput = packing.OutputChannels % 4 == 0;
        // Windows up to 5x5 get their own pipeline: weights held in registers, Strip outputs per invocation along x.
        long stripColumns = (long)(Strip - 1) * push.StrideW + (long)(push.KW - 1) * push.DilationW + 1;
        bool fixedWindow = push.KH * push.KW <= MaxPreloadedTaps && stripColumns <= MaxStripColumns;
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

    /// <summary>The push constants (from the definition's geometry) and the filter packing; null when they fit, else the refusal.</summary>
    private static string? Plan(DelegateNode node, DepthwiseConv2DParams p, out Push push, out ConvPacking packing)
    {
        var input = node.Inputs[0]!;
        var filter = node.Inputs[1]!;
        var g = p.Geometry;
        int outputDepth = filter.Dim(3);
        long pixels = (long)input.Dim(0) * g.OutputHeight * g.OutputWidth;
        packing = new ConvPacking(outputDepth, filter.Dim(1) * filter.Dim(2), 1, 1, ChannelsLast: true);
        push = new Push
        {
            H = input.Dim(1), W = input.Dim(2), C = input.Dim(3), Multiplier = p.DepthMultiplier,
            OH = g.OutputHeight, OW = g.OutputWidth, OC = outputDepth, BlockOctets = packing.BlockOctets,
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            Pixels = (uint)pixels, LastInput = (int)Math.Max(0, input.ElementCount - 1), Lo = p.Activation.Min, Hi = p.Activation.Max,
        };
        return pixels > int.MaxValue || input.ElementCount > int.MaxValue ? "DEPTHWISE_CONV_2D: tensors above 2^31 elements are not supported" : null;
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
