using Accel.Delegates.Hexagon.Transport;

namespace Accel.Delegates.Hexagon;

/// <summary>
/// Lays one partition out in DSP shared memory (every tensor its own 128-byte-aligned slot, so HVX loads are aligned;
/// constants and tables written once at compile) and builds its node table (README.md §Node table).
/// </summary>
internal sealed class HexagonGraphBuilder
{
    private const int Alignment = 128;

    private readonly Dictionary<Tensor, long> _offsets = new(ReferenceEqualityComparer.Instance);
    private readonly List<(long Offset, ReadOnlyMemory<byte> Bytes)> _blobs = new();
    private readonly List<Tensor> _constants = new();
    private readonly List<int> _words = new() { 0 };
    private int _nodeStart = -1;
    private long _end;

    /// <summary>Bytes of shared memory the graph needs.</summary>
    public long Bytes => Math.Max(_end, Alignment);

    public int NodeCount => _words[0];

    /// <summary>The table: node count, then per node op, word count, words.</summary>
    public ReadOnlySpan<int> Words => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_words);

    public IReadOnlyDictionary<Tensor, long> Offsets => _offsets;

    /// <summary>The byte offset of <paramref name="tensor"/>'s slot (assigned at first use), as a DSP word.</summary>
    public int Offset(Tensor tensor)
    {
        if (!_offsets.TryGetValue(tensor, out long offset))
        {
            offset = Allocate(tensor.ByteSize);
            _offsets.Add(tensor, offset);
            if (tensor.IsConstant) _constants.Add(tensor);
        }
        return checked((int)offset);
    }

    /// <summary>A slot holding <paramref name="bytes"/> (a lookup table), written at compile.</summary>
    public int Blob(ReadOnlyMemory<byte> bytes)
    {
        long offset = Allocate(bytes.Length);
        _blobs.Add((offset, bytes));
        return checked((int)offset);
    }

    private long Allocate(long bytes)
    {
        long offset = _end;
        _end = checked(offset + (Math.Max(bytes, 1) + Alignment - 1) / Alignment * Alignment);
        if (_end > int.MaxValue) throw new InvalidOperationException($"the partition needs more than 2 GiB of DSP shared memory ({_end} bytes)");
        return offset;
    }

    public void Begin(DspOp op)
    {
        if (_nodeStart >= 0) throw new InvalidOperationException("the previous node was not ended");
        _words.Add((int)op);
        _words.Add(0);
        _nodeStart = _words.Count;
    }

    public void Add(int word) => _words.Add(word);

    public void Add(params ReadOnlySpan<int> words)
    {
        foreach (int w in words) _words.Add(w);
    }

    public void End()
    {
        _words[_nodeStart - 1] = _words.Count - _nodeStart;
        _nodeStart = -1;
        _words[0]++;
    }

    /// <summary>Writes the constants and tables into the graph's shared memory.</summary>
    public void WriteConstants(IDspMemory memory)
    {
        foreach (var tensor in _constants) tensor.Bytes.CopyTo(memory.Bytes(_offsets[tensor], checked((int)tensor.ByteSize)));
        foreach (var (offset, bytes) in _blobs) bytes.Span.CopyTo(memory.Bytes(offset, bytes.Length));
    }
}
