namespace Accel;

/// <summary>
/// A verified, zero-copy TFLite model. Constant data stays in the (memory-mapped) file; every structure was checked
/// by <see cref="ModelReader"/> before anything reads it. Dispose to unmap; interpreters using it must be disposed first.
/// </summary>
public sealed unsafe class Model : IDisposable
{
    private readonly ModelMemory _memory;

    internal Model(ModelMemory memory, uint version, string? description, OperatorCode[] operatorCodes,
        ModelSubgraph[] subgraphs, ModelRange[] buffers, SignatureDefinition[] signatures, string[] metadataNames)
    {
        _memory = memory;
        Version = version;
        Description = description;
        OperatorCodes = operatorCodes;
        Subgraphs = subgraphs;
        Buffers = buffers;
        Signatures = signatures;
        MetadataNames = metadataNames;
    }

    /// <summary>Maps the file read-only and verifies it. Throws <see cref="ModelFormatException"/> for a malformed file.</summary>
    public static Model FromFile(string path)
    {
        var memory = ModelMemory.MapFile(path);
        try
        {
            return ModelReader.Read(memory);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>Verifies a model held in the caller's memory, which is pinned (not copied) until disposal.</summary>
    public static Model FromMemory(ReadOnlyMemory<byte> bytes)
    {
        var memory = ModelMemory.Pin(bytes);
        try
        {
            return ModelReader.Read(memory);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public static Model FromBytes(byte[] bytes) => FromMemory(bytes);

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
    public ReadOnlySpan<byte> GetBytes(ModelRange range) => _memory.Span(range.Offset, range.Length);

    /// <summary>Custom options as a memory slice (copied once at load, they are tiny).</summary>
    internal byte* PointerTo(ModelRange range) => _memory.Pointer + range.Offset;

    /// <summary>The operator code of a node of the main subgraph.</summary>
    public OperatorCode OperatorCodeOf(ModelOperator op) => OperatorCodes[op.OpcodeIndex];

    public void Dispose() => _memory.Dispose();
}
