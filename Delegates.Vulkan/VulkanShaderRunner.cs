using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>
/// Runs one embedded shader once on host arrays (host-visible buffers, one dispatch, bounded wait): for the device's
/// numerics self-checks and for tests of a shader in isolation. Not for inference, which goes through partitions.
/// </summary>
internal static unsafe class VulkanShaderRunner
{
    /// <summary>
    /// Binds <paramref name="inputs"/> then <paramref name="outputLengths"/> fresh outputs (bindings 0..n−1), pushes
    /// { uint total = <paramref name="total"/> }, dispatches the grid-stride workgroups and returns the outputs' words.
    /// </summary>
    public static uint[][] Run(VulkanDevice device, VulkanPipelineCache pipelines, string shader, uint[][] inputs, int[] outputLengths,
        uint total, TimeSpan timeout, ReadOnlySpan<int> specialization = default)
    {
        var buffers = new List<VulkanBuffer>();
        DescriptorPool pool = default;
        try
        {
            foreach (var input in inputs)
            {
                var buffer = device.CreateBuffer((ulong)input.Length * 4, hostVisible: true);
                buffers.Add(buffer);
                MemoryMarshal.AsBytes(input.AsSpan()).CopyTo(buffer.HostSpan(0, input.Length * 4));
            }
            foreach (int length in outputLengths) buffers.Add(device.CreateBuffer((ulong)length * 4, hostVisible: true));
            var pipeline = pipelines.Get(shader, buffers.Count, specialization);

            var size = new DescriptorPoolSize { Type = DescriptorType.StorageBuffer, DescriptorCount = (uint)buffers.Count };
            var poolInfo = new DescriptorPoolCreateInfo { SType = StructureType.DescriptorPoolCreateInfo, MaxSets = 1, PoolSizeCount = 1, PPoolSizes = &size };
            device.Check(device.Api.CreateDescriptorPool(device.Device, &poolInfo, null, &pool), "vkCreateDescriptorPool");
            device.Objects.Created(VulkanObjectKind.DescriptorPool);
            var setLayout = pipeline.SetLayout;
            var allocate = new DescriptorSetAllocateInfo
            {
                SType = StructureType.DescriptorSetAllocateInfo, DescriptorPool = pool, DescriptorSetCount = 1, PSetLayouts = &setLayout,
            };
            var set = stackalloc DescriptorSet[1];
            device.Check(device.Api.AllocateDescriptorSets(device.Device, &allocate, set), "vkAllocateDescriptorSets");
            var infos = new DescriptorBufferInfo[buffers.Count];
            var writes = new WriteDescriptorSet[buffers.Count];
            fixed (DescriptorBufferInfo* info = infos)
            fixed (WriteDescriptorSet* write = writes)
            {
                for (int i = 0; i < buffers.Count; i++)
                {
                    info[i] = new DescriptorBufferInfo { Buffer = buffers[i].Handle, Offset = 0, Range = Vk.WholeSize };
                    write[i] = new WriteDescriptorSet
                    {
                        SType = StructureType.WriteDescriptorSet, DstSet = set[0], DstBinding = (uint)i, DescriptorCount = 1,
                        DescriptorType = DescriptorType.StorageBuffer, PBufferInfo = &info[i],
                    };
                }
                device.Api.UpdateDescriptorSets(device.Device, (uint)buffers.Count, write, 0, null);
            }
            uint groups = (uint)Math.Clamp((total + 63) / 64, 1, 65535);
            var setPointer = set;
            device.RunOnce(timeout, commandBuffer =>
            {
                device.Api.CmdBindPipeline(commandBuffer, PipelineBindPoint.Compute, pipeline.Handle);
                device.Api.CmdBindDescriptorSets(commandBuffer, PipelineBindPoint.Compute, pipeline.Layout, 0, 1, setPointer, 0, null);
                uint push = total;
                device.Api.CmdPushConstants(commandBuffer, pipeline.Layout, ShaderStageFlags.ComputeBit, 0, 4, &push);
                device.Api.CmdDispatch(commandBuffer, groups, 1, 1);
                var barrier = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = AccessFlags.ShaderWriteBit, DstAccessMask = AccessFlags.HostReadBit };
                device.Api.CmdPipelineBarrier(commandBuffer, PipelineStageFlags.ComputeShaderBit, PipelineStageFlags.HostBit, 0, 1, &barrier, 0, null, 0, null);
            });
            var results = new uint[outputLengths.Length][];
            for (int o = 0; o < outputLengths.Length; o++)
            {
                results[o] = new uint[outputLengths[o]];
                buffers[inputs.Length + o].HostSpan(0, outputLengths[o] * 4).CopyTo(MemoryMarshal.AsBytes(results[o].AsSpan()));
            }
            return results;
        }
        finally
        {
            if (pool.Handle != 0)
            {
                device.Api.DestroyDescriptorPool(device.Device, pool, null);
                device.Objects.Destroyed(VulkanObjectKind.DescriptorPool);
            }
            foreach (var buffer in buffers) device.DestroyBuffer(buffer);
        }
    }
}
