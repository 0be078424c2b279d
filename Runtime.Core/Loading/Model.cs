namespace Accel;

/// <summary>
/// A verified, zero-copy TFLite model. Constant data stays in the (memory-mapped) file; every structure was checked
/// by <see cref="ModelReader"/> before anything reads it. Immutable: one model may be shared by any number of
/// interpreters on any threads. Dispose to unmap: interpreters built on it hold it alive (their memory stays valid), and
/// the file is unmapped when the last of them is disposed; no new interpreter can be built on a disposed model.
/// </summary>
public sealed unsafe class Model : IDisposable
{
    private readonly ModelMemory _memory;
    private readonly object _leaseGate = new();
    private int _leases;
    private bool _disposeRequested;
    private bool _memoryReleased;
    private readonly ModelRange[] _metadataBuffers;

    // The arrays behind OperatorCodes and Buffers, which the runtime indexes directly: interface calls on arrays of
    // these structs are JIT-compiled at start-up even in a ReadyToRun build (perf/RESULTS.md, cold start).
    private readonly OperatorCode[] _operatorCodes;
    private readonly ModelRange[] _buffers;

    internal Model(ModelMemory memory, uint version, string? description, OperatorCode[] operatorCodes,
        ModelSubgraph[] subgraphs, ModelRange[] buffers, SignatureDefinition[] signatures, string[] metadataNames,
        ModelRange[] metadataBuffers)
    {
        _memory = memory;
        Version = version;
        Description = description;
        OperatorCodes = _operatorCodes = operatorCodes;
        Subgraphs = subgraphs;
        Buffers = _buffers = buffers;
        Signatures = signatures;
        MetadataNames = metadataNames;
        _metadataBuffers = metadataBuffers;
    }

    /// <summary>Maps the file read-only and verifies it. Throws <see cref="ModelFormatException"/> for a malformed file.</summary>
    public static Model FromFile(string path) => FromFile(path, null);

    /// <summary>
    /// As <see cref="FromFile(string)"/>, within <paramref name="options"/>' limits (the defaults when null): a file
    /// over them throws <see cref="ResourceLimitException"/> and nothing stays mapped.
    /// </summary>
    public static Model FromFile(string path, ModelLoadOptions? options)
    {
        var memory = ModelMemory.MapFile(path);
        try
        {
            (options ?? ModelLoadOptions.Default).CheckSize(memory.Length, path);
            return (options ?? ModelLoadOptions.Default).Check(ModelReader.Read(memory), path);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Verifies a model held in the caller's memory, which is pinned (not copied) until disposal.</summary>
    public static Model FromMemory(ReadOnlyMemory<byte> bytes) => FromMemory(bytes, null);

    /// <summary>As <see cref="FromMemory(ReadOnlyMemory{byte})"/>, within <paramref name="options"/>' limits (the defaults when null).</summary>
    public static Model FromMemory(ReadOnlyMemory<byte> bytes, ModelLoadOptions? options)
    {
        (options ?? ModelLoadOptions.Default).CheckSize(bytes.Length, "the model in memory");
        var memory = ModelMemory.Pin(bytes);
        try
        {
            return (options ?? ModelLoadOptions.Default).Check(ModelReader.Read(memory), "the model in memory");
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public static Model FromBytes(byte[] bytes) => FromMemory(bytes);

    /// <summary>As <see cref="FromBytes(byte[])"/>, within <paramref name="options"/>' limits.</summary>
    public static Model FromBytes(byte[] bytes, ModelLoadOptions? options) => FromMemory(bytes, options);

    public uint Version { get; }
    public string? Description { get; }
    public IReadOnlyList<OperatorCode> OperatorCodes { get; }
    public IReadOnlyList<ModelSubgraph> Subgraphs { get; }
    public IReadOnlyList<ModelRange> Buffers { get; }
    public IReadOnlyList<SignatureDefinition> Signatures { get; }
    public IReadOnlyList<string> MetadataNames { get; }

    /// <summary>Total bytes of the model (the mapped file or the caller's buffer).</summary>
    public long SizeInBytes => _memory.Length;
    public bool IsMemoryMapped => _memory.IsMemoryMapped;

    /// <summary>Bytes of constant data across all buffers.</summary>
    public long ConstantBytes => Buffers.Sum(b => b.Length);

    public ModelSubgraph MainSubgraph => Subgraphs[0];

    /// <summary>The bytes of a verified range (a buffer or custom options), without copying.</summary>
    public ReadOnlySpan<byte> GetBytes(ModelRange range)
    {
        ThrowIfReleased();
        return _memory.Span(range.Offset, range.Length);
    }

    /// <summary>
    /// The buffer of the first <c>metadata</c> entry named <paramref name="name"/> (for example TFLite Support's
    /// "TFLITE_METADATA"), without copying; false when the model has none. Its range was verified at load.
    /// </summary>
    public bool TryGetMetadata(string name, out ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < MetadataNames.Count; i++)
        {
            if (MetadataNames[i] != name) continue;
            bytes = GetBytes(_metadataBuffers[i]);
            return true;
        }
        bytes = default;
        return false;
    }

    /// <summary>
    /// Every byte of the model (the file or the caller's buffer), including data appended after the flatbuffer, such as
    /// the zip of associated files that TFLite Support's metadata writer appends. A span holds at most 2 GiB: larger
    /// models throw <see cref="OverflowException"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetFileBytes()
    {
        ThrowIfReleased();
        return _memory.Span(0, _memory.Length);
    }

    /// <summary>A pointer into the model's memory (constants); valid while the caller holds a lease.</summary>
    internal byte* PointerTo(ModelRange range)
    {
        ThrowIfReleased();
        return _memory.Pointer + range.Offset;
    }

    /// <summary>True once <see cref="Dispose"/> was called (the memory may still be held by live interpreters).</summary>
    public bool IsDisposed
    {
        get { lock (_leaseGate) return _disposeRequested; }
    }

    /// <summary>Keeps the memory mapped until <see cref="ReleaseLease"/>; a disposed model gives no new lease.</summary>
    internal void AcquireLease()
    {
        lock (_leaseGate)
        {
            ObjectDisposedException.ThrowIf(_disposeRequested, this);
            _leases++;
        }
    }

    internal void ReleaseLease()
    {
        lock (_leaseGate)
        {
            if (_leases == 0) throw new InvalidOperationException("Model lease released more often than acquired.");
            _leases--;
            if (_leases > 0 || !_disposeRequested) return;
            _memoryReleased = true;
        }
        _memory.Dispose();
    }

    private void ThrowIfReleased()
    {
        // No lock: the flag only goes false → true, after which no reader may touch the memory.
        if (Volatile.Read(ref _memoryReleased)) throw new ObjectDisposedException(nameof(Model), "The model was disposed.");
    }

    /// <summary>The operator code of a node of the main subgraph.</summary>
    public OperatorCode OperatorCodeOf(ModelOperator op) => _operatorCodes[op.OpcodeIndex];

    /// <summary>The byte range of buffer <paramref name="index"/> (<see cref="Buffers"/>[index]).</summary>
    internal ModelRange Buffer(int index) => _buffers[index];

    /// <summary>Unmaps the model now, or when the last interpreter built on it is disposed.</summary>
    public void Dispose()
    {
        lock (_leaseGate)
        {
            if (_disposeRequested) return;
            _disposeRequested = true;
            if (_leases > 0) return;
            _memoryReleased = true;
        }
        _memory.Dispose();
    }
}
