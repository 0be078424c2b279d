namespace Accel.Delegates.Vulkan;

/// <summary>
/// The device buffer of every tensor the delegate's partitions touch, by tensor index, shared by all partitions so a
/// tensor produced by one partition and read by a later one (PartitionInput.OnDeviceFromSameDelegate) is found on
/// the device. Constants are uploaded once (remembered in <see cref="IsUploaded"/>).
/// </summary>
internal sealed class VulkanTensorStore(VulkanDevice device) : IDisposable
{
    private readonly Dictionary<int, VulkanBuffer> _buffers = new();
    private readonly HashSet<int> _uploadedConstants = new();

    public long DeviceBytes => _buffers.Values.Sum(b => (long)b.AllocationSize);

    /// <summary>The tensor's buffer, created (or re-created larger after a re-plan grew the tensor) as needed.</summary>
    public VulkanBuffer BufferFor(Tensor tensor)
    {
        // Whole words: 8-bit tensors are read and written as packed 32-bit words (Shaders/quant.glsl).
        ulong bytes = (ulong)Math.Max(4, (tensor.ByteSize + 3) & ~3L);
        if (_buffers.TryGetValue(tensor.Index, out var buffer))
        {
            if (buffer.Size >= bytes) return buffer;
            // Partitions compiled for the smaller shape were disposed by the re-plan that grew the tensor.
            device.DestroyBuffer(buffer);
            _buffers.Remove(tensor.Index);
            _uploadedConstants.Remove(tensor.Index);
        }
        buffer = device.CreateBuffer(bytes, hostVisible: false);
        _buffers[tensor.Index] = buffer;
        return buffer;
    }

    public bool IsUploaded(Tensor constant) => _uploadedConstants.Contains(constant.Index);

    public void MarkUploaded(Tensor constant) => _uploadedConstants.Add(constant.Index);

    public void Dispose()
    {
        foreach (var buffer in _buffers.Values) device.DestroyBuffer(buffer);
        _buffers.Clear();
        _uploadedConstants.Clear();
    }
}
