using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias on float32 (Shaders/transpose_conv_bias.comp): weights OHWI
/// [Cout, KH, KW, Cin], bias [Cout], 12-byte TfLiteTransposeConvParams {padding (0 unknown, 1 SAME, 2 VALID),
/// stride_w, stride_h}; output size and padding as MediaPipe's Prepare. Per output the reference's gather chain:
/// for ky, for kx, when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) / stride_w are exact and in range, for
/// ci: acc = fma(x, w, acc) from +0; then acc + bias. 8 output channels per invocation from a re-packed filter
/// (ConvPacking), as CONV_2D.
/// </summary>
internal sealed class TransposeConvBiasOp : IVulkanOp
{
    public const string CustomCode = "Convolution2DTransposeBias";

    private const int PaddingUnknown = 0, PaddingSame = 1, PaddingValid = 2;

    public IReadOnlyList<string> Operators { get; } = [CustomCode];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device)
    {
        if (VulkanOpChecks.RequiresExactFma(node, device) is { } fma) return NodeSupport.Refuse(fma);
        if (ConvChecks.Subgroups(node, device) is { } subgroups) return NodeSupport.Refuse(subgroups);
        if (Plan(node, out _, out var packing) is { } refusal) return NodeSupport.Refuse(refusal);
        return packing.Refusal(CustomCode, device) is { } size ? NodeSupport.Refuse(size) : NodeSupport.Supported;
    }

    public void Build(DelegateNode node, VulkanPartitionBuilder builder)
    {
        Plan(node, out var push, out var packing);
        var filter = packing.PackedFilter(builder, node.Inputs[1]!);
        bool vectorInput = push.C % 8 == 0;
        bool vectorOutput = !packing.SingleChannel && packing.OutputChannels % 4 == 0;
        uint groupsX = ConvDispatch.PixelWorkgroups(builder.Device, push.Pixels, packing.Blocks);
        builder.Dispatch("transpose_conv_bias",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(filter),
             ShaderBinding.Read(builder.Buffer(node.Inputs[2]!)), ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, groupsX, (uint)packing.Blocks, 1, [vectorInput ? 1 : 0, vectorOutput ? 1 : 0, packing.SingleChannel ? 1 : 0]);
    }

    /// <summary>The reference's Prepare checks, the push constants and the filter packing; null when supported, else the refusal.</summary>
    private static string? Plan(DelegateNode node, out Push push, out ConvPacking packing)
    {
        push = default;
        packing = default;
        if (VulkanOpChecks.Arity(node, 3, 3, 1) is { } arity) return arity;
        var options = node.CustomOptions.Span;
        if (options.Length != 12) return $"{CustomCode}: custom options must be 12 bytes (TfLiteTransposeConvParams), are {options.Length}";
        int padding = BinaryPrimitives.ReadInt32LittleEndian(options);
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(options[4..]);
        int strideH = BinaryPrimitives.ReadInt32LittleEndian(options[8..]);
        if (padding is not (PaddingUnknown or PaddingSame or PaddingValid)) return $"{CustomCode}: padding {padding} is not a TfLitePadding value";
        if (strideH <= 0 || strideW <= 0) return $"{CustomCode}: strides must be positive";
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        if (input.Rank != 4 || weights.Rank != 4) return $"{CustomCode}: input and weights must have rank 4, have {input.Rank} and {weights.Rank}";
        if (weights.Dim(3) != input.Dim(3)) return $"{CustomCode}: weights depth {weights.Dim(3)} differs from the input depth {input.Dim(3)}";
        int outputDepth = weights.Dim(0);
        if (ConvChecks.TensorsAndBias(node, outputDepth) is { } tensors) return tensors;
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2), filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0) return $"{CustomCode}: input height and width must be positive";
        // MediaPipe's Prepare: total padding only for SAME; output = stride*(in-1) + filter - total; leading half floored.
        int totalPadH = padding == PaddingSame ? Math.Max(0, filterHeight - (inputHeight - 1) % strideH - 1) : 0;
        int totalPadW = padding == PaddingSame ? Math.Max(0, filterWidth - (inputWidth - 1) % strideW - 1) : 0;
        long outputHeight = (long)strideH * (inputHeight - 1) + filterHeight - totalPadH;
        long outputWidth = (long)strideW * (inputWidth - 1) + filterWidth - totalPadW;
        if (outputHeight > int.MaxValue || outputWidth > int.MaxValue) return $"{CustomCode}: output too large";
        if (ConvChecks.OutputShape(node, [input.Dim(0), (int)outputHeight, (int)outputWidth, outputDepth]) is { } shape) return shape;
        long pixels = input.Dim(0) * outputHeight * outputWidth;
        if (pixels > int.MaxValue || input.ElementCount > int.MaxValue) return $"{CustomCode}: tensors above 2^31 elements are not supported";
        packing = new ConvPacking(outputDepth, filterHeight * filterWidth, input.Dim(3), 1);
        push = new Push
        {
            H = inputHeight, W = inputWidth, C = input.Dim(3), BlockOctets = packing.BlockOctets,
            OH = (int)outputHeight, OW = (int)outputWidth, OC = outputDepth,
            KH = filterHeight, KW = filterWidth, StrideH = strideH, StrideW = strideW,
            PadTop = totalPadH / 2, PadLeft = totalPadW / 2, Pixels = (uint)pixels,
        };
        return null;
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
