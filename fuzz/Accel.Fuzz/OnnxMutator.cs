using System.Collections;
using Accel.Conversion.Onnx;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Accel.Fuzz;

/// <summary>
/// Makes mutants of ONNX models. Most mutations are structure-aware: the protobuf is parsed and one field of the
/// message tree, found through protobuf reflection, is rewritten — an integer (dims, attribute values, opset, data
/// type, enum) with a value chosen to overflow (0, −1, 2^31−1, 2^40, long.MinValue …), a float with NaN/±∞/huge, a
/// string with another name of the model (rewiring node inputs and outputs) or an op type, raw bytes truncated or
/// extended; an element of a repeated field is removed or duplicated. The rest are the byte-level mutations of
/// <see cref="ModelMutator"/> (bit flips, truncation, splicing): what a damaged file looks like.
/// </summary>
internal sealed class OnnxMutator
{
    private static readonly long[] InterestingInt64 =
    [
        0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 256, 65535, 65536, 1 << 20, 1 << 30, int.MaxValue, int.MinValue, 715827883, 46341,
        1L << 31, 1L << 32, 1L << 40, long.MaxValue, long.MinValue, -2, -1000,
    ];

    private static readonly string[] OpTypes =
    [
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "Gemm", "MatMul", "Add", "Mul", "Sub", "Div", "Relu", "Clip",
        "Reshape", "Transpose", "Concat", "Slice", "Pad", "Resize", "Upsample", "Softmax", "Gather", "Split", "Squeeze",
        "Unsqueeze", "Flatten", "ReduceMean", "Constant", "ConstantOfShape", "Shape", "Expand", "Tile", "Range", "Cast",
        "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GlobalAveragePool", "Where", "Equal", "",
    ];

    private readonly ModelMutator _bytes = new();

    public int MaxInputBytes => _bytes.MaxInputBytes;

    /// <summary>A mutant of <paramref name="input"/>: 1–4 stacked mutations, structure-aware with probability 3/4 each.</summary>
    public byte[] Mutate(byte[] input, byte[]? other, Random random)
    {
        byte[] data = input;
        int rounds = 1 + random.Next(4);
        for (int r = 0; r < rounds; r++)
        {
            if (random.Next(4) != 0 && TryParse(data) is { } model)
            {
                var sites = new List<Site>();
                var strings = new List<string>();
                Collect(model, sites, strings, depth: 0);
                if (sites.Count > 0)
                {
                    Apply(sites[random.Next(sites.Count)], strings, random);
                    data = model.ToByteArray();
                    if (data.Length > MaxInputBytes) data = data[..MaxInputBytes];
                    continue;
                }
            }
            data = _bytes.MutateBytes((byte[])data.Clone(), other, random);
        }
        return data;
    }

    private static ModelProto? TryParse(byte[] data)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>One mutable place: a field of a message, or one element of a repeated field (Index ≥ 0).</summary>
    private readonly record struct Site(IMessage Message, FieldDescriptor Field, int Index);

    /// <summary>
    /// Every field of every message in the tree (unset scalar fields too: setting one is a mutation), the elements of
    /// repeated fields (the first eight and the last: large weight arrays add nothing but time), and every string value.
    /// </summary>
    private static void Collect(IMessage message, List<Site> sites, List<string> strings, int depth)
    {
        if (depth > 8) return;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.Name == "doc_string") continue;
            object value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var list = (IList)value;
                sites.Add(new Site(message, field, -1)); // the list itself: remove, duplicate or clear an element
                for (int i = 0; i < list.Count; i++)
                {
                    if (i >= 8 && i != list.Count - 1) continue;
                    if (field.FieldType == FieldType.Message) Collect((IMessage)list[i]!, sites, strings, depth + 1);
                    else sites.Add(new Site(message, field, i));
                    if (list[i] is string s) strings.Add(s);
                }
            }
            else if (field.FieldType == FieldType.Message)
            {
                if (value is IMessage child) Collect(child, sites, strings, depth + 1);
            }
            else
            {
                sites.Add(new Site(message, field, -1));
                if (value is string s) strings.Add(s);
            }
        }
    }

    private static void Apply(Site site, List<string> strings, Random random)
    {
        var (message, field, index) = site;
        if (field.IsRepeated && index < 0)
        {
            var list = (IList)field.Accessor.GetValue(message);
            if (list.Count == 0) return;
            int at = random.Next(list.Count);
            switch (random.Next(3))
            {
                case 0: list.RemoveAt(at); break;
                case 1: list.Insert(random.Next(list.Count + 1), Copy(list[at]!)); break;
                default: if (list.Count > 1) { object? moved = list[at]; list.RemoveAt(at); list.Insert(random.Next(list.Count + 1), moved); } break;
            }
            return;
        }
        object old = index >= 0 ? ((IList)field.Accessor.GetValue(message))[index]! : field.Accessor.GetValue(message);
        object? value = field.FieldType switch
        {
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => NewInt64((long)old, random),
            FieldType.UInt64 or FieldType.Fixed64 => unchecked((ulong)NewInt64((long)(ulong)old, random)),
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => unchecked((int)NewInt64((int)old, random)),
            FieldType.UInt32 or FieldType.Fixed32 => unchecked((uint)NewInt64((uint)old, random)),
            FieldType.Enum => random.Next(2) == 0 ? random.Next(-1, 20) : unchecked((int)NewInt64(Convert.ToInt32(old), random)),
            FieldType.Float => random.Next(3) == 0
                ? BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31))
                : ModelMutator.InterestingFloat[random.Next(ModelMutator.InterestingFloat.Length)],
            FieldType.Double => (double)ModelMutator.InterestingFloat[random.Next(ModelMutator.InterestingFloat.Length)],
            FieldType.Bool => !(bool)old,
            FieldType.String => random.Next(3) switch
            {
                0 when strings.Count > 0 => strings[random.Next(strings.Count)],
                1 => OpTypes[random.Next(OpTypes.Length)],
                _ => random.Next(2) == 0 ? "" : (string)old + (char)random.Next(32, 127),
            },
            FieldType.Bytes => NewBytes((ByteString)old, random),
            _ => null,
        };
        if (value is null) return;
        if (field.FieldType == FieldType.Enum) value = Enum.ToObject(old.GetType(), (int)value);
        if (index >= 0) ((IList)field.Accessor.GetValue(message))[index] = value;
        else field.Accessor.SetValue(message, value);
    }

    /// <summary>A duplicate for a repeated field: messages are copied (one instance may not sit twice in a tree); scalars, strings and ByteStrings are immutable.</summary>
    private static object Copy(object element) => element is IMessage m ? m.Descriptor.Parser.ParseFrom(m.ToByteArray()) : element;

    private static long NewInt64(long old, Random random) => random.Next(5) switch
    {
        0 or 1 => InterestingInt64[random.Next(InterestingInt64.Length)],
        2 => old + random.Next(-3, 4),
        3 => unchecked(old * 2),
        _ => -old,
    };

    private static ByteString NewBytes(ByteString old, Random random)
    {
        byte[] bytes = old.ToByteArray();
        return random.Next(3) switch
        {
            0 => ByteString.CopyFrom(bytes[..random.Next(bytes.Length + 1)]),
            1 => ByteString.CopyFrom([.. bytes, .. new byte[1 + random.Next(16)]]),
            _ => ByteString.CopyFrom(Flip(bytes, random)),
        };
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        if (bytes.Length > 0) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }
}
