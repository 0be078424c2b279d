using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>A storage buffer bound to a shader, and whether the shader writes it (for barrier placement).</summary>
internal readonly record struct ShaderBinding(VulkanBuffer Buffer, bool Written)
{
    public static ShaderBinding Read(VulkanBuffer buffer) => new(buffer, false);
    public static ShaderBinding Write(VulkanBuffer buffer) => new(buffer, true);
}

/// <summary>What an op may know about the device when it decides whether it supports a node.</summary>
/// <param name="FmaExact">common.glsl's accelFma is a single-rounding fma on this device (checked at start-up).</param>
/// <param name="FmaProblem">Why it is not (the first mismatching case), or null.</param>
/// <param name="SubnormalProblem">
/// Null when subnormals are preserved (guaranteed by DenormPreserve, or measured at start-up); otherwise the flushed
/// case — the delegate then claims only ops that move bits without float arithmetic.
/// </param>
internal sealed record VulkanDeviceInfo(VulkanDeviceDescription Description, VulkanDeviceLimits Limits, VulkanFloatControls FloatControls,
    bool FmaExact, string? FmaProblem, string? SubnormalProblem);

/// <summary>
/// What an op's Build sees while a partition is compiled: device buffers for tensors (constants uploaded once),
/// constant tables, and the commands it records (dispatches, copies, fills). Commands run in the order recorded;
/// memory barriers are inserted automatically wherever a command touches a buffer an earlier one wrote (or reads a
/// buffer a later one overwrites). Everything is created here, at compile time; Invoke only uploads, submits, waits
/// and downloads.
/// </summary>
internal sealed unsafe class VulkanPartitionBuilder
{
    /// <summary>Invocations per workgroup of every elementwise shader (common.glsl's ACCEL_LOCAL_SIZE).</summary>
    public const int LocalSize = 64;

    private readonly VulkanDevice _device;
    private readonly VulkanTensorStore _store;
    private readonly VulkanPipelineCache _pipelines;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _uploadTimeout;
    private readonly List<Command> _commands = new();
    private readonly List<(VulkanBuffer Buffer, byte[] Data, Tensor? Constant)> _pendingUploads = new();
    private readonly List<VulkanBuffer> _ownedTables = new();
    private readonly HashSet<int> _touchedTensors = new();
    private readonly List<VulkanPartitionKernel.StatusCheck> _checks = new();

    public VulkanPartitionBuilder(VulkanDevice device, VulkanDeviceInfo info, VulkanTensorStore store, VulkanPipelineCache pipelines,
        DelegatePartition partition, TimeSpan timeout, TimeSpan uploadTimeout)
    {
        _uploadTimeout = uploadTimeout;
        _device = device;
        Device = info;
        _store = store;
        _pipelines = pipelines;
        Partition = partition;
        _timeout = timeout;
    }

    public VulkanDeviceInfo Device { get; }
    public DelegatePartition Partition { get; }

    /// <summary>The device buffer holding <paramref name="tensor"/> (any dtype, its raw bytes); a constant is uploaded at compile time, once per delegate.</summary>
    public VulkanBuffer Buffer(Tensor tensor)
    {
        var buffer = _store.BufferFor(tensor);
        _touchedTensors.Add(tensor.Index);
        if (tensor.IsConstant && !_store.IsUploaded(tensor) && !_pendingUploads.Exists(u => u.Constant?.Index == tensor.Index))
            _pendingUploads.Add((buffer, tensor.Bytes[..checked((int)tensor.ByteSize)].ToArray(), tensor));
        return buffer;
    }

    /// <summary>A read-only device table owned by this partition (e.g. reciprocals R(n), resize coordinates), uploaded at compile time.</summary>
    public VulkanBuffer Table<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values).ToArray();
        var buffer = _device.CreateBuffer((ulong)bytes.Length, hostVisible: false);
        _ownedTables.Add(buffer);
        if (bytes.Length > 0) _pendingUploads.Add((buffer, bytes, null));
        return buffer;
    }

    /// <summary>
    /// Records one dispatch of <paramref name="shader"/> (Shaders/NAME.comp): storage buffers bound at set 0,
    /// bindings 0..n−1 in the given order; <paramref name="push"/> as the push constants (at most 128 bytes, std430
    /// layout); int specialization constants with constant_id 0, 1, … in the given order.
    /// </summary>
    public void Dispatch<TPush>(string shader, ReadOnlySpan<ShaderBinding> bindings, in TPush push, uint groupsX, uint groupsY = 1,
        uint groupsZ = 1, ReadOnlySpan<int> specialization = default) where TPush : unmanaged
    {
        if (sizeof(TPush) > VulkanPipelineCache.PushConstantBytes)
            throw new ArgumentException($"push constants of {shader} are {sizeof(TPush)} bytes; at most {VulkanPipelineCache.PushConstantBytes}");
        if (groupsX == 0 || groupsY == 0 || groupsZ == 0) return;
        if (groupsX > Device.Limits.MaxWorkGroupCountX)
            throw new ArgumentException($"{shader}: {groupsX} workgroups exceed the device's maxComputeWorkGroupCount[0] {Device.Limits.MaxWorkGroupCountX}");
        var pipeline = _pipelines.Get(shader, bindings.Length, specialization);
        var pushBytes = new byte[sizeof(TPush)];
        Unsafe.WriteUnaligned(ref pushBytes[0], push);
        _commands.Add(new DispatchCommand(pipeline, bindings.ToArray(), pushBytes, groupsX, groupsY, groupsZ));
    }

    /// <summary>
    /// A dispatch for an elementwise shader that walks [0, <paramref name="elements"/>) with common.glsl's
    /// ACCEL_FOR_EACH grid-stride loop: ⌈elements / 64⌉ workgroups, capped at 65,535 (each invocation then handles
    /// several elements). Nothing is recorded for zero elements.
    /// </summary>
    public void DispatchElements<TPush>(string shader, ReadOnlySpan<ShaderBinding> bindings, in TPush push, long elements,
        ReadOnlySpan<int> specialization = default) where TPush : unmanaged
    {
        if (elements <= 0) return;
        long groups = Math.Min((elements + LocalSize - 1) / LocalSize, Math.Min(65535, Device.Limits.MaxWorkGroupCountX));
        Dispatch(shader, bindings, push, (uint)groups, 1, 1, specialization);
    }

    /// <summary>Records a device-side copy of <paramref name="bytes"/> bytes (both offsets 0).</summary>
    public void Copy(VulkanBuffer source, VulkanBuffer destination, ulong bytes)
    {
        if (bytes > 0) _commands.Add(new CopyCommand(source, 0, destination, 0, bytes));
    }

    /// <summary>Records vkCmdFillBuffer: the first <paramref name="bytes"/> (a multiple of 4) set to the 32-bit <paramref name="value"/>.</summary>
    public void Fill(VulkanBuffer destination, ulong bytes, uint value)
    {
        if (bytes % 4 != 0) throw new ArgumentException("fill size must be a multiple of 4 bytes");
        if (bytes > 0) _commands.Add(new FillCommand(destination, bytes, value));
    }

    /// <summary>
    /// Records the reference's Invoke-time check of every element of <paramref name="input"/> (int8, uint8 or int16)
    /// against <paramref name="bound"/> (<paramref name="condition"/>: below it, or equal to it) — Shaders/domain_check.comp:
    /// the first offender's index and value into a host-visible status buffer, reset by a fill each run. Invoke reads the
    /// status after the last fence, before any output is copied to the host, and throws <paramref name="error"/>(index,
    /// value) when an element offended.
    /// </summary>
    public void CheckInput(Tensor input, InputCondition condition, int bound, Func<int, int, Exception> error)
    {
        if (input.ElementCount == 0) return;
        var status = _device.CreateBuffer(16, hostVisible: true);
        _ownedTables.Add(status);
        int bits = input.Type switch { TensorType.Int32 => 32, TensorType.Int16 => 16, _ => 8 };
        int signed = input.Type == TensorType.UInt8 ? 0 : 1;
        int equal = condition == InputCondition.Equal ? 1 : 0;
        var push = new DomainCheckPush { Total = (uint)input.ElementCount, Bound = bound };
        Fill(status, 8, InputDomain.NoElement);
        DispatchElements("domain_check", [ShaderBinding.Read(Buffer(input)), ShaderBinding.Write(status)], push, input.ElementCount, [0, bits, equal, signed]);
        Dispatch("domain_check", [ShaderBinding.Read(Buffer(input)), ShaderBinding.Write(status)], push, 1, 1, 1, [1, bits, equal, signed]);
        _checks.Add(new VulkanPartitionKernel.StatusCheck(status, error));
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DomainCheckPush
    {
        public uint Total;
        public int Bound;
    }

    /// <summary>Uploads pending constants, allocates staging, descriptors, the fence, and records the one command buffer.</summary>
    public VulkanPartitionKernel Finish(Action<VulkanPartitionKernel> onDispose)
    {
        UploadPending();

        var uploads = new List<VulkanPartitionKernel.Transfer>();
        var downloads = new List<VulkanPartitionKernel.Transfer>();
        var commands = new List<Command>();
        ulong uploadBytes = 0, downloadBytes = 0;
        foreach (var input in Partition.Inputs)
        {
            var tensor = input.Tensor;
            if (input.OnDeviceFromSameDelegate || tensor.IsConstant || !_touchedTensors.Contains(tensor.Index) || tensor.ByteSize == 0) continue;
            uploads.Add(new(tensor, uploadBytes, checked((int)tensor.ByteSize)));
            uploadBytes += Align((ulong)tensor.ByteSize);
        }
        foreach (var output in Partition.Outputs)
        {
            var tensor = output.Tensor;
            if (!output.NeededOnHost || !_touchedTensors.Contains(tensor.Index) || tensor.ByteSize == 0) continue;
            downloads.Add(new(tensor, downloadBytes, checked((int)tensor.ByteSize)));
            downloadBytes += Align((ulong)tensor.ByteSize);
        }

        var kernel = new VulkanPartitionKernel(_device, Partition.Index, _timeout, onDispose, Partition.Cancellation);
        try
        {
            kernel.Tables.AddRange(_ownedTables);
            _ownedTables.Clear();
            kernel.Checks = _checks.ToArray();
            if (uploads.Count > 0) kernel.InputStaging = _device.CreateBuffer(uploadBytes, hostVisible: true);
            if (downloads.Count > 0) kernel.OutputStaging = _device.CreateBuffer(downloadBytes, hostVisible: true);
            kernel.Uploads = uploads.ToArray();
            kernel.Downloads = downloads.ToArray();
            foreach (var u in uploads)
                commands.Add(new CopyCommand(kernel.InputStaging!, u.Offset, _store.BufferFor(u.Tensor), 0, (ulong)u.Bytes));
            commands.AddRange(_commands);
            foreach (var d in downloads)
                commands.Add(new CopyCommand(_store.BufferFor(d.Tensor), 0, kernel.OutputStaging!, d.Offset, (ulong)d.Bytes));
            kernel.DescriptorPool = CreateDescriptorPool(commands);
            kernel.DispatchCount = commands.Count(c => c is DispatchCommand);
            // One command buffer per segment, so that Invoke can stop between submissions when cancelled.
            int segments = Math.Max(1, (commands.Count + VulkanPartitionKernel.SegmentCommands - 1) / VulkanPartitionKernel.SegmentCommands);
            kernel.CommandBuffers = new CommandBuffer[segments];
            kernel.Fences = new Fence[segments];
            for (int i = 0; i < segments; i++)
            {
                kernel.Fences[i] = _device.CreateFence();
                kernel.CommandBuffers[i] = _device.AllocateCommandBuffer();
                int start = i * VulkanPartitionKernel.SegmentCommands;
                Record(kernel.CommandBuffers[i], kernel.DescriptorPool,
                    commands.GetRange(start, Math.Min(VulkanPartitionKernel.SegmentCommands, commands.Count - start)));
            }
            return kernel;
        }
        catch
        {
            kernel.Dispose();
            throw;
        }
    }

    /// <summary>Frees what Build created for this partition alone (tables) when compilation fails.</summary>
    public void Abandon()
    {
        foreach (var table in _ownedTables) _device.DestroyBuffer(table);
        _ownedTables.Clear();
    }

    private static ulong Align(ulong bytes) => (bytes + 15) & ~15UL;

    private void UploadPending()
    {
        if (_pendingUploads.Count == 0) return;
        ulong total = 0;
        foreach (var u in _pendingUploads) total += Align((ulong)u.Data.Length);
        var staging = _device.CreateBuffer(total, hostVisible: true);
        try
        {
            ulong offset = 0;
            var regions = new List<(VulkanBuffer Destination, ulong Offset, ulong Bytes)>();
            foreach (var (buffer, data, _) in _pendingUploads)
            {
                data.CopyTo(staging.HostSpan(offset, data.Length));
                regions.Add((buffer, offset, (ulong)data.Length));
                offset += Align((ulong)data.Length);
            }
            _device.RunOnce(_uploadTimeout, commandBuffer =>
            {
                foreach (var (destination, sourceOffset, bytes) in regions)
                {
                    var copy = new BufferCopy { SrcOffset = sourceOffset, DstOffset = 0, Size = bytes };
                    _device.Api.CmdCopyBuffer(commandBuffer, staging.Handle, destination.Handle, 1, &copy);
                }
            });
        }
        finally
        {
            _device.DestroyBuffer(staging);
        }
        foreach (var (_, _, constant) in _pendingUploads)
            if (constant is not null) _store.MarkUploaded(constant);
        _pendingUploads.Clear();
    }

    private DescriptorPool CreateDescriptorPool(List<Command> commands)
    {
        int sets = 0, descriptors = 0;
        foreach (var command in commands)
            if (command is DispatchCommand d)
            {
                sets++;
                descriptors += d.Bindings.Length;
            }
        if (sets == 0) return default;
        var size = new DescriptorPoolSize { Type = DescriptorType.StorageBuffer, DescriptorCount = (uint)Math.Max(1, descriptors) };
        var info = new DescriptorPoolCreateInfo
        {
            SType = StructureType.DescriptorPoolCreateInfo,
            MaxSets = (uint)sets,
            PoolSizeCount = 1,
            PPoolSizes = &size,
        };
        DescriptorPool pool;
        _device.Check(_device.Api.CreateDescriptorPool(_device.Device, &info, null, &pool), "vkCreateDescriptorPool");
        _device.Objects.Created(VulkanObjectKind.DescriptorPool);
        return pool;
    }

    private void Record(CommandBuffer commandBuffer, DescriptorPool pool, List<Command> commands)
    {
        var api = _device.Api;
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo };
        _device.Check(api.BeginCommandBuffer(commandBuffer, &begin), "vkBeginCommandBuffer");

        const PipelineStageFlags work = PipelineStageFlags.ComputeShaderBit | PipelineStageFlags.TransferBit;
        const AccessFlags writes = AccessFlags.ShaderWriteBit | AccessFlags.TransferWriteBit;
        const AccessFlags all = AccessFlags.ShaderReadBit | AccessFlags.ShaderWriteBit | AccessFlags.TransferReadBit | AccessFlags.TransferWriteBit;
        // Earlier submissions (other partitions, the previous run or segment of this one) wrote buffers this one reads or rewrites.
        Barrier(commandBuffer, work, writes, work, all);

        var written = new HashSet<VulkanBuffer>(ReferenceEqualityComparer.Instance);
        var read = new HashSet<VulkanBuffer>(ReferenceEqualityComparer.Instance);
        foreach (var command in commands)
        {
            bool hazard = false;
            foreach (var (buffer, writes_) in command.Accesses())
                hazard |= written.Contains(buffer) || (writes_ && read.Contains(buffer));
            if (hazard)
            {
                Barrier(commandBuffer, work, writes, work, all);
                written.Clear();
                read.Clear();
            }
            foreach (var (buffer, writes_) in command.Accesses())
                (writes_ ? written : read).Add(buffer);
            command.Record(this, commandBuffer, pool);
        }
        // Downloads (and any device write) must be visible to the host once the fence has signalled.
        Barrier(commandBuffer, work, writes, PipelineStageFlags.HostBit, AccessFlags.HostReadBit);
        _device.Check(api.EndCommandBuffer(commandBuffer), "vkEndCommandBuffer");
    }

    private void Barrier(CommandBuffer commandBuffer, PipelineStageFlags source, AccessFlags sourceAccess, PipelineStageFlags destination,
        AccessFlags destinationAccess)
    {
        var barrier = new MemoryBarrier { SType = StructureType.MemoryBarrier, SrcAccessMask = sourceAccess, DstAccessMask = destinationAccess };
        _device.Api.CmdPipelineBarrier(commandBuffer, source, destination, 0, 1, &barrier, 0, null, 0, null);
    }

    private abstract record Command
    {
        public abstract IEnumerable<(VulkanBuffer Buffer, bool Writes)> Accesses();
        public abstract void Record(VulkanPartitionBuilder builder, CommandBuffer commandBuffer, DescriptorPool pool);
    }

    private sealed record DispatchCommand(VulkanPipeline Pipeline, ShaderBinding[] Bindings, byte[] Push, uint X, uint Y, uint Z) : Command
    {
        public override IEnumerable<(VulkanBuffer, bool)> Accesses() => Bindings.Select(b => (b.Buffer, b.Written));

        public override void Record(VulkanPartitionBuilder builder, CommandBuffer commandBuffer, DescriptorPool pool)
        {
            var device = builder._device;
            var api = device.Api;
            var setLayout = Pipeline.SetLayout;
            var allocate = new DescriptorSetAllocateInfo
            {
                SType = StructureType.DescriptorSetAllocateInfo,
                DescriptorPool = pool,
                DescriptorSetCount = 1,
                PSetLayouts = &setLayout,
            };
            DescriptorSet set;
            device.Check(api.AllocateDescriptorSets(device.Device, &allocate, &set), "vkAllocateDescriptorSets");
            var infos = stackalloc DescriptorBufferInfo[Math.Max(1, Bindings.Length)];
            var writes = stackalloc WriteDescriptorSet[Math.Max(1, Bindings.Length)];
            for (int i = 0; i < Bindings.Length; i++)
            {
                infos[i] = new DescriptorBufferInfo { Buffer = Bindings[i].Buffer.Handle, Offset = 0, Range = Vk.WholeSize };
                writes[i] = new WriteDescriptorSet
                {
                    SType = StructureType.WriteDescriptorSet,
                    DstSet = set,
                    DstBinding = (uint)i,
                    DescriptorCount = 1,
                    DescriptorType = DescriptorType.StorageBuffer,
                    PBufferInfo = &infos[i],
                };
            }
            if (Bindings.Length > 0) api.UpdateDescriptorSets(device.Device, (uint)Bindings.Length, writes, 0, null);
            api.CmdBindPipeline(commandBuffer, PipelineBindPoint.Compute, Pipeline.Handle);
            api.CmdBindDescriptorSets(commandBuffer, PipelineBindPoint.Compute, Pipeline.Layout, 0, 1, &set, 0, null);
            if (Push.Length > 0)
                fixed (byte* push = Push)
                    api.CmdPushConstants(commandBuffer, Pipeline.Layout, ShaderStageFlags.ComputeBit, 0, (uint)Push.Length, push);
            api.CmdDispatch(commandBuffer, X, Y, Z);
        }
    }

    private sealed record CopyCommand(VulkanBuffer Source, ulong SourceOffset, VulkanBuffer Destination, ulong DestinationOffset, ulong Bytes) : Command
    {
        public override IEnumerable<(VulkanBuffer, bool)> Accesses() => [(Source, false), (Destination, true)];

        public override void Record(VulkanPartitionBuilder builder, CommandBuffer commandBuffer, DescriptorPool pool)
        {
            var copy = new BufferCopy { SrcOffset = SourceOffset, DstOffset = DestinationOffset, Size = Bytes };
            builder._device.Api.CmdCopyBuffer(commandBuffer, Source.Handle, Destination.Handle, 1, &copy);
        }
    }

    private sealed record FillCommand(VulkanBuffer Destination, ulong Bytes, uint Value) : Command
    {
        public override IEnumerable<(VulkanBuffer, bool)> Accesses() => [(Destination, true)];

        public override void Record(VulkanPartitionBuilder builder, CommandBuffer commandBuffer, DescriptorPool pool) =>
            builder._device.Api.CmdFillBuffer(commandBuffer, Destination.Handle, 0, Bytes, Value);
    }
}
