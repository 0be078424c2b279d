using System.Runtime.InteropServices;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias on float32 (Shaders/transpose_conv_bias.comp): weights OHWI
/// [Cout, KH, KW, Cin], bias [Cout]; strides, output size and padding from the definition
/// (<see cref="TransposeConvBiasParams"/>, MediaPipe's Prepare). Per output the reference's gather chain:
/// for ky, for kx, when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) / stride_w are exact and in range, for
/// ci: acc = fma(x, w, acc) from +0; then acc + bias. 8 output channels per invocation from a re-packed filter
/// (ConvPacking), as CONV_2D.
/// </summary>
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasKernel : VulkanKernel<TransposeConvBiasParams>
{
    public override IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    protected override NodeSupport Supports(DelegateNode node, TransposeConvBiasParams p, VulkanDeviceInfo device)
    {
        if (DeviceRequirements.ExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (DeviceRequirements.SubgroupBroadcast(node, device) is { } subgroups) return NodeSupport.Refuse(subgroups);
        if (Plan(node, p, out _, out var packing) is { } size) return NodeSupport.Refuse(size);
        return DeviceRequirements.FirstRefusal(packing.Refusal(CustomOps.Convolution2DTransposeBias, device));
    }

    protected override void Build(DelegateNode node, TransposeConvBiasParams p, VulkanPartitionBuilder builder)
    {
        Plan(node, p, out var push, out var packing);
        var filter = packing.PackedFilter(builder, node.Inputs[1]!);
        bool vectorInput = push.C % 8 == 0;
        bool vectorOutput = !packing.SingleChannel && packing.OutputChannels % 4 == 0;
        uint groupsX = ConvDispatch.PixelWorkgroups(builder.Device, push.Pixels, packing.Blocks);
        builder.Dispatch("transpose_conv_bias",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(filter),
             ShaderBinding.Read(builder.Buffer(node.Inputs[2]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, groupsX, (uint)packing.Blocks, 1, [vectorInput ? 1 : 0, vectorOutput ? 1 : 0, packing.SingleChannel ? 1 : 0]);
    }

    /// <summary>The push constants (strides and paddings from the definition) and the filter packing; null when they fit, else the refusal.</summary>
    private static string? Plan(DelegateNode node, TransposeConvBiasParams p, out Push push, out ConvPacking packing)
    {
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var output = node.Outputs[0];
        int outputDepth = weights.Dim(0), outputHeight = output.Dim(1), outputWidth = output.Dim(2);
        long pixels = (long)input.Dim(0) * outputHeight * outputWidth;
        packing = new ConvPacking(outputDepth, weights.Dim(1) * weights.Dim(2), input.Dim(3), 1);
        push = new Push
        {
            H = input.Dim(1), W = input.Dim(2), C = input.Dim(3), BlockOctets = packing.BlockOctets,
            OH = outputHeight, OW = outputWidth, OC = outputDepth,
            KH = weights.Dim(1), KW = weights.Dim(2), StrideH = p.StrideH, StrideW = p.StrideW,
            PadTop = p.PadTop, PadLeft = p.PadLeft, Pixels = (uint)pixels,
        };
        return pixels > int.MaxValue || input.ElementCount > int.MaxValue
            ? $"{CustomOps.Convolution2DTransposeBias}: tensors above 2^31 elements are not supported" : null;
    }

    /// <summary>transpose_conv_bias.comp's push constants (std430: four ivec4, then pixels, zero).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int H, W, C, BlockOctets;
        public int OH, OW, OC, Unused0;
        public int KH, KW, StrideH, StrideW;
        public int PadTop, PadLeft, Unused1, Unused2;
        public uint Pixels;
        public float Zero; // always +0 (see the shader)
    }
}
