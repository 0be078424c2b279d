using System.Runtime.InteropServices;
using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Conversion;

/// <summary>Parses ONNX protobuf bytes into the converter's <see cref="Graph"/>.</summary>
internal static class OnnxReader
{
    public const int MinOpset = 9, MaxOpset = 21;

    public static ModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) throw new OnnxConversionException("the file is empty, not an ONNX model");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OnnxConversionException($"not an ONNX model (truncated or not protobuf): {e.Message}", e);
        }
        if (model.Graph is null || model.IrVersion <= 0)
            throw new OnnxConversionException("not an ONNX model: no ir_version or graph (is this an ONNX file?)");
        return model;
    }

    public static Graph ToGraph(ModelProto model, ConvertOptions options)
    {
        long opset = -1;
        foreach (var o in model.OpsetImport)
        {
            if (o.Domain is "" or "ai.onnx") opset = o.Version;
        }
        if (opset < 0) throw new OnnxConversionException("the model imports no ai.onnx opset");
        if (opset is < MinOpset or > MaxOpset)
            throw new OnnxConversionException($"unsupported opset {opset}: the converter reads ai.onnx opsets {MinOpset}–{MaxOpset}");

        var g = new Graph
        {
            Opset = (int)opset,
            ProducerName = model.ProducerName,
            MaxFoldedElements = options.MaxFoldedElements,
            MaxFoldedTotalElements = options.MaxFoldedTotalElements,
        };
        var gp = model.Graph;
        foreach (var init in gp.Initializer)
        {
            var v = g.GetOrAdd(init.Name);
            v.Const = ReadTensor(init, options.ExternalDataDirectory);
            v.Type = v.Const.Type;
            v.Shape = v.Const.Shape;
        }
        foreach (var input in gp.Input)
        {
            if (g.Values.TryGetValue(input.Name, out var existing) && existing.Const is not null) continue; // an initializer listed as input
            var v = g.GetOrAdd(input.Name);
            var tt = input.Type?.TensorType ?? throw new OnnxConversionException($"model input '{input.Name}' is not a tensor");
            v.Type = MapType(tt.ElemType);
            v.Shape = CheckElementCount(input.Name, ResolveInputShape(input.Name, tt.Shape, options));
            g.Inputs.Add(input.Name);
        }
        foreach (var unused in options.InputShapes.Keys.Where(k => !g.Inputs.Contains(k)))
            throw new OnnxConversionException($"--input-shape names '{unused}', which is not a model input (inputs: {string.Join(", ", g.Inputs)})");
        foreach (var output in gp.Output) g.Outputs.Add(output.Name);

        var produced = new HashSet<string>(g.Values.Keys);
        int index = 0;
        foreach (var np in gp.Node)
        {
            string name = np.Name.Length > 0 ? np.Name : $"{np.OpType}_{index}";
            index++;
            if (np.Domain is not ("" or "ai.onnx"))
                throw new OnnxConversionException($"{np.OpType} node '{name}' is in domain '{np.Domain}', which has no TFLite form", new[] { name });
            if (np.Attribute.GroupBy(a => a.Name).FirstOrDefault(a => a.Count() > 1) is { } twice)
                throw new OnnxConversionException($"{np.OpType} node '{name}' has attribute '{twice.Key}' {twice.Count()} times", new[] { name });
            // ONNX graphs are single-assignment: a value is an input, an initializer or one node's output, once.
            foreach (var o in np.Output)
                if (o.Length > 0 && !produced.Add(o))
                    throw new OnnxConversionException($"{np.OpType} node '{name}' writes '{o}', which is already a model input, an initializer or another node's output", new[] { name });
            var node = new Node
            {
                Name = name, OpType = np.OpType,
                Inputs = np.Input.ToList(), Outputs = np.Output.ToList(),
                Attributes = np.Attribute.ToDictionary(a => a.Name),
            };
            foreach (var o in node.Outputs) if (o.Length > 0) g.GetOrAdd(o);
            if (node.OpType == "Constant")
            {
                if (node.Outputs.Count != 1 || node.Outputs[0].Length == 0)
                    throw new OnnxConversionException($"Constant node '{name}' has {node.Outputs.Count} outputs; it writes exactly one value", new[] { name });
                // Constants become initializers at once; constant folding then sees them like any other.
                g[node.Outputs[0]].Const = ConstantValue(node, options);
                g[node.Outputs[0]].Type = g[node.Outputs[0]].Const!.Type;
                g[node.Outputs[0]].Shape = g[node.Outputs[0]].Const!.Shape;
                continue;
            }
            g.Nodes.Add(node);
        }
        return g;
    }

    /// <summary>
    /// A model input's dimensions each fit int32 but their product may not: a .tflite tensor holds at most 2^31−1
    /// elements, so such an input is refused here rather than written into a model the verifier refuses (docs/fuzzing.md
    /// finding 29: an input of shape [2^30, 8]).
    /// </summary>
    private static int[] CheckElementCount(string name, int[] dims)
    {
        long count = 1;
        foreach (int d in dims)
            if ((count *= d) > int.MaxValue)
                throw new OnnxConversionException($"model input '{name}' has shape [{string.Join(",", dims)}]: more than 2^31−1 elements, which no TFLite tensor holds");
        return dims;
    }

    private static int[] ResolveInputShape(string name, TensorShapeProto? shape, ConvertOptions options)
    {
        if (options.InputShapes.TryGetValue(name, out var given))
        {
            if (shape is not null && shape.Dim.Count != given.Length)
                throw new OnnxConversionException($"--input-shape {name} has rank {given.Length}, the model's input has rank {shape.Dim.Count}");
            if (shape is not null)
                for (int i = 0; i < given.Length; i++)
                    if (shape.Dim[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && shape.Dim[i].DimValue != given[i])
                        throw new OnnxConversionException($"--input-shape {name}: dimension {i} is fixed at {shape.Dim[i].DimValue} in the model, not {given[i]}");
            return (int[])given.Clone();
        }
        if (shape is null) throw new OnnxConversionException($"model input '{name}' has no shape; give it with --input-shape {name}=D0,D1,...");
        var dims = new int[shape.Dim.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            var d = shape.Dim[i];
            if (d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0)
                throw new OnnxConversionException(
                    $"model input '{name}' has a dynamic dimension {i} ('{(d.DimParam.Length > 0 ? d.DimParam : "?")}'); fix it with --input-shape {name}=D0,D1,...");
            if (d.DimValue > int.MaxValue)
                throw new OnnxConversionException($"model input '{name}' has dimension {i} = {d.DimValue}, beyond 2^31−1");
            dims[i] = (int)d.DimValue;
        }
        return dims;
    }

    private static ConstTensor ConstantValue(Node node, ConvertOptions options)
    {
        if (node.Attributes.TryGetValue("value", out var t)) return ReadTensor(t.T, options.ExternalDataDirectory);
        if (node.Attributes.TryGetValue("value_float", out var f)) return ConstTensor.Float([], [f.F]);
        if (node.Attributes.TryGetValue("value_floats", out var fs)) return ConstTensor.Float([fs.Floats.Count], fs.Floats.ToArray());
        if (node.Attributes.TryGetValue("value_int", out var i)) return ConstTensor.Int(ElemType.Int64, [], [i.I]);
        if (node.Attributes.TryGetValue("value_ints", out var @is)) return ConstTensor.Int(ElemType.Int64, [@is.Ints.Count], @is.Ints.ToArray());
        throw new OnnxConversionException($"{node}: a Constant without a value/value_float(s)/value_int(s) attribute has no TFLite form", new[] { node.Name });
    }

    internal static ElemType MapType(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float => ElemType.Float32,
        TensorProto.Types.DataType.Int64 => ElemType.Int64,
        TensorProto.Types.DataType.Int32 => ElemType.Int32,
        TensorProto.Types.DataType.Bool => ElemType.Bool,
        TensorProto.Types.DataType.Double => ElemType.Float32,
        TensorProto.Types.DataType.Float16 => ElemType.Float32,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int16
            or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => ElemType.Int64,
        _ => ElemType.Other,
    };

    /// <summary>Decodes a TensorProto (raw_data, typed fields or external data) into float32 or int64 values.</summary>
    public static ConstTensor ReadTensor(TensorProto t, string? externalDir)
    {
        // Dimensions are int32 and the element count fits int32 (TFLite's limits); negative ones are malformed.
        if (t.Dims.Any(d => d is < 0 or > int.MaxValue))
            throw new OnnxConversionException($"tensor '{t.Name}' has dimensions [{string.Join(",", t.Dims)}]: each must be in 0..2^31−1");
        int[] shape = t.Dims.Select(d => (int)d).ToArray();
        long count = 1;
        foreach (int d in shape)
            if ((count *= d) > int.MaxValue)
                throw new OnnxConversionException($"tensor '{t.Name}' [{string.Join(",", t.Dims)}] has more than 2^31−1 elements");
        ReadOnlySpan<byte> raw = t.RawData.Span;
        byte[]? external = null;
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
        {
            external = ReadExternal(t, externalDir);
            raw = external;
        }
        var dt = (TensorProto.Types.DataType)t.DataType;
        bool hasRaw = t.DataLocation == TensorProto.Types.DataLocation.External || !t.RawData.IsEmpty;
        switch (dt)
        {
            case TensorProto.Types.DataType.Float:
                if (hasRaw) return ConstTensor.Float(shape, CheckCount(t, MemoryMarshal.Cast<byte, float>(Exact(t, raw, count * 4)).ToArray(), count));
                return ConstTensor.Float(shape, CheckCount(t, t.FloatData.ToArray(), count));
            case TensorProto.Types.DataType.Double:
                if (hasRaw) return ConstTensor.Float(shape, MemoryMarshal.Cast<byte, double>(Exact(t, raw, count * 8)).ToArray().Select(d => (float)d).ToArray());
                return ConstTensor.Float(shape, CheckCount(t, t.DoubleData.Select(d => (float)d).ToArray(), count));
            case TensorProto.Types.DataType.Float16:
                if (hasRaw) return ConstTensor.Float(shape, MemoryMarshal.Cast<byte, Half>(Exact(t, raw, count * 2)).ToArray().Select(h => (float)h).ToArray());
                return ConstTensor.Float(shape, CheckCount(t, t.Int32Data.Select(b => (float)BitConverter.UInt16BitsToHalf((ushort)b)).ToArray(), count));
            case TensorProto.Types.DataType.Int64:
                if (hasRaw) return ConstTensor.Int(ElemType.Int64, shape, MemoryMarshal.Cast<byte, long>(Exact(t, raw, count * 8)).ToArray());
                return ConstTensor.Int(ElemType.Int64, shape, CheckCount(t, t.Int64Data.ToArray(), count));
            case TensorProto.Types.DataType.Int32:
                if (hasRaw) return ConstTensor.Int(ElemType.Int32, shape, MemoryMarshal.Cast<byte, int>(Exact(t, raw, count * 4)).ToArray().Select(v => (long)v).ToArray());
                return ConstTensor.Int(ElemType.Int32, shape, CheckCount(t, t.Int32Data.Select(v => (long)v).ToArray(), count));
            case TensorProto.Types.DataType.Bool:
            case TensorProto.Types.DataType.Uint8:
                if (hasRaw) return ConstTensor.Int(dt == TensorProto.Types.DataType.Bool ? ElemType.Bool : ElemType.Int64, shape, Exact(t, raw, count).ToArray().Select(v => (long)v).ToArray());
                return ConstTensor.Int(dt == TensorProto.Types.DataType.Bool ? ElemType.Bool : ElemType.Int64, shape, CheckCount(t, t.Int32Data.Select(v => (long)v).ToArray(), count));
            case TensorProto.Types.DataType.Int8:
                if (hasRaw) return ConstTensor.Int(ElemType.Int64, shape, MemoryMarshal.Cast<byte, sbyte>(Exact(t, raw, count)).ToArray().Select(v => (long)v).ToArray());
                return ConstTensor.Int(ElemType.Int64, shape, CheckCount(t, t.Int32Data.Select(v => (long)v).ToArray(), count));
            default:
                throw new OnnxConversionException($"tensor '{t.Name}' has data type {dt}, which the converter does not read");
        }
    }

    private static ReadOnlySpan<byte> Exact(TensorProto t, ReadOnlySpan<byte> raw, long bytes)
    {
        if (raw.Length != bytes)
            throw new OnnxConversionException($"tensor '{t.Name}' [{string.Join(",", t.Dims)}] needs {bytes} bytes of data, has {raw.Length}");
        return raw;
    }

    private static T[] CheckCount<T>(TensorProto t, T[] data, long count)
    {
        if (data.Length != count)
            throw new OnnxConversionException($"tensor '{t.Name}' [{string.Join(",", t.Dims)}] needs {count} elements, has {data.Length}");
        return data;
    }

    private static byte[] ReadExternal(TensorProto t, string? dir)
    {
        var entries = t.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        if (!entries.TryGetValue("location", out var location))
            throw new OnnxConversionException($"external tensor '{t.Name}' has no 'location'");
        if (dir is null)
            throw new OnnxConversionException($"external tensor '{t.Name}' needs its file '{location}', but the model was not read from a folder");
        // The location is relative to the model's folder and may not leave it (ONNX's own rule).
        string full = Path.GetFullPath(Path.Combine(dir, location));
        string root = Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (Path.IsPathRooted(location) || !full.StartsWith(root, StringComparison.Ordinal))
            throw new OnnxConversionException($"external tensor '{t.Name}': location '{location}' leaves the model's folder");
        if (!File.Exists(full)) throw new OnnxConversionException($"external tensor '{t.Name}': file '{full}' does not exist");
        long offset = entries.TryGetValue("offset", out var o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
        using var stream = File.OpenRead(full);
        long length = entries.TryGetValue("length", out var l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
        if (offset < 0 || length < 0 || offset + length > stream.Length)
            throw new OnnxConversionException($"external tensor '{t.Name}': offset {offset} + length {length} is past the end of '{location}' ({stream.Length} bytes)");
        var data = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(data);
        return data;
    }
}
