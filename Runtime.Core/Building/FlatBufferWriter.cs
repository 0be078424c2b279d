using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Accel.Building;

/// <summary>
/// A minimal FlatBuffers encoder. It fills its buffer back to front, as the reference implementation does: every
/// child (string, vector, table) is finished before the table that points at it, so every <c>uoffset_t</c> points
/// forward as the format requires. A written object is named by a <see cref="Ref"/>, its distance from the end of
/// the finished buffer, which stays valid while the buffer keeps growing at the front.
/// </summary>
/// <remarks>
/// Alignment: each scalar is aligned to its size, a vector's length prefix to 4 and its elements to their size (or to
/// the larger alignment asked for, e.g. 16 for <c>force_align: 16</c>), and the finished buffer's length is padded to
/// the largest alignment used, so alignments measured from the end also hold from the start.
/// </remarks>
internal sealed class FlatBufferWriter
{
    /// <summary>A finished object: its distance in bytes from the end of the buffer.</summary>
    public readonly record struct Ref(int Value);

    private byte[] _buffer;
    private int _head; // first used byte; bytes [_head, _buffer.Length) hold the data written so far
    private int _maxAlignment = 1;

    // Open table state. A slot's value is the Ref-style position of the field, or 0 when the field is absent.
    private readonly List<int> _slots = new();
    private int _tableStart = -1;

    // Finished vtables, for reuse by later tables with identical layout.
    private readonly List<int> _vtables = new();

    public FlatBufferWriter(int initialCapacity = 1024)
    {
        _buffer = new byte[Math.Max(initialCapacity, 16)];
        _head = _buffer.Length;
    }

    /// <summary>Bytes written so far; also the <see cref="Ref"/> of the most recently written byte.</summary>
    private int Size => _buffer.Length - _head;

    // ---------------------------------------------------------------- raw writing

    private void EnsureSpace(int bytes)
    {
        if (_head >= bytes) return;
        int used = Size;
        int newLength = Math.Max(_buffer.Length * 2, used + bytes + 16);
        var grown = new byte[newLength];
        Buffer.BlockCopy(_buffer, _head, grown, newLength - used, used);
        _buffer = grown;
        _head = newLength - used;
    }

    /// <summary>
    /// Pads with zeros so that after <paramref name="followingBytes"/> more bytes are written, the write position is
    /// aligned to <paramref name="alignment"/> (a power of two).
    /// </summary>
    private void Align(int alignment, int followingBytes)
    {
        if (alignment > _maxAlignment) _maxAlignment = alignment;
        int padding = -(Size + followingBytes) & (alignment - 1);
        EnsureSpace(padding + followingBytes);
        for (int i = 0; i < padding; i++) _buffer[--_head] = 0;
    }

    private Span<byte> Claim(int bytes)
    {
        EnsureSpace(bytes);
        _head -= bytes;
        return _buffer.AsSpan(_head, bytes);
    }

    private void PutUInt8(byte value) => Claim(1)[0] = value;
    private void PutInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Claim(2), value);
    private void PutInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Claim(4), value);
    private void PutUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Claim(4), value);
    private void PutInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Claim(8), value);
    private void PutFloat32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Claim(4), value);

    /// <summary>Writes an aligned uoffset_t pointing at <paramref name="target"/>.</summary>
    private void PutOffset(Ref target)
    {
        Align(4, 0);
        // The offset is stored at Ref (Size + 4); it is relative to its own position and must point forward.
        int relative = Size + 4 - target.Value;
        if (target.Value <= 0 || relative <= 0) throw new InvalidOperationException("Offset must refer to an object written earlier.");
        PutInt32(relative);
    }

    // ---------------------------------------------------------------- strings and vectors

    public Ref CreateString(string value)
    {
        RequireNotNested();
        int length = Encoding.UTF8.GetByteCount(value);
        Align(4, length + 1);
        PutUInt8(0); // terminator, not counted in the length
        Encoding.UTF8.GetBytes(value, Claim(length));
        PutUInt32((uint)length);
        return new Ref(Size);
    }

    /// <summary>
    /// A vector of little-endian scalars. <paramref name="alignment"/> raises the elements' alignment above their
    /// natural size (<c>force_align</c>).
    /// </summary>
    public Ref CreateVector<T>(ReadOnlySpan<T> values, int alignment = 0) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("FlatBuffers writing needs a little-endian host.");
        RequireNotNested();
        int elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        Align(4, bytes.Length);
        Align(Math.Max(elementSize, alignment), bytes.Length);
        bytes.CopyTo(Claim(bytes.Length));
        PutUInt32((uint)values.Length); // already 4-aligned: the elements' end was aligned to at least 4
        return new Ref(Size);
    }

    /// <summary>A vector of offsets to tables or strings written earlier.</summary>
    public Ref CreateOffsetVector(ReadOnlySpan<Ref> items)
    {
        RequireNotNested();
        Align(4, 4 * items.Length);
        for (int i = items.Length - 1; i >= 0; i--) PutOffset(items[i]);
        PutUInt32((uint)items.Length);
        return new Ref(Size);
    }

    private void RequireNotNested()
    {
        if (_tableStart >= 0) throw new InvalidOperationException("Strings, vectors and tables must be finished before the table that refers to them is started.");
    }

    // ---------------------------------------------------------------- tables

    public void StartTable()
    {
        RequireNotNested();
        _slots.Clear();
        _tableStart = Size;
    }

    private void RecordField(int slot)
    {
        if (_tableStart < 0) throw new InvalidOperationException("No table is open.");
        while (_slots.Count <= slot) _slots.Add(0);
        if (_slots[slot] != 0) throw new InvalidOperationException($"Field {slot} was written twice.");
        _slots[slot] = Size;
    }

    public void AddUInt8(int slot, byte value) { Align(1, 1); PutUInt8(value); RecordField(slot); }
    public void AddInt8(int slot, sbyte value) => AddUInt8(slot, unchecked((byte)value));
    public void AddBool(int slot, bool value) => AddUInt8(slot, value ? (byte)1 : (byte)0);
    public void AddInt32(int slot, int value) { Align(4, 4); PutInt32(value); RecordField(slot); }
    public void AddUInt32(int slot, uint value) { Align(4, 4); PutUInt32(value); RecordField(slot); }
    public void AddInt64(int slot, long value) { Align(8, 8); PutInt64(value); RecordField(slot); }
    public void AddFloat32(int slot, float value) { Align(4, 4); PutFloat32(value); RecordField(slot); }
    public void AddOffset(int slot, Ref target) { PutOffset(target); RecordField(slot); }

    /// <summary>Finishes the open table: writes its vtable (or reuses an identical earlier one) and its soffset_t.</summary>
    public Ref EndTable()
    {
        if (_tableStart < 0) throw new InvalidOperationException("No table is open.");
        Align(4, 4);
        PutInt32(0); // placeholder for the soffset_t to the vtable
        int table = Size;

        int slotCount = _slots.Count;
        while (slotCount > 0 && _slots[slotCount - 1] == 0) slotCount--;
        int vtableBytes = 4 + 2 * slotCount;
        Span<short> vtable = slotCount <= 64 ? stackalloc short[2 + slotCount] : new short[2 + slotCount];
        vtable[0] = checked((short)vtableBytes);
        vtable[1] = checked((short)(table - _tableStart)); // inline size of the table, soffset included
        for (int i = 0; i < slotCount; i++)
            vtable[2 + i] = _slots[i] == 0 ? (short)0 : checked((short)(table - _slots[i])); // field position minus table position

        int vtableRef = FindIdenticalVtable(vtable);
        if (vtableRef == 0)
        {
            // Fresh vtable right in front of the table. It needs only 2-byte alignment, which the table gives it.
            for (int i = vtable.Length - 1; i >= 0; i--) PutInt16(vtable[i]);
            vtableRef = Size;
            _vtables.Add(vtableRef);
        }

        // The table stores (table position - vtable position); positions grow as Refs shrink.
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_buffer.Length - table, 4), vtableRef - table);
        _tableStart = -1;
        _slots.Clear();
        return new Ref(table);
    }

    private int FindIdenticalVtable(ReadOnlySpan<short> vtable)
    {
        foreach (int candidate in _vtables)
        {
            var existing = _buffer.AsSpan(_buffer.Length - candidate);
            if (BinaryPrimitives.ReadInt16LittleEndian(existing) != vtable[0]) continue;
            bool same = true;
            for (int i = 1; i < vtable.Length && same; i++)
                same = BinaryPrimitives.ReadInt16LittleEndian(existing[(2 * i)..]) == vtable[i];
            if (same) return candidate;
        }
        return 0;
    }

    // ---------------------------------------------------------------- finishing

    /// <summary>
    /// Writes the root offset and the 4-character file identifier, and returns the finished buffer. The writer must
    /// not be used afterwards.
    /// </summary>
    public byte[] Finish(Ref root, string fileIdentifier)
    {
        RequireNotNested();
        if (fileIdentifier.Length != 4 || Encoding.ASCII.GetByteCount(fileIdentifier) != 4)
            throw new ArgumentException("A file identifier is exactly 4 ASCII characters.", nameof(fileIdentifier));
        // Pad so the finished length is a multiple of the largest alignment used: then alignment measured from the
        // end (how everything was placed) equals alignment measured from the start (how readers see it).
        Align(Math.Max(_maxAlignment, 4), 8);
        Encoding.ASCII.GetBytes(fileIdentifier, Claim(4));
        PutOffset(root);
        return _buffer.AsSpan(_head).ToArray();
    }
}
