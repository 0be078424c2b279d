using System.Runtime.InteropServices;
using Accel.Kernels.Reference;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// Records Shaders/conv2d.comp (CONV_2D, and FULLY_CONNECTED as a 1x1 convolution over [1, 1, batch, K]):
/// workgroups x = rows of 64 output pixels (grid-stride), y = one block of 8 (or 1, ConvPacking.SingleChannel) output channels.
/// </summary>
internal static class ConvDispatch
{
    /// <summary>The NHWC input [N, H, W, C] a KH×KW window slides over (FULLY_CONNECTED: [1, 1, batch, K], 1×1).</summary>
    public readonly record struct Image(int N, int H, int W, int C, int KH, int KW);

    /// <summary>
    /// Null when the dispatch's pixel count and the input fit the shaders' int32 indices; otherwise the refusal.
    /// (<paramref name="g"/> is the definition's geometry: strides, dilations, paddings, output size.)
    /// </summary>
    public static string? Refusal(string op, Image image, ConvGeometry g) =>
        (long)image.N * g.OutputHeight * g.OutputWidth > int.MaxValue || (long)image.N * image.H * image.W * image.C > int.MaxValue
            ? $"{op}: tensors above 2^31 elements are not supported" : null;

    public static void Record(VulkanPartitionBuilder builder, Tensor input, VulkanBuffer packedFilter, Tensor? bias, Tensor output,
        Image image, ConvGeometry g, ActivationRange activation, ConvPacking packing)
    {
        long pixels = (long)image.N * g.OutputHeight * g.OutputWidth;
        var push = new Push
        {
            H = image.H, W = image.W, C = image.C, FilterDepth = packing.Depth,
            OH = g.OutputHeight, OW = g.OutputWidth, OC = packing.OutputChannels, FiltersPerGroup = packing.FiltersPerGroup,
            KH = image.KH, KW = image.KW, StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            Pixels = (uint)pixels, BlocksPerGroup = packing.BlocksPerGroup, BlockOctets = packing.BlockOctets,
            Lo = activation.Min, Hi = activation.Max,
        };
        // 8 input channels per load when every tap's channel offset (pixel·C + group·depth) and the depth are multiples of 8.
        bool vectorInput = image.C % 8 == 0 && packing.Depth % 8 == 0;
        // Two 4-channel stores per full block when Cout and every block's first channel (group·perGroup + 8·i) are multiples of 4.
        bool vectorOutput = !packing.SingleChannel && packing.OutputChannels % 4 == 0 && packing.FiltersPerGroup % 4 == 0;
        uint groupsX = PixelWorkgroups(builder.Device, pixels, packing.Blocks);
        builder.Dispatch("conv2d",
            [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Read(packedFilter),
             ShaderBinding.Read(bias is null ? packedFilter : builder.Buffer(bias)), ShaderBinding.Write(builder.Buffer(output))],
            push, groupsX, (uint)packing.Blocks, 1, [bias is null ? 0 : 1, vectorInput ? 1 : 0, vectorOutput ? 1 : 0, packing.SingleChannel ? 1 : 0]);
    }

    /// <summary>
    /// Workgroups along the pixels (each loops over its share of 64-pixel rows): one per 64 pixels on a GPU (at most
    /// 65,535); on a CPU implementation (lavapipe) about 32 workgroups in all, so that each runs many rows and its
    /// per-workgroup setup (the block's bias loads) is paid rarely, while every thread still gets several.
    /// </summary>
    public static uint PixelWorkgroups(VulkanDeviceInfo device, long pixels, int blocks)
    {
        long rows = (pixels + VulkanPartitionBuilder.LocalSize - 1) / VulkanPartitionBuilder.LocalSize;
        long wanted = device.Description.Type == VulkanDeviceType.Cpu ? Math.Max(1, (32 + blocks - 1) / blocks) : rows;
        return (uint)Math.Min(Math.Min(rows, wanted), ushort.MaxValue);
    }

    /// <summary>conv2d.comp's push constants (std430: four ivec4, then pixels, blocksPerGroup, blockOctets, lo, hi, zero).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Push
    {
        public int H, W, C, FilterDepth;
        public int OH, OW, OC, FiltersPerGroup;
        public int KH, KW, StrideH, StrideW;
        public int DilationH, DilationW, PadTop, PadLeft;
        public uint Pixels;
        public int BlocksPerGroup, BlockOctets;
        public float Lo, Hi;
        public float Zero; // always +0 (see the shader)
    }
}
