namespace Accel.Delegates.Cpu.Kernels.Gemm;

/// <summary>
/// Native memory for one compiled partition's packed weights (the CONV_2D and FULLY_CONNECTED weight blocks): chunks
/// of <see cref="ChunkBytes"/> that are huge-page mappings (Runtime.Core's NativeBuffer), filled one packed tensor after
/// another, so first touching pose_landmark_heavy's 55 MB of packed weights costs a page fault per 2 MiB rather than
/// per 4 KiB. Freed with the partition (or, if it is never disposed, by the buffers' finalizers). Only made where the
/// core maps large buffers with huge pages (<see cref="LargePageMemory.Enabled"/>); elsewhere the kernels keep pinned
/// arrays.
/// </summary>
internal sealed unsafe class PackedWeightMemory : IDisposable
{
    /// <summary>Chunk size; a tensor at least this large gets a buffer of its own.</summary>
    internal const long ChunkBytes = 4L << 20;

    private const int Alignment = 64;
    private readonly List<NativeBuffer> _buffers = [];
    private NativeBuffer? _chunk;
    private long _used;

    private PackedWeightMemory()
    {
    }

    /// <summary>A new allocator where huge-page mappings are on, else null.</summary>
    public static PackedWeightMemory? CreateIfEnabled() => LargePageMemory.Enabled ? new PackedWeightMemory() : null;

    /// <summary>Bytes reserved so far (chunks and own buffers).</summary>
    public long ReservedBytes { get; private set; }

    /// <summary><paramref name="floats"/> floats aligned to 64 bytes, zero-filled, valid until <see cref="Dispose"/>.</summary>
    public float* Allocate(int floats)
    {
        long bytes = Math.Max(1, (long)floats * sizeof(float));
        if (bytes >= ChunkBytes)
        {
            var own = new NativeBuffer(bytes, zeroed: true);
            _buffers.Add(own);
            ReservedBytes += bytes;
            return (float*)own.Pointer;
        }
        long start = (_used + Alignment - 1) / Alignment * Alignment;
        if (_chunk is null || start + bytes > ChunkBytes)
        {
            _chunk = new NativeBuffer(ChunkBytes, zeroed: true);
            _buffers.Add(_chunk);
            ReservedBytes += ChunkBytes;
            start = 0;
        }
        _used = start + bytes;
        return (float*)(_chunk.Pointer + start);
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers) buffer.Dispose();
        _buffers.Clear();
        (_chunk, _used) = (null, 0);
    }
}
