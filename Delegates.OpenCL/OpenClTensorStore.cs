namespace Accel.Delegates.OpenCL;

/// <summary>
/// The device buffer of every tensor the delegate's partitions touch, by tensor index, shared by all partitions so a
/// tensor produced by one partition and read by a later one (PartitionInput.OnDeviceFromSameDelegate) is found on the
/// device. Constants are uploaded once (remembered in <see cref="IsUploaded"/>).
/// </summary>
internal sealed class OpenClTensorStore(OpenClDevice device) : IDisposable
{
    private readonly Dictionary<int, OpenClBuffer> _buffers = new();
    private readonly HashSet<int> _uploadedConstants = new();

    public long DeviceBytes => _buffers.Values.Sum(b => b.Size);

    /// <summary>The tensor's buffer, created (or re-created larger after a re-plan grew the tensor) as needed.</summary>
    public OpenClBuffer BufferFor(Tensor tensor)
    {
        long bytes = Math.Max(4, tensor.ByteSize);
        if (_buffers.TryGetValue(tensor.Index, out var buffer))
        {
            if (buffer.Size >= bytes) return buffer;
            // Partitions compiled for the smaller shape were disposed by the re-plan that grew the tensor.
            device.Release(buffer);
            _buffers.Remove(tensor.Index);
            _uploadedConstants.Remove(tensor.Index);
        }
        buffer = device.CreateBuffer(bytes);
        _buffers[tensor.Index] = buffer;
        return buffer;
    }

    public bool IsUploaded(Tensor constant) => _uploadedConstants.Contains(constant.Index);

    public void MarkUploaded(Tensor constant) => _uploadedConstants.Add(constant.Index);

    public void Dispose()
    {
        foreach (var buffer in _buffers.Values) device.Release(buffer);
        _buffers.Clear();
        _uploadedConstants.Clear();
    }
}
