using System.Buffers.Binary;
using System.Text;

namespace Accel;

/// <summary>
/// A reader of the one FlexBuffer shape TFLite's custom operators use for their options: a root map of scalars
/// (int, uint, float, bool, null, and their indirect forms). Written from the FlexBuffers format description
/// (flatbuffers' flexbuffers.h documents it): the buffer ends with the root value, its packed type and the root byte
/// width; a map is a vector of values preceded by (keys vector offset, keys byte width, length) and followed by one
/// packed type byte per value. A key that is absent reads as null, as flexbuffers' <c>Map::operator[]</c> does.
/// Every offset is bounds-checked: a malformed buffer is a <see cref="FormatException"/>, never an out-of-range read.
/// </summary>
internal sealed class FlexBufferMap
{
    private const int TypeNull = 0, TypeInt = 1, TypeUInt = 2, TypeFloat = 3, TypeKey = 4, TypeIndirectInt = 6,
        TypeIndirectUInt = 7, TypeIndirectFloat = 8, TypeMap = 9, TypeBool = 26;

    private readonly Dictionary<string, (int Position, int Width, byte PackedType)> _values = new(StringComparer.Ordinal);
    private readonly byte[] _buffer;

    private FlexBufferMap(byte[] buffer) => _buffer = buffer;

    /// <summary>Parses <paramref name="buffer"/>, whose root must be a map.</summary>
    public static FlexBufferMap Parse(ReadOnlySpan<byte> buffer)
    {
        var map = new FlexBufferMap(buffer.ToArray());
        map.ReadRoot();
        return map;
    }

    /// <summary>The keys present, in stored (sorted) order.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>True when the key is absent or holds a null.</summary>
    public bool IsNull(string key) => !_values.TryGetValue(key, out var v) || v.PackedType >> 2 == TypeNull;

    /// <summary>The value as an integer (floats truncate, bools give 0/1, null or absent 0), like flexbuffers' AsInt64.</summary>
    public long GetInt64(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return 0;
        return (v.PackedType >> 2) switch
        {
            TypeNull => 0,
            TypeInt => ReadInt(v.Position, v.Width),
            TypeUInt or TypeBool => (long)ReadUInt(v.Position, v.Width),
            TypeFloat => (long)ReadFloat(v.Position, v.Width),
            TypeIndirectInt => ReadInt(Indirect(v.Position, v.Width), ChildWidth(v.PackedType)),
            TypeIndirectUInt => (long)ReadUInt(Indirect(v.Position, v.Width), ChildWidth(v.PackedType)),
            TypeIndirectFloat => (long)ReadFloat(Indirect(v.Position, v.Width), ChildWidth(v.PackedType)),
            var t => throw new FormatException($"flexbuffer value '{key}' has type {t}, not a scalar"),
        };
    }

    /// <summary>The value as an int32 (checked), see <see cref="GetInt64"/>.</summary>
    public int GetInt32(string key)
    {
        long value = GetInt64(key);
        if (value is < int.MinValue or > int.MaxValue) throw new FormatException($"flexbuffer value '{key}' = {value} is beyond int32");
        return (int)value;
    }

    /// <summary>The value as a float (ints convert, null or absent 0), like flexbuffers' AsFloat.</summary>
    public float GetSingle(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return 0f;
        return (v.PackedType >> 2) switch
        {
            TypeFloat => (float)ReadFloat(v.Position, v.Width),
            TypeIndirectFloat => (float)ReadFloat(Indirect(v.Position, v.Width), ChildWidth(v.PackedType)),
            _ => GetInt64(key),
        };
    }

    /// <summary>The value as a bool (nonzero), like flexbuffers' AsBool.</summary>
    public bool GetBoolean(string key) =>
        _values.TryGetValue(key, out var v) && (v.PackedType >> 2) switch
        {
            TypeFloat or TypeIndirectFloat => GetSingle(key) != 0f,
            _ => GetInt64(key) != 0,
        };

    private void ReadRoot()
    {
        if (_buffer.Length < 3) throw new FormatException($"a flexbuffer needs at least 3 bytes, has {_buffer.Length}");
        int rootWidth = _buffer[^1];
        byte rootType = _buffer[^2];
        if (rootWidth is not (1 or 2 or 4 or 8)) throw new FormatException($"flexbuffer root byte width {rootWidth} is not 1, 2, 4 or 8");
        int rootPosition = _buffer.Length - 2 - rootWidth;
        Check(rootPosition, rootWidth);
        if (rootType >> 2 != TypeMap) throw new FormatException($"flexbuffer root has type {rootType >> 2}, not a map");
        int values = Indirect(rootPosition, rootWidth);
        int width = ChildWidth(rootType);
        int length = ToInt(ReadUInt(values - width, width), "map length");
        int keysWidth = ToInt(ReadUInt(values - 2 * width, width), "keys byte width");
        if (keysWidth is not (1 or 2 or 4 or 8)) throw new FormatException($"flexbuffer keys byte width {keysWidth} is not 1, 2, 4 or 8");
        int keys = Indirect(values - 3 * width, width);
        Check(values, checked(length * width + length));
        Check(keys, checked(length * keysWidth));
        for (int i = 0; i < length; i++)
        {
            string key = ReadKey(Indirect(keys + i * keysWidth, keysWidth));
            byte packedType = _buffer[values + length * width + i];
            _values[key] = (values + i * width, width, packedType);
        }
    }

    private string ReadKey(int position)
    {
        Check(position, 1);
        int end = Array.IndexOf(_buffer, (byte)0, position);
        if (end < 0) throw new FormatException("flexbuffer key is not null-terminated");
        return Encoding.UTF8.GetString(_buffer, position, end - position);
    }

    private static int ChildWidth(byte packedType) => 1 << (packedType & 3);

    private int Indirect(int position, int width)
    {
        ulong offset = ReadUInt(position, width);
        if (offset > (ulong)position) throw new FormatException($"flexbuffer offset {offset} at {position} points before the buffer");
        return position - (int)offset;
    }

    private ulong ReadUInt(int position, int width)
    {
        Check(position, width);
        var bytes = _buffer.AsSpan(position, width);
        return width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            8 => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            _ => throw new FormatException($"flexbuffer width {width} is not 1, 2, 4 or 8"),
        };
    }

    private long ReadInt(int position, int width)
    {
        Check(position, width);
        var bytes = _buffer.AsSpan(position, width);
        return width switch
        {
            1 => (sbyte)bytes[0],
            2 => BinaryPrimitives.ReadInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadInt32LittleEndian(bytes),
            8 => BinaryPrimitives.ReadInt64LittleEndian(bytes),
            _ => throw new FormatException($"flexbuffer width {width} is not 1, 2, 4 or 8"),
        };
    }

    private double ReadFloat(int position, int width)
    {
        Check(position, width);
        return width switch
        {
            4 => BinaryPrimitives.ReadSingleLittleEndian(_buffer.AsSpan(position, 4)),
            8 => BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(position, 8)),
            _ => throw new FormatException($"flexbuffer float of width {width}"),
        };
    }

    private void Check(int position, int length)
    {
        if (position < 0 || length < 0 || position > _buffer.Length - length)
            throw new FormatException($"flexbuffer reference [{position}, +{length}) is outside the {_buffer.Length}-byte buffer");
    }

    private static int ToInt(ulong value, string what) =>
        value <= int.MaxValue ? (int)value : throw new FormatException($"flexbuffer {what} {value} is too large");
}
