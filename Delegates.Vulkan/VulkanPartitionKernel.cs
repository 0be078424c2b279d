using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>
/// A compiled partition: command buffers recorded at compile time (one per segment of at most
/// <see cref="SegmentCommands"/> commands) and re-submitted on every Invoke. Invoke copies the boundary inputs into
/// mapped staging memory, submits the segments in order (at most two in flight, so the device does not idle while the
/// host checks for cancellation between submissions), waits on their fences (bounded by the delegate's timeout) and
/// copies the host-needed outputs back — unless an input check recorded by
/// <see cref="VulkanPartitionBuilder.CheckInput"/> failed, which throws the reference's error first; it allocates nothing on the managed heap.
/// </summary>
internal sealed class VulkanPartitionKernel : IPartitionKernel
{
    /// <summary>A boundary tensor and its region in a staging buffer.</summary>
    public readonly record struct Transfer(Tensor Tensor, ulong Offset, int Bytes);

    /// <summary>An Invoke-time input check: its host-visible status (first offending index, its value) and the error it raises.</summary>
    public readonly record struct StatusCheck(VulkanBuffer Status, Func<int, int, Exception> Error);

    private readonly VulkanDevice _device;
    private readonly int _partitionIndex;
    private readonly TimeSpan _timeout;
    /// <summary>Commands (dispatches, copies, fills) per command buffer: a cancelled Invoke stops at the next segment.</summary>
    public const int SegmentCommands = 32;

    private readonly Action<VulkanPartitionKernel> _onDispose;
    private readonly PartitionCancellation _cancellation;
    private int _submitted; // segments of the latest run submitted …
    private int _completed; // … and of those, the ones whose fence was seen signalled
    private bool _disposed;

    public VulkanPartitionKernel(VulkanDevice device, int partitionIndex, TimeSpan timeout, Action<VulkanPartitionKernel> onDispose,
        PartitionCancellation? cancellation = null)
    {
        _device = device;
        _partitionIndex = partitionIndex;
        _timeout = timeout;
        _onDispose = onDispose;
        _cancellation = cancellation ?? PartitionCancellation.None;
    }

    private bool Pending => _completed < _submitted;

    public CommandBuffer[] CommandBuffers { get; set; } = [];
    public Fence[] Fences { get; set; } = [];
    public DescriptorPool DescriptorPool { get; set; }
    public VulkanBuffer? InputStaging { get; set; }
    public VulkanBuffer? OutputStaging { get; set; }
    public Transfer[] Uploads { get; set; } = [];
    public Transfer[] Downloads { get; set; } = [];
    public List<VulkanBuffer> Tables { get; } = new();
    /// <summary>The partition's input checks in node order (their status buffers are among <see cref="Tables"/>).</summary>
    public StatusCheck[] Checks { get; set; } = [];
    public int DispatchCount { get; set; }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A run that timed out earlier may still be executing: its command buffers cannot be re-submitted until it ends.
        if (Pending) WaitThrough(_submitted, "a previous run of this partition (that timed out)");
        foreach (var upload in Uploads)
        {
            var source = upload.Tensor.Bytes;
            source[..Math.Min(source.Length, upload.Bytes)].CopyTo(InputStaging!.HostSpan(upload.Offset, upload.Bytes));
        }
        _submitted = _completed = 0;
        for (int segment = 0; segment < CommandBuffers.Length; segment++)
        {
            if (segment > 0 && _cancellation.IsCancellationRequested)
            {
                // Nothing submitted may outlive the invoke: wait for it, then stop before the next segment.
                WaitThrough(_submitted, "the submissions before the cancellation");
                _cancellation.ThrowIfCancellationRequested();
            }
            _device.ResetFence(Fences[segment]);
            _device.Submit(CommandBuffers[segment], Fences[segment]);
            _submitted = segment + 1;
            WaitThrough(segment, "a submitted segment"); // the earlier segments, while this one runs
        }
        WaitThrough(_submitted, "the submitted command buffer");
        // The reference's Invoke-time errors, the first node's in execution order, before any output reaches the host.
        foreach (var check in Checks)
        {
            var status = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(check.Status.HostSpan(0, 8));
            if (status[0] != InputDomain.NoElement) throw check.Error((int)status[0], (int)status[1]);
        }
        foreach (var download in Downloads)
        {
            var destination = download.Tensor.WritableBytes;
            int bytes = Math.Min(destination.Length, download.Bytes);
            OutputStaging!.HostSpan(download.Offset, bytes).CopyTo(destination);
        }
    }

    /// <summary>Waits (bounded) for the fences of the submitted segments before <paramref name="end"/>.</summary>
    private void WaitThrough(int end, string what)
    {
        for (; _completed < end; _completed++)
        {
            var result = _device.Wait(Fences[_completed], _timeout);
            if (result == Result.Timeout)
                throw new VulkanException(
                    $"partition {_partitionIndex}: {what} did not finish within the fence timeout of {_timeout.TotalSeconds:0.######} s " +
                    "(the device may be hung; the next Invoke waits for it again before re-submitting)", Result.Timeout);
            if (result != Result.Success)
                throw new VulkanException(
                    result == Result.ErrorDeviceLost
                        ? $"partition {_partitionIndex}: the Vulkan device was lost (VK_ERROR_DEVICE_LOST)"
                        : $"partition {_partitionIndex}: vkWaitForFences failed: {result}", result);
        }
    }

    /// <summary>True when Dispose had to leave a still-running submission's resources alive (the device never finished it).</summary>
    public bool Abandoned { get; private set; }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Never destroy what a still-running submission uses: wait (bounded); if it never ends, leak rather than crash.
        for (; _completed < _submitted; _completed++)
        {
            var result = _device.Wait(Fences[_completed], _timeout > VulkanDevice.AbandonGrace ? _timeout : VulkanDevice.AbandonGrace);
            if (result == Result.Timeout)
            {
                Abandoned = true;
                _device.HasAbandonedWork = true;
                _onDispose(this);
                return;
            }
            if (result != Result.Success) break; // the device is lost: nothing runs any more
        }
        _onDispose(this);
        foreach (var commandBuffer in CommandBuffers)
            if (commandBuffer.Handle != 0) _device.FreeCommandBuffer(commandBuffer);
        foreach (var fence in Fences)
            if (fence.Handle != 0) _device.DestroyFence(fence);
        if (DescriptorPool.Handle != 0)
            unsafe
            {
                _device.Api.DestroyDescriptorPool(_device.Device, DescriptorPool, null); // frees its sets
                _device.Objects.Destroyed(VulkanObjectKind.DescriptorPool);
            }
        if (InputStaging is not null) _device.DestroyBuffer(InputStaging);
        if (OutputStaging is not null) _device.DestroyBuffer(OutputStaging);
        foreach (var table in Tables) _device.DestroyBuffer(table);
        Tables.Clear();
    }
}
