using System.Buffers.Binary;
using System.Text;

namespace Accel;

/// <summary>
/// Bounds-checked access to a flatbuffer. Every offset, vtable and vector length is checked against the buffer
/// before it is read; a violation throws <see cref="ModelFormatException"/> naming the field path. Nothing here
/// trusts a length enough to allocate by it before checking that the bytes exist.
/// </summary>
internal readonly unsafe struct FlatBufferView
{
    private readonly byte* _data;
    private readonly long _length;

    public FlatBufferView(byte* data, long length)
    {
        _data = data;
        _length = length;
    }

    public long Length => _length;

    private void Require(long position, long size, string path, string what)
    {
        if (position < 0 || size < 0 || position > _length || size > _length - position)
            throw new ModelFormatException(path, $"{what} at byte {position} (+{size}) lies outside the {_length}-byte model");
    }

    // Unchecked reads: only for positions whose range was already verified (table fields, vector elements).
    private byte RawByte(long p) => _data[p];
    private ushort RawUInt16(long p) => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_data + p, 2));
    private int RawInt32(long p) => BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(_data + p, 4));
    private long RawInt64(long p) => BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_data + p, 8));

    public byte ReadByte(long position, string path)
    {
        Require(position, 1, path, "byte");
        return _data[position];
    }

    public ushort ReadUInt16(long position, string path)
    {
        Require(position, 2, path, "uint16");
        return BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_data + position, 2));
    }

    public int ReadInt32(long position, string path)
    {
        Require(position, 4, path, "int32");
        return BinaryPrimitives.ReadInt32LittleEndian(new ReadOnlySpan<byte>(_data + position, 4));
    }

    public uint ReadUInt32(long position, string path) => (uint)ReadInt32(position, path);

    public long ReadInt64(long position, string path)
    {
        Require(position, 8, path, "int64");
        return BinaryPrimitives.ReadInt64LittleEndian(new ReadOnlySpan<byte>(_data + position, 8));
    }

    public float ReadSingle(long position, string path) => BitConverter.Int32BitsToSingle(ReadInt32(position, path));

    /// <summary>Follows a uoffset stored at <paramref name="position"/>.</summary>
    public long FollowOffset(long position, string path)
    {
        uint offset = ReadUInt32(position, path);
        long target = position + offset;
        if (offset == 0 || target >= _length)
            throw new ModelFormatException(path, $"offset {offset} at byte {position} points outside the {_length}-byte model");
        return target;
    }

    private long FollowVerifiedOffset(long position, Func<string> path)
    {
        uint offset = (uint)RawInt32(position);
        long target = position + offset;
        if (offset == 0 || target >= _length)
            throw new ModelFormatException(path(), $"offset {offset} at byte {position} points outside the {_length}-byte model");
        return target;
    }

    /// <summary>The root table, after checking the file identifier.</summary>
    public Table Root(string expectedIdentifier)
    {
        if (_length < 8) throw new ModelFormatException("<header>", $"file is {_length} bytes; a flatbuffer needs at least 8");
        var identifier = Encoding.ASCII.GetString(new ReadOnlySpan<byte>(_data + 4, 4));
        if (identifier != expectedIdentifier)
            throw new ModelFormatException("<header>",
                $"file identifier is '{Printable(identifier)}', expected '{expectedIdentifier}' (not a TFLite model?)");
        return GetTable(FollowOffset(0, "<root>"), "<root>");
    }

    public Table GetTable(long position, string path)
    {
        if ((position & 3) != 0) throw new ModelFormatException(path, $"table at byte {position} is not 4-byte aligned");
        Require(position, 4, path, "table");
        long vtable = position - ReadInt32(position, path);
        Require(vtable, 4, path, "vtable");
        if ((vtable & 1) != 0) throw new ModelFormatException(path, $"vtable at byte {vtable} is not 2-byte aligned");
        int vtableSize = ReadUInt16(vtable, path);
        int tableSize = ReadUInt16(vtable + 2, path);
        if (vtableSize < 4 || (vtableSize & 1) != 0)
            throw new ModelFormatException(path, $"vtable size {vtableSize} is invalid");
        Require(vtable, vtableSize, path, "vtable");
        if (tableSize < 4) throw new ModelFormatException(path, $"table size {tableSize} is invalid");
        Require(position, tableSize, path, "table");
        return new Table(this, position, vtable, vtableSize, tableSize, path);
    }

    /// <summary>Checks a vector of <paramref name="elementSize"/>-byte elements at <paramref name="position"/>; returns its length.</summary>
    public int VectorLength(long position, int elementSize, string path)
    {
        if ((position & 3) != 0) throw new ModelFormatException(path, $"vector at byte {position} is not 4-byte aligned");
        uint count = ReadUInt32(position, path);
        if (count > int.MaxValue) throw new ModelFormatException(path, $"vector length {count} is too large");
        long bytes = (long)count * elementSize;
        Require(position + 4, bytes, path, $"vector of {count} elements");
        return (int)count;
    }

    public string ReadString(long position, string path)
    {
        int length = VectorLength(position, 1, path);
        Require(position + 4, length + 1L, path, "string terminator");
        if (_data[position + 4 + length] != 0) throw new ModelFormatException(path, "string is not null-terminated");
        return Encoding.UTF8.GetString(new ReadOnlySpan<byte>(_data + position + 4, length));
    }

    private static string Printable(string s) =>
        new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    /// <summary>A checked table: field reads check the vtable entry and the table's extent.</summary>
    public readonly struct Table
    {
        private readonly FlatBufferView _buffer;
        private readonly long _vtable;
        private readonly int _vtableSize;
        private readonly int _tableSize;

        public Table(FlatBufferView buffer, long position, long vtable, int vtableSize, int tableSize, string path)
        {
            _buffer = buffer;
            Position = position;
            _vtable = vtable;
            _vtableSize = vtableSize;
            _tableSize = tableSize;
            Path = path;
        }

        public long Position { get; }
        public string Path { get; }
        public FlatBufferView Buffer => _buffer;

        public string FieldPath(string field) => Path == "<root>" ? field : $"{Path}.{field}";

        /// <summary>Absolute position of field <paramref name="id"/> (size <paramref name="size"/>), or -1 if absent.</summary>
        private long Field(int id, int size, string name)
        {
            int entry = 4 + 2 * id;
            if (entry + 2 > _vtableSize) return -1;
            int offset = _buffer.RawUInt16(_vtable + entry);
            if (offset == 0) return -1;
            if (offset + size > _tableSize)
                throw new ModelFormatException(FieldPath(name), $"field offset {offset} (+{size}) exceeds its table's size {_tableSize}");
            return Position + offset;
        }

        public bool Has(int id) => Field(id, 0, "?") >= 0;

        public byte GetByte(int id, string name, byte defaultValue = 0)
        {
            long p = Field(id, 1, name);
            return p < 0 ? defaultValue : _buffer.RawByte(p);
        }

        public bool GetBool(int id, string name, bool defaultValue = false) => GetByte(id, name, defaultValue ? (byte)1 : (byte)0) != 0;

        public int GetInt32(int id, string name, int defaultValue = 0)
        {
            long p = Field(id, 4, name);
            return p < 0 ? defaultValue : _buffer.RawInt32(p);
        }

        public uint GetUInt32(int id, string name, uint defaultValue = 0) => (uint)GetInt32(id, name, (int)defaultValue);

        public long GetInt64(int id, string name, long defaultValue = 0)
        {
            long p = Field(id, 8, name);
            return p < 0 ? defaultValue : _buffer.RawInt64(p);
        }

        public float GetSingle(int id, string name, float defaultValue = 0)
        {
            long p = Field(id, 4, name);
            return p < 0 ? defaultValue : BitConverter.Int32BitsToSingle(_buffer.RawInt32(p));
        }

        /// <summary>Position of the object an offset field points to, or -1 when absent.</summary>
        public long GetOffsetTarget(int id, string name)
        {
            long p = Field(id, 4, name);
            if (p < 0) return -1;
            var self = this;
            return _buffer.FollowVerifiedOffset(p, () => self.FieldPath(name));
        }

        public string? GetString(int id, string name)
        {
            long target = GetOffsetTarget(id, name);
            return target < 0 ? null : _buffer.ReadString(target, FieldPath(name));
        }

        public Table? GetTable(int id, string name)
        {
            long target = GetOffsetTarget(id, name);
            return target < 0 ? null : _buffer.GetTable(target, FieldPath(name));
        }

        /// <summary>A checked scalar vector; absent → empty.</summary>
        public VectorRef GetVector(int id, string name, int elementSize)
        {
            long target = GetOffsetTarget(id, name);
            if (target < 0) return new VectorRef(_buffer, -1, 0, elementSize, FieldPath(name));
            int count = _buffer.VectorLength(target, elementSize, FieldPath(name));
            return new VectorRef(_buffer, target + 4, count, elementSize, FieldPath(name));
        }

        public int[] GetInt32Array(int id, string name)
        {
            var v = GetVector(id, name, 4);
            var result = new int[v.Count];
            for (int i = 0; i < result.Length; i++) result[i] = v.Int32(i);
            return result;
        }

        public float[] GetSingleArray(int id, string name)
        {
            var v = GetVector(id, name, 4);
            var result = new float[v.Count];
            for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(v.Int32(i));
            return result;
        }

        public long[] GetInt64Array(int id, string name)
        {
            var v = GetVector(id, name, 8);
            var result = new long[v.Count];
            for (int i = 0; i < result.Length; i++) result[i] = v.Int64(i);
            return result;
        }

        /// <summary>The count of a vector of tables, and a getter for element i.</summary>
        public TableVector GetTableVector(int id, string name)
        {
            var v = GetVector(id, name, 4);
            return new TableVector(_buffer, v);
        }
    }

    public readonly struct VectorRef
    {
        private readonly FlatBufferView _buffer;

        public VectorRef(FlatBufferView buffer, long start, int count, int elementSize, string path)
        {
            _buffer = buffer;
            Start = start;
            Count = count;
            ElementSize = elementSize;
            Path = path;
        }

        /// <summary>Position of element 0 (-1 for an absent vector).</summary>
        public long Start { get; }
        public int Count { get; }
        public int ElementSize { get; }
        public string Path { get; }

        private void CheckIndex(int i, int size)
        {
            if ((uint)i >= (uint)Count || size != ElementSize)
                throw new ModelFormatException($"{Path}[{i}]", $"element read outside a {Count}-element vector");
        }

        public int Int32(int i) { CheckIndex(i, 4); return _buffer.RawInt32(Start + 4L * i); }
        public long Int64(int i) { CheckIndex(i, 8); return _buffer.RawInt64(Start + 8L * i); }
        public int UInt16(int i) { CheckIndex(i, 2); return _buffer.RawUInt16(Start + 2L * i); }
        public byte Byte(int i) { CheckIndex(i, 1); return _buffer.RawByte(Start + i); }
    }

    public readonly struct TableVector
    {
        private readonly FlatBufferView _buffer;
        private readonly VectorRef _vector;

        public TableVector(FlatBufferView buffer, VectorRef vector)
        {
            _buffer = buffer;
            _vector = vector;
        }

        public int Count => _vector.Count;

        public Table this[int i]
        {
            get
            {
                if ((uint)i >= (uint)Count) throw new ModelFormatException($"{_vector.Path}[{i}]", "index outside the vector");
                string path = $"{_vector.Path}[{i}]";
                long slot = _vector.Start + 4L * i;
                return _buffer.GetTable(_buffer.FollowVerifiedOffset(slot, () => path), path);
            }
        }
    }
}
