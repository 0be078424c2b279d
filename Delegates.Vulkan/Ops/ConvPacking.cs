using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Ops;

/// <summary>
/// The filter layout Shaders/conv_block.glsl reads (CONV_2D, FULLY_CONNECTED, Convolution2DTransposeBias): output
/// channels in blocks of 8 within each group, and for every (block, tap, ci) one "octet" holding the 8 channels'
/// weights side by side; a block's octets run over (tap, ci) in the reference's reduction order, padded with zeros
/// to a multiple of 8 octets (padding is loaded, never used in an fma):
/// packed[(block·blockOctets + tap·depth + ci)·8 + j] = filter[oc = group·perGroup + (block mod blocksPerGroup)·8 + j][tap][ci].
/// DEPTHWISE_CONV_2D (depth 1) has its filter channels-last, [tap][oc] (<paramref name="ChannelsLast"/>).
/// Only the memory layout changes; the shaders' order of fma steps is the reference's.
/// </summary>
internal readonly record struct ConvPacking(int OutputChannels, int Taps, int Depth, int Groups, bool ChannelsLast = false)
{
    public int FiltersPerGroup => OutputChannels / Groups;
    public int BlocksPerGroup => (FiltersPerGroup + 7) / 8;
    public int Blocks => BlocksPerGroup * Groups;
    public int BlockOctets => (int)(((long)Taps * Depth + 7) / 8 * 8);
    public long PackedFloats => (long)Blocks * BlockOctets * 8;

    /// <summary>Null when the packed filter fits one storage buffer and int32 indices; otherwise the refusal.</summary>
    public string? Refusal(string op, VulkanDeviceInfo device)
    {
        if ((long)Taps * Depth > int.MaxValue / 8 || PackedFloats * 4 > (long)Math.Min(device.Limits.MaxStorageBufferRange, int.MaxValue))
            return $"{op}: the packed filter ({PackedFloats * 4} bytes) exceeds the device's maxStorageBufferRange";
        if (Blocks > ushort.MaxValue) return $"{op}: {OutputChannels} output channels need more than 65,535 workgroups";
        return null;
    }

    /// <summary>
    /// The packed filter as a partition table: packed on the host once when the filter is a constant, otherwise
    /// re-packed on the device (Shaders/conv_pack.comp) before every use, since its values change per run.
    /// </summary>
    public VulkanBuffer PackedFilter(VulkanPartitionBuilder builder, Tensor filter)
    {
        if (filter.IsConstant)
            return builder.Table<float>(Pack(filter.Read<float>()));
        var packed = builder.Table<float>(new float[PackedFloats]);
        var push = new PackPush
        {
            Reduction = Taps * Depth, BlockOctets = BlockOctets, FiltersPerGroup = FiltersPerGroup,
            BlocksPerGroup = BlocksPerGroup, Total = (uint)PackedFloats,
            ChannelStride = ChannelsLast ? 1 : Taps * Depth, ReductionStride = ChannelsLast ? OutputChannels : 1,
        };
        builder.DispatchElements("conv_pack", [ShaderBinding.Read(builder.Buffer(filter)), ShaderBinding.Write(packed)], push, PackedFloats);
        return packed;
    }

    /// <summary>The packed layout of an OHWI ([units, depth]; channels-last [1, KH, KW, Cout]) filter; host twin of conv_pack.comp.</summary>
    public float[] Pack(ReadOnlySpan<float> filter)
    {
        var packed = new float[PackedFloats];
        for (int oc = 0; oc < OutputChannels; oc++)
        {
            int group = oc / FiltersPerGroup, withinGroup = oc % FiltersPerGroup;
            int block = group * BlocksPerGroup + withinGroup / 8, j = withinGroup % 8;
            for (int tap = 0; tap < Taps; tap++)
                for (int ci = 0; ci < Depth; ci++)
                {
                    int r = tap * Depth + ci;
                    packed[((long)block * BlockOctets + r) * 8 + j] = filter[ChannelsLast ? r * OutputChannels + oc : oc * Taps * Depth + r];
                }
        }
        return packed;
    }

    /// <summary>conv_pack.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PackPush
    {
        public int Reduction, BlockOctets, FiltersPerGroup, BlocksPerGroup;
        public uint Total;
        public int ChannelStride, ReductionStride;
    }
}
