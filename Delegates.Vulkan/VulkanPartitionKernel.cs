using Silk.NET.Vulkan;

namespace Accel.Delegates.Vulkan;

/// <summary>
/// A compiled partition: one command buffer recorded at compile time and re-submitted on every Invoke. Invoke copies
/// the boundary inputs into mapped staging memory, submits, waits on the fence (bounded by the delegate's timeout)
/// and copies the host-needed outputs back; it allocates nothing on the managed heap.
/// </summary>
internal sealed class VulkanPartitionKernel : IPartitionKernel
{
    /// <summary>A boundary tensor and its region in a staging buffer.</summary>
    public readonly record struct Transfer(Tensor Tensor, ulong Offset, int Bytes);

    private readonly VulkanDevice _device;
    private readonly int _partitionIndex;
    private readonly TimeSpan _timeout;
    private readonly Action<VulkanPartitionKernel> _onDispose;
    private bool _pending;
    private bool _disposed;

    public VulkanPartitionKernel(VulkanDevice device, int partitionIndex, TimeSpan timeout, Action<VulkanPartitionKernel> onDispose)
    {
        _device = device;
        _partitionIndex = partitionIndex;
        _timeout = timeout;
        _onDispose = onDispose;
    }

    public CommandBuffer CommandBuffer { get; set; }
    public Fence Fence { get; set; }
    public DescriptorPool DescriptorPool { get; set; }
    public VulkanBuffer? InputStaging { get; set; }
    public VulkanBuffer? OutputStaging { get; set; }
    public Transfer[] Uploads { get; set; } = [];
    public Transfer[] Downloads { get; set; } = [];
    public List<VulkanBuffer> Tables { get; } = new();
    public int DispatchCount { get; set; }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A run that timed out earlier may still be executing: its command buffer cannot be re-submitted until it ends.
        if (_pending) WaitForCompletion("a previous run of this partition (that timed out)");
        foreach (var upload in Uploads)
        {
            var source = upload.Tensor.Bytes;
            source[..Math.Min(source.Length, upload.Bytes)].CopyTo(InputStaging!.HostSpan(upload.Offset, upload.Bytes));
        }
        _device.ResetFence(Fence);
        _device.Submit(CommandBuffer, Fence);
        _pending = true;
        WaitForCompletion("the submitted command buffer");
        foreach (var download in Downloads)
        {
            var destination = download.Tensor.WritableBytes;
            int bytes = Math.Min(destination.Length, download.Bytes);
            OutputStaging!.HostSpan(download.Offset, bytes).CopyTo(destination);
        }
    }

    private void WaitForCompletion(string what)
    {
        var result = _device.Wait(Fence, _timeout);
        if (result == Result.Timeout)
            throw new VulkanException(
                $"partition {_partitionIndex}: {what} did not finish within the fence timeout of {_timeout.TotalSeconds:0.######} s " +
                "(the device may be hung; the next Invoke waits for it again before re-submitting)", Result.Timeout);
        if (result != Result.Success)
            throw new VulkanException(
                result == Result.ErrorDeviceLost
                    ? $"partition {_partitionIndex}: the Vulkan device was lost (VK_ERROR_DEVICE_LOST)"
                    : $"partition {_partitionIndex}: vkWaitForFences failed: {result}", result);
        _pending = false;
    }

    /// <summary>True when Dispose had to leave a still-running submission's resources alive (the device never finished it).</summary>
    public bool Abandoned { get; private set; }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Never destroy what a still-running submission uses: wait (bounded); if it never ends, leak rather than crash.
        if (_pending && Fence.Handle != 0)
        {
            var result = _device.Wait(Fence, _timeout > VulkanDevice.AbandonGrace ? _timeout : VulkanDevice.AbandonGrace);
            if (result == Result.Timeout)
            {
                Abandoned = true;
                _device.HasAbandonedWork = true;
                _onDispose(this);
                return;
            }
            _pending = false;
        }
        _onDispose(this);
        if (CommandBuffer.Handle != 0) _device.FreeCommandBuffer(CommandBuffer);
        if (Fence.Handle != 0) _device.DestroyFence(Fence);
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
