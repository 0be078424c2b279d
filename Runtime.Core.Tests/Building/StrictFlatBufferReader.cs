using System.Buffers.Binary;
using System.Text;

namespace Accel.Tests.Building;

/// <summary>
/// A deliberately small, independent FlatBuffers reader for tests: it decodes tables through their vtables and checks
/// what a verifier checks on the way (bounds, alignment of every scalar, vector length prefix and elements, string
/// terminators, offsets pointing forward), failing the test on any violation. It shares no code with the writer.
/// </summary>
internal sealed class StrictFlatBufferReader
{
    public StrictFlatBufferReader(byte[] bytes)
    {
        Bytes = bytes;
    }

    public byte[] Bytes { get; }

    public string FileIdentifier => Encoding.ASCII.GetString(Bytes, 4, 4);

    public FbTable Root => new(this, Deref(0));

    internal void CheckRange(int position, int size)
    {
        if (position < 0 || size < 0 || position + size > Bytes.Length)
            Assert.Fail($"Read of {size} bytes at {position} is outside the {Bytes.Length}-byte buffer.");
    }

    internal void CheckAligned(int position, int alignment, string what)
    {
        if (position % alignment != 0) Assert.Fail($"{what} at {position} is not aligned to {alignment}.");
    }

    internal int Int32At(int position) { CheckRange(position, 4); CheckAligned(position, 4, "int32"); return BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(position)); }
    internal ushort UInt16At(int position) { CheckRange(position, 2); CheckAligned(position, 2, "uint16"); return BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(position)); }

    /// <summary>Follows the uoffset_t stored at <paramref name="position"/>.</summary>
    internal int Deref(int position)
    {
        int offset = Int32At(position);
        if (offset <= 0) Assert.Fail($"uoffset at {position} is {offset}; offsets must point forward.");
        int target = position + offset;
        CheckRange(target, 0);
        return target;
    }
}

internal readonly struct FbTable
{
    private readonly StrictFlatBufferReader _reader;

    public FbTable(StrictFlatBufferReader reader, int position)
    {
        _reader = reader;
        Position = position;
        reader.CheckRange(position, 4);
        VtablePosition = position - reader.Int32At(position);
        VtableSize = reader.UInt16At(VtablePosition);
        InlineSize = reader.UInt16At(VtablePosition + 2);
        if (VtableSize < 4 || VtableSize % 2 != 0) Assert.Fail($"vtable at {VtablePosition} has size {VtableSize}.");
        reader.CheckRange(VtablePosition, VtableSize);
        reader.CheckRange(position, InlineSize);
    }

    public int Position { get; }
    public int VtablePosition { get; }
    public int VtableSize { get; }
    public int InlineSize { get; }

    /// <summary>Position of a field's data, or -1 when the field is absent.</summary>
    public int FieldPosition(int slot)
    {
        int entry = 4 + 2 * slot;
        if (entry >= VtableSize) return -1;
        int offset = _reader.UInt16At(VtablePosition + entry);
        if (offset == 0) return -1;
        if (offset >= InlineSize) Assert.Fail($"Field {slot} offset {offset} is outside the table's {InlineSize} inline bytes.");
        return Position + offset;
    }

    public bool Has(int slot) => FieldPosition(slot) >= 0;

    private int Scalar(int slot, int size)
    {
        int p = FieldPosition(slot);
        if (p < 0) return -1;
        _reader.CheckRange(p, size);
        _reader.CheckAligned(p, size, $"field {slot}");
        return p;
    }

    public sbyte Int8(int slot, sbyte defaultValue = 0) { int p = Scalar(slot, 1); return p < 0 ? defaultValue : (sbyte)_reader.Bytes[p]; }
    public byte UInt8(int slot, byte defaultValue = 0) { int p = Scalar(slot, 1); return p < 0 ? defaultValue : _reader.Bytes[p]; }
    public bool Bool(int slot, bool defaultValue = false) { int p = Scalar(slot, 1); return p < 0 ? defaultValue : _reader.Bytes[p] != 0; }
    public int Int32(int slot, int defaultValue = 0) { int p = Scalar(slot, 4); return p < 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_reader.Bytes.AsSpan(p)); }
    public uint UInt32(int slot, uint defaultValue = 0) { int p = Scalar(slot, 4); return p < 0 ? defaultValue : BinaryPrimitives.ReadUInt32LittleEndian(_reader.Bytes.AsSpan(p)); }
    public float Float32(int slot, float defaultValue = 0) { int p = Scalar(slot, 4); return p < 0 ? defaultValue : BinaryPrimitives.ReadSingleLittleEndian(_reader.Bytes.AsSpan(p)); }

    public FbTable? Table(int slot)
    {
        int p = FieldPosition(slot);
        return p < 0 ? null : new FbTable(_reader, _reader.Deref(p));
    }

    public string? String(int slot)
    {
        int p = FieldPosition(slot);
        if (p < 0) return null;
        var vector = new FbVector(_reader, _reader.Deref(p), 1);
        _reader.CheckRange(vector.DataPosition, vector.Length + 1);
        if (_reader.Bytes[vector.DataPosition + vector.Length] != 0) Assert.Fail("String is not null-terminated.");
        return Encoding.UTF8.GetString(_reader.Bytes, vector.DataPosition, vector.Length);
    }

    public FbVector? Vector(int slot, int elementSize)
    {
        int p = FieldPosition(slot);
        return p < 0 ? null : new FbVector(_reader, _reader.Deref(p), elementSize);
    }

    public int[]? Int32s(int slot) => Vector(slot, 4)?.Int32s();
    public float[]? Float32s(int slot) => Vector(slot, 4)?.Float32s();
    public long[]? Int64s(int slot) => Vector(slot, 8)?.Int64s();
    public byte[]? UInt8s(int slot) => Vector(slot, 1)?.Bytes().ToArray();

    public FbTable[] Tables(int slot)
    {
        var v = Vector(slot, 4);
        if (v is null) return [];
        var result = new FbTable[v.Value.Length];
        for (int i = 0; i < result.Length; i++) result[i] = v.Value.TableAt(i);
        return result;
    }
}

internal readonly struct FbVector
{
    private readonly StrictFlatBufferReader _reader;

    public FbVector(StrictFlatBufferReader reader, int lengthPosition, int elementSize)
    {
        _reader = reader;
        Length = reader.Int32At(lengthPosition); // checks the 4-byte alignment of the prefix
        DataPosition = lengthPosition + 4;
        ElementSize = elementSize;
        reader.CheckRange(DataPosition, Length * elementSize);
        reader.CheckAligned(DataPosition, elementSize, "vector elements");
    }

    public int Length { get; }
    public int DataPosition { get; }
    public int ElementSize { get; }

    public ReadOnlySpan<byte> Bytes() => _reader.Bytes.AsSpan(DataPosition, Length * ElementSize);

    public int[] Int32s() { var r = new int[Length]; for (int i = 0; i < Length; i++) r[i] = BinaryPrimitives.ReadInt32LittleEndian(Bytes()[(4 * i)..]); return r; }
    public float[] Float32s() { var r = new float[Length]; for (int i = 0; i < Length; i++) r[i] = BinaryPrimitives.ReadSingleLittleEndian(Bytes()[(4 * i)..]); return r; }
    public long[] Int64s() { var r = new long[Length]; for (int i = 0; i < Length; i++) r[i] = BinaryPrimitives.ReadInt64LittleEndian(Bytes()[(8 * i)..]); return r; }
    public int[] UInt16sAsInt32() { var r = new int[Length]; for (int i = 0; i < Length; i++) r[i] = BinaryPrimitives.ReadUInt16LittleEndian(Bytes()[(2 * i)..]); return r; }

    public FbTable TableAt(int index) => new(_reader, _reader.Deref(DataPosition + 4 * index));
}
