using System.Runtime.InteropServices;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The filter layout Shaders/conv_block.glsl reads (CONV_2D, FULLY_CONNECTED, Convolution2DTransposeBias; and
/// depthwise_conv2d.comp): output channels in blocks of <see cref="BlockSize"/> (8, or 1 for layers with at most two
/// filters per group, whose blocks of 8 would mostly compute nothing) within each group; a block's weights run over the
/// reduction index r = tap·depth + ci in the reference's order, the block's channels side by side, zero-padded to a
/// multiple of 64 floats (8 "octets" of 8 floats, one per lane of a load round; padding is loaded, never used):
/// packed[block·blockFloats + r·blockSize + j] = filter[oc = group·perGroup + (block mod blocksPerGroup)·blockSize + j][r].
/// DEPTHWISE_CONV_2D (depth 1) has its filter channels-last, [tap][oc] (<paramref name="ChannelsLast"/>), and always
/// blocks of 8. Only the memory layout changes; the shaders' order of fma steps is the reference's.
/// </summary>
internal readonly record struct ConvPacking(int OutputChannels, int Taps, int Depth, int Groups, bool ChannelsLast = false)
{
    public int FiltersPerGroup => OutputChannels / Groups;
    public bool SingleChannel => !ChannelsLast && FiltersPerGroup <= 2;
    public int BlockSize => SingleChannel ? 1 : 8;
    public int BlocksPerGroup => (FiltersPerGroup + BlockSize - 1) / BlockSize;
    public int Blocks => BlocksPerGroup * Groups;
    public long Reduction => (long)Taps * Depth;
    public long BlockFloats => (Reduction * BlockSize + 63) / 64 * 64;
    /// <summary>Octets (8 floats) per block: the shaders' unit of weight loads.</summary>
    public int BlockOctets => (int)(BlockFloats / 8);
    public long PackedFloats => Blocks * BlockFloats;

    /// <summary>Null when the packed filter fits one storage buffer and int32 indices; otherwise the refusal.</summary>
    public string? Refusal(string op, VulkanDeviceInfo device)
    {
        if (PackedFloats > int.MaxValue || PackedFloats * 4 > (long)Math.Min(device.Limits.MaxStorageBufferRange, int.MaxValue))
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
            Reduction = (int)Reduction, BlockFloats = (int)BlockFloats, FiltersPerGroup = FiltersPerGroup,
            BlocksPerGroup = BlocksPerGroup, Total = (uint)PackedFloats, BlockSize = BlockSize,
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
            long block = group * BlocksPerGroup + withinGroup / BlockSize, j = withinGroup % BlockSize;
            for (long r = 0; r < Reduction; r++)
                packed[block * BlockFloats + r * BlockSize + j] = filter[(int)(ChannelsLast ? r * OutputChannels + oc : oc * Reduction + r)];
        }
        return packed;
    }

    /// <summary>conv_pack.comp's push constants.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PackPush
    {
        public int Reduction, BlockFloats, FiltersPerGroup, BlocksPerGroup;
        public uint Total;
        public int ChannelStride, ReductionStride, BlockSize;
    }
}
