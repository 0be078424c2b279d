using Accel.Conversion.Onnx;

namespace Accel.Conversion;

/// <summary>Element kinds the converter distinguishes. Every integer and bool constant is held as int64.</summary>
internal enum ElemType { Float32, Int64, Int32, Bool, Other }

/// <summary>A constant known at conversion time: float32 data or integer data (int64 holds int32/int64/bool).</summary>
internal sealed class ConstTensor
{
    public ElemType Type { get; }
    public int[] Shape { get; }
    public float[]? Floats { get; }
    public long[]? Ints { get; }

    private ConstTensor(ElemType type, int[] shape, float[]? floats, long[]? ints)
    {
        Type = type; Shape = shape; Floats = floats; Ints = ints;
    }

    public static ConstTensor Float(int[] shape, float[] data) => new(ElemType.Float32, shape, data, null);
    public static ConstTensor Int(ElemType type, int[] shape, long[] data) => new(type, shape, null, data);

    public bool IsFloat => Floats is not null;
    public int Count => IsFloat ? Floats!.Length : Ints!.Length;

    public double this[int i] => IsFloat ? Floats![i] : Ints![i];

    public long[] AsInts() => Ints ?? Floats!.Select(f => (long)f).ToArray();
    public float[] AsFloats() => Floats ?? Ints!.Select(v => (float)v).ToArray();
}

/// <summary>One named value of the graph: a model input, an initializer or a node output.</summary>
internal sealed class Value
{
    public required string Name { get; init; }
    public ElemType Type { get; set; }
    /// <summary>Static shape in ONNX (logical) layout; null until inferred.</summary>
    public int[]? Shape { get; set; }
    public ConstTensor? Const { get; set; }
}

internal sealed class Node
{
    public required string Name { get; init; }
    public required string OpType { get; init; }
    public required List<string> Inputs { get; init; }
    public required List<string> Outputs { get; init; }
    public required Dictionary<string, AttributeProto> Attributes { get; init; }

    /// <summary>Input i, or "" when omitted (ONNX writes an empty name for a skipped optional input).</summary>
    public string Input(int i) => i < Inputs.Count ? Inputs[i] : "";

    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;
    public string Str(string name, string fallback) => Attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;
    public long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;
    public float[]? Floats(string name) => Attributes.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    public override string ToString() => $"{OpType} node '{Name}'";
}

/// <summary>The converter's graph: nodes in topological order over named values.</summary>
internal sealed class Graph
{
    public List<Node> Nodes { get; set; } = new();
    public Dictionary<string, Value> Values { get; } = new();
    public List<string> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
    public int Opset { get; set; }
    public string ProducerName { get; set; } = "";

    /// <summary>Elements of the constants folded so far (bounded by <see cref="MaxFoldedTotalElements"/>).</summary>
    public long FoldedElements { get; set; }

    /// <summary>ConvertOptions.MaxFoldedElements: the most elements one folded constant may have.</summary>
    public long MaxFoldedElements { get; init; } = 1 << 26;

    /// <summary>ConvertOptions.MaxFoldedTotalElements: the most elements all folded constants may hold together.</summary>
    public long MaxFoldedTotalElements { get; init; } = 1 << 27;

    public Value this[string name] => Values.TryGetValue(name, out var v) ? v
        : throw new OnnxConversionException($"value '{name}' is used but never defined");

    public Value GetOrAdd(string name)
    {
        if (!Values.TryGetValue(name, out var v)) Values[name] = v = new Value { Name = name };
        return v;
    }

    public ConstTensor? ConstOf(string name) => name.Length > 0 && Values.TryGetValue(name, out var v) ? v.Const : null;

    /// <summary>How many node inputs (plus graph outputs) read each value.</summary>
    public Dictionary<string, int> UseCounts()
    {
        var uses = new Dictionary<string, int>();
        foreach (var n in Nodes)
            foreach (var i in n.Inputs)
                if (i.Length > 0) uses[i] = uses.GetValueOrDefault(i) + 1;
        foreach (var o in Outputs) uses[o] = uses.GetValueOrDefault(o) + 1;
        return uses;
    }
}
