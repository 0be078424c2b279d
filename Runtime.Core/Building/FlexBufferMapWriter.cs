using System.Buffers.Binary;
using System.Text;

namespace Accel.Building;

/// <summary>
/// Writes a FlexBuffer whose root is a map of scalars (int32, float32, bool): the custom options of TFLite's custom
/// operators (e.g. TFLite_Detection_PostProcess). Keys are stored sorted (FlexBuffers looks them up by binary search);
/// every value and key offset is 4 bytes wide.
/// </summary>
public sealed class FlexBufferMapWriter
{
    private const int TypeInt = 1, TypeFloat = 3, TypeMap = 9, TypeBool = 26, Width32 = 2;
    private readonly SortedDictionary<string, (int Type, uint Bits)> _values = new(StringComparer.Ordinal);

    public FlexBufferMapWriter Add(string key, int value) => Set(key, TypeInt, unchecked((uint)value));

    public FlexBufferMapWriter Add(string key, float value) => Set(key, TypeFloat, BitConverter.SingleToUInt32Bits(value));

    public FlexBufferMapWriter Add(string key, bool value) => Set(key, TypeBool, value ? 1u : 0u);

    private FlexBufferMapWriter Set(string key, int type, uint bits)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.Contains('\0')) throw new ArgumentException("a flexbuffer key cannot contain NUL", nameof(key));
        _values[key] = (type, bits);
        return this;
    }

    /// <summary>The buffer: key strings, the keys vector, the map (prefix, values, types), then the root.</summary>
    public byte[] ToArray()
    {
        var bytes = new List<byte>();
        var keyPositions = new List<int>();
        foreach (string key in _values.Keys)
        {
            keyPositions.Add(bytes.Count);
            bytes.AddRange(Encoding.UTF8.GetBytes(key));
            bytes.Add(0);
        }
        Align(bytes);
        Append(bytes, (uint)_values.Count);                       // keys vector length
        int keys = bytes.Count;
        foreach (int position in keyPositions) Append(bytes, (uint)(bytes.Count - position));
        Append(bytes, (uint)(bytes.Count - keys));                // map prefix: offset back to the keys vector
        Append(bytes, 4);                                         //             keys byte width
        Append(bytes, (uint)_values.Count);                       //             length
        int values = bytes.Count;
        foreach (var (_, bits) in _values.Values) Append(bytes, bits);
        foreach (var (type, _) in _values.Values) bytes.Add((byte)(type << 2 | Width32));
        Align(bytes);
        Append(bytes, (uint)(bytes.Count - values));              // root: offset back to the map's values
        bytes.Add(TypeMap << 2 | Width32);                        // root packed type: a map of 4-byte slots
        bytes.Add(4);                                             // root byte width
        return bytes.ToArray();
    }

    private static void Align(List<byte> bytes)
    {
        while (bytes.Count % 4 != 0) bytes.Add(0);
    }

    private static void Append(List<byte> bytes, uint value)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, value);
        bytes.AddRange(word.ToArray());
    }
}
