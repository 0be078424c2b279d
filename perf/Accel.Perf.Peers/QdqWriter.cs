using System.Runtime.InteropServices;
using Accel.Conversion.Onnx;
using Google.Protobuf;

namespace Accel.Perf.Peers;

/// <summary>The integer type a QDQ model's activations are quantized to.</summary>
public enum QdqActivations
{
    /// <summary>int8, the zero points of Accel's int8 model as they are.</summary>
    Int8,

    /// <summary>uint8, each zero point + 128: the same real values on the same grid (ORT's U8S8 path).</summary>
    UInt8,
}

/// <summary>A QDQ ONNX model and what the writer did to the float graph.</summary>
/// <param name="Bytes">The serialized ModelProto.</param>
/// <param name="QuantizedValues">Values (graph inputs and node outputs) given a QuantizeLinear → DequantizeLinear pair.</param>
/// <param name="QuantizedWeights">Conv weights stored as int8 per output channel (and their biases as int32) behind DequantizeLinear.</param>
/// <param name="RemovedActivations">Relu / Clip nodes dropped because the QuantizeLinear after their producer clamps exactly as they do.</param>
/// <param name="FloatValues">Node outputs left without a pair (the int8 model has no int8 tensor of that name), as "name (OpType)".</param>
/// <param name="MaxWeightDeviation">The largest |int8 weight × scale − ONNX float weight| over all Conv weights, in units of that channel's scale.</param>
/// <param name="SourceOpset">The float model's ai.onnx opset (the QDQ model's is at least 13).</param>
/// <param name="PassThrough">Values the int8 model has no tensor for (a layout Transpose, a Reshape the converter folded), quantized as their input is: value → input.</param>
public sealed record QdqModel(byte[] Bytes, int QuantizedValues, int QuantizedWeights, int RemovedActivations, IReadOnlyList<string> FloatValues,
    double MaxWeightDeviation, long SourceOpset, IReadOnlyDictionary<string, string> PassThrough);

/// <summary>
/// Writes a QDQ ONNX model (QuantizeLinear / DequantizeLinear pairs, the form ONNX Runtime fuses into QLinearConv,
/// QLinearAdd, …) from a float ONNX model and the int8 .tflite Accel's quantizer made of its conversion, carrying
/// the int8 model's own numbers: each activation's per-tensor scale and zero point (found by name: the converter keeps
/// the ONNX value names, the quantizer names a value's int8 version NAME_int8), each Conv's int8 weights with their
/// per-output-channel scales (read from the .tflite and transposed back to ONNX's OIHW) and its int32 bias. A Relu or
/// Clip the converter fused into its producer is dropped where the int8 model clamps exactly as it would (its range
/// starts at the quantized minimum), as ORT's own quantizer does; the producer then writes the activation's value.
/// </summary>
public static class QdqWriter
{
    /// <exception cref="NotSupportedException">The two models do not match where the QDQ model needs them to (named in the message).</exception>
    public static QdqModel Write(ReadOnlySpan<byte> floatOnnx, Model int8, QdqActivations activations)
    {
        var model = ModelProto.Parser.ParseFrom(floatOnnx);
        var graph = model.Graph;
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")
            ?? throw new NotSupportedException("the ONNX model imports no ai.onnx opset");
        // Per-axis DequantizeLinear (per-channel weights) is opset 13's. Opsets 11 and 12 are raised to 13: 13 moved
        // Split's sizes and Squeeze/Unsqueeze/ReduceSum's axes from attributes to inputs (rewritten here) and changed
        // Softmax's axis (refused); its other ops only widened their types.
        long sourceOpset = opset.Version;
        if (opset.Version < 13)
        {
            if (opset.Version >= 11)
                foreach (var node in graph.Node.Where(n => n.OpType is "Split" or "Squeeze" or "Unsqueeze" or "ReduceSum"))
                {
                    var attribute = node.Attribute.FirstOrDefault(a => a.Name == (node.OpType == "Split" ? "split" : "axes"));
                    if (attribute is null) continue;
                    string name = node.Name + "_" + attribute.Name;
                    long[] sizes = attribute.Ints.ToArray();
                    graph.Initializer.Add(Tensor(name, TensorProto.Types.DataType.Int64, [sizes.Length], MemoryMarshal.AsBytes(sizes.AsSpan())));
                    while (node.Input.Count < 1) node.Input.Add("");
                    if (node.Input.Count > 1) throw new NotSupportedException($"{node.OpType} '{node.Name}' has both the attribute and a second input");
                    node.Input.Add(name);
                    node.Attribute.Remove(attribute);
                }
            string[] changed = ["Softmax", "LogSoftmax", "Hardmax"];
            var blocking = graph.Node.Select(n => n.OpType).Where(changed.Contains).Distinct().ToList();
            if (opset.Version < 11 || blocking.Count > 0)
                throw new NotSupportedException($"the ONNX model's opset is {opset.Version}: per-channel DequantizeLinear needs opset 13, " +
                    (blocking.Count > 0 ? $"and {string.Join(", ", blocking)} change meaning there (the axis)" : "and ops before 11 (Pad, Clip, Resize) change meaning there"));
            opset.Version = 13;
        }

        var tflite = TfliteInt8.Read(int8);
        var act = new Dictionary<string, (float Scale, int ZeroPoint)>(tflite.Activations);
        int qmin = activations == QdqActivations.Int8 ? -128 : 0, qmax = activations == QdqActivations.Int8 ? 127 : 255;
        int shift = activations == QdqActivations.Int8 ? 0 : 128;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet();

        // 1. Activations the int8 model clamps in its producer's requantization: drop the node, its producer writes its output.
        int removed = 0;
        foreach (var node in graph.Node.ToList())
        {
            if (node.OpType is not ("Relu" or "Clip") || node.Input.Count == 0) continue;
            string x = node.Input[0], y = node.Output[0];
            if (act.ContainsKey(x) || !act.TryGetValue(y, out var p)) continue;
            var producer = graph.Node.SingleOrDefault(n => n.Output.Contains(x));
            if (producer is null || graphOutputs.Contains(x) || graph.Node.Count(n => n.Input.Contains(x)) != 1) continue;
            var (lo, hi) = ActivationBounds(node, initializers);
            // TFLite's fused clamp: [max(qmin, zp + round(lo / s)), min(qmax, zp + round(hi / s))]; exactly the
            // quantizer's own clamp when those reach qmin and qmax.
            if (!(lo <= 0 && p.ZeroPoint + Round(lo / p.Scale) <= -128) || !(double.IsPositiveInfinity(hi) || p.ZeroPoint + Round(hi / p.Scale) >= 127)) continue;
            for (int k = 0; k < producer.Output.Count; k++) if (producer.Output[k] == x) producer.Output[k] = y;
            graph.Node.Remove(node);
            removed++;
        }

        var inserted = new List<(NodeProto After, NodeProto[] Nodes)>();
        var front = new List<NodeProto>();

        // 2. Conv weights and biases: the int8 model's, behind DequantizeLinear (axis 0: ONNX's output channels).
        int weights = 0;
        double maxDeviation = 0;
        foreach (var conv in graph.Node.Where(n => n.OpType == "Conv").ToList())
        {
            string y = conv.Output[0];
            if (!act.ContainsKey(y)) continue;
            var op = tflite.ProducerOf(y)
                ?? throw new NotSupportedException($"Conv '{conv.Name}': the int8 model has no operator writing the int8 version of '{y}'");
            var (filter, bias) = tflite.ConvConstants(op, y);
            if (!initializers.TryGetValue(conv.Input[1], out var w))
                throw new NotSupportedException($"Conv '{conv.Name}': its weights '{conv.Input[1]}' are not an initializer");
            int[] dims = w.Dims.Select(d => checked((int)d)).ToArray();
            sbyte[] oihw = ToOihw(filter, dims, conv.Name);
            float[] scales = filter.Scales;
            if (scales.Length != dims[0])
                throw new NotSupportedException($"Conv '{conv.Name}': {scales.Length} weight scales for {dims[0]} output channels");
            maxDeviation = Math.Max(maxDeviation, Deviation(FloatValues(w), oihw, scales, dims));

            string wq = conv.Input[1] + "_quantized";
            graph.Initializer.Add(Tensor(wq, TensorProto.Types.DataType.Int8, dims, MemoryMarshal.AsBytes(oihw.AsSpan())));
            graph.Initializer.Add(Tensor(wq + "_scale", TensorProto.Types.DataType.Float, [dims[0]], MemoryMarshal.AsBytes(scales.AsSpan())));
            graph.Initializer.Add(Tensor(wq + "_zero_point", TensorProto.Types.DataType.Int8, [dims[0]], new byte[dims[0]]));
            front.Add(Dequantize(wq, conv.Input[1] + "_dequantized", axis: 0));
            conv.Input[1] = conv.Input[1] + "_dequantized";

            string b = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? conv.Input[2] : conv.Name + "_bias";
            string bq = b + "_quantized";
            graph.Initializer.Add(Tensor(bq, TensorProto.Types.DataType.Int32, [dims[0]], MemoryMarshal.AsBytes(bias.Values.AsSpan())));
            graph.Initializer.Add(Tensor(bq + "_scale", TensorProto.Types.DataType.Float, [dims[0]], MemoryMarshal.AsBytes(bias.Scales.AsSpan())));
            graph.Initializer.Add(Tensor(bq + "_zero_point", TensorProto.Types.DataType.Int32, [dims[0]], new byte[dims[0] * 4]));
            front.Add(Dequantize(bq, b + "_dequantized", axis: 0));
            if (conv.Input.Count > 2) conv.Input[2] = b + "_dequantized";
            else conv.Input.Add(b + "_dequantized");
            weights++;
        }
        // The float weights and biases nothing reads any more.
        var read = graph.Node.SelectMany(n => n.Input).Concat(front.SelectMany(n => n.Input)).ToHashSet();
        foreach (var t in graph.Initializer.Where(t => !read.Contains(t.Name)).ToList()) graph.Initializer.Remove(t);

        // 3. A QuantizeLinear → DequantizeLinear pair on every value the int8 model holds as int8.
        int values = 0;
        NodeProto[] Pair(string from, string to, string name, (float Scale, int ZeroPoint) p)
        {
            graph.Initializer.Add(Tensor(name + "_scale", TensorProto.Types.DataType.Float, [], BitConverter.GetBytes(p.Scale)));
            graph.Initializer.Add(activations == QdqActivations.Int8
                ? Tensor(name + "_zero_point", TensorProto.Types.DataType.Int8, [], [unchecked((byte)(sbyte)p.ZeroPoint)])
                : Tensor(name + "_zero_point", TensorProto.Types.DataType.Uint8, [], [checked((byte)(p.ZeroPoint + shift))]));
            values++;
            return
            [
                Node("QuantizeLinear", [from, name + "_scale", name + "_zero_point"], name + "_quantized"),
                Node("DequantizeLinear", [name + "_quantized", name + "_scale", name + "_zero_point"], to),
            ];
        }
        foreach (var input in graph.Input.Where(i => !initializers.ContainsKey(i.Name)))
        {
            if (!act.TryGetValue(input.Name, out var p)) continue;
            string dq = input.Name + "_dequantized";
            foreach (var n in graph.Node)
                for (int k = 0; k < n.Input.Count; k++) if (n.Input[k] == input.Name) n.Input[k] = dq;
            front.AddRange(Pair(input.Name, dq, input.Name, p));
        }
        var floatValues = new List<string>();
        var passThrough = new Dictionary<string, string>();
        foreach (var node in graph.Node.ToList())
        {
            var pairs = new List<NodeProto>();
            for (int k = 0; k < node.Output.Count; k++)
            {
                string y = node.Output[k];
                if (y.Length == 0) continue;
                // A value the converter folded away (a layout Transpose, a Reshape kept as one) moves its input's
                // int8 values unchanged: TFLite's int8 RESHAPE / TRANSPOSE keep their input's scale and zero point.
                if (!act.ContainsKey(y) && node.OpType is "Transpose" or "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze" or "Identity"
                    && k == 0 && act.TryGetValue(node.Input[0].EndsWith("_dequantized", StringComparison.Ordinal) ? node.Input[0][..^"_dequantized".Length] : node.Input[0], out var moved))
                {
                    act[y] = moved;
                    passThrough[y] = node.Input[0].EndsWith("_dequantized", StringComparison.Ordinal) ? node.Input[0][..^"_dequantized".Length] : node.Input[0];
                }
                if (!act.TryGetValue(y, out var p))
                {
                    floatValues.Add($"{y} ({node.OpType})");
                    continue;
                }
                node.Output[k] = y + "_float";
                pairs.AddRange(Pair(y + "_float", y, y, p));
            }
            if (pairs.Count > 0) inserted.Add((node, pairs.ToArray()));
        }

        // Topological order kept: weight and input pairs first, each value's pair right after its producer.
        var ordered = new List<NodeProto>(front);
        var after = inserted.ToDictionary(i => i.After, i => i.Nodes);
        foreach (var node in graph.Node)
        {
            ordered.Add(node);
            if (after.TryGetValue(node, out var nodes)) ordered.AddRange(nodes);
        }
        graph.Node.Clear();
        graph.Node.AddRange(ordered);
        // Shapes inferred for the float graph would name the renamed values wrongly; ORT infers them again.
        graph.ValueInfo.Clear();
        return new QdqModel(model.ToByteArray(), values, weights, removed, floatValues, maxDeviation, sourceOpset, passThrough);

        static double Round(double v) => Math.Round(v, MidpointRounding.AwayFromZero);
    }

    /// <summary>How many nodes of each op type an ONNX model has (a QDQ model's pairs, or ORT's optimized graph).</summary>
    public static IReadOnlyDictionary<string, int> OpCounts(ReadOnlySpan<byte> onnx) =>
        ModelProto.Parser.ParseFrom(onnx).Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Each QuantizeLinear's scale and zero point, by the value it quantizes (its output's name without "_quantized").</summary>
    public static IReadOnlyDictionary<string, (float Scale, int ZeroPoint)> QuantizeParameters(ReadOnlySpan<byte> onnx)
    {
        var graph = ModelProto.Parser.ParseFrom(onnx).Graph;
        var init = graph.Initializer.ToDictionary(t => t.Name);
        var result = new Dictionary<string, (float, int)>();
        foreach (var q in graph.Node.Where(n => n.OpType == "QuantizeLinear"))
        {
            var zp = init[q.Input[2]];
            int zero = zp.DataType == (int)TensorProto.Types.DataType.Int8 ? (sbyte)zp.RawData[0] : zp.RawData[0];
            result[q.Output[0][..^"_quantized".Length]] = (BitConverter.ToSingle(init[q.Input[1]].RawData.Span), zero);
        }
        return result;
    }

    private static (double Lo, double Hi) ActivationBounds(NodeProto node, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        if (node.OpType == "Relu") return (0, double.PositiveInfinity);
        // Clip: min/max attributes before opset 11, optional inputs since.
        double lo = double.NegativeInfinity, hi = double.PositiveInfinity;
        foreach (var a in node.Attribute)
        {
            if (a.Name == "min") lo = a.F;
            if (a.Name == "max") hi = a.F;
        }
        if (node.Input.Count > 1 && node.Input[1].Length > 0)
            lo = initializers.TryGetValue(node.Input[1], out var t) ? FloatValues(t)[0] : throw new NotSupportedException($"Clip '{node.Name}': min is not an initializer");
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
            hi = initializers.TryGetValue(node.Input[2], out var t) ? FloatValues(t)[0] : throw new NotSupportedException($"Clip '{node.Name}': max is not an initializer");
        return (lo, hi);
    }

    /// <summary>The .tflite filter in ONNX's [M, C/group, kH, kW]: CONV_2D is [M, kH, kW, C/group], DEPTHWISE_CONV_2D [1, kH, kW, M].</summary>
    private static sbyte[] ToOihw(TfliteInt8.Filter filter, int[] dims, string conv)
    {
        if (dims.Length != 4) throw new NotSupportedException($"Conv '{conv}': weights of rank {dims.Length} (2-D convolutions only)");
        int m = dims[0], c = dims[1], kh = dims[2], kw = dims[3];
        int[] expected = filter.Depthwise ? [1, kh, kw, m] : [m, kh, kw, c];
        if (filter.Depthwise && c != 1 || !filter.Shape.SequenceEqual(expected))
            throw new NotSupportedException($"Conv '{conv}': ONNX weights [{string.Join(",", dims)}] do not match the int8 model's {(filter.Depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D")} filter [{string.Join(",", filter.Shape)}]");
        var result = new sbyte[m * c * kh * kw];
        for (int o = 0; o < m; o++)
            for (int i = 0; i < c; i++)
                for (int y = 0; y < kh; y++)
                    for (int x = 0; x < kw; x++)
                        result[((o * c + i) * kh + y) * kw + x] = filter.Depthwise
                            ? filter.Values[(y * kw + x) * m + o]
                            : filter.Values[((o * kh + y) * kw + x) * c + i];
        return result;
    }

    private static double Deviation(float[] w, sbyte[] q, float[] scales, int[] dims)
    {
        int perChannel = w.Length / dims[0];
        double worst = 0;
        for (int k = 0; k < w.Length; k++)
        {
            float s = scales[k / perChannel];
            worst = Math.Max(worst, Math.Abs(q[k] * (double)s - w[k]) / s);
        }
        return worst;
    }

    private static float[] FloatValues(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float) throw new NotSupportedException($"initializer '{t.Name}' is not float32");
        if (t.DataLocation == TensorProto.Types.DataLocation.External) throw new NotSupportedException($"initializer '{t.Name}' is stored outside the model");
        return t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, int[] dims, ReadOnlySpan<byte> raw)
    {
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        t.Dims.AddRange(dims.Select(d => (long)d));
        return t;
    }

    private static NodeProto Dequantize(string quantized, string output, int axis)
    {
        var node = Node("DequantizeLinear", [quantized, quantized + "_scale", quantized + "_zero_point"], output);
        node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = axis });
        return node;
    }

    private static NodeProto Node(string type, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = type, Name = output + "_" + type };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}

/// <summary>What the QDQ writer reads from Accel's int8 .tflite: activation parameters by name, conv filters and biases.</summary>
internal sealed class TfliteInt8
{
    internal sealed record Filter(sbyte[] Values, int[] Shape, float[] Scales, bool Depthwise);

    internal sealed record Bias(int[] Values, float[] Scales);

    private readonly Model _model;
    private readonly Dictionary<string, ModelOperator> _producers = new();

    /// <summary>Per-tensor int8 tensors (activations, and constants quantized as activation operands) by the ONNX value's name (<see cref="OnnxName"/>).</summary>
    public Dictionary<string, (float Scale, int ZeroPoint)> Activations { get; } = new();

    private TfliteInt8(Model model) => _model = model;

    public static TfliteInt8 Read(Model model)
    {
        var result = new TfliteInt8(model);
        var sg = model.MainSubgraph;
        foreach (var op in sg.Operators)
            foreach (int o in op.Outputs)
                if (o >= 0 && sg.Tensors[o].Type == TensorType.Int8) result._producers[OnnxName(sg.Tensors[o])] = op;
        foreach (var t in sg.Tensors)
        {
            // Per-tensor int8: activations, and constants quantized as activation operands (a CONCATENATION's zero padding).
            if (t.Type != TensorType.Int8 || t.Quantization.Scale.Length != 1) continue;
            result.Activations[OnnxName(t)] = (t.Quantization.Scale[0], checked((int)t.Quantization.ZeroPoint[0]));
        }
        return result;
    }

    /// <summary>
    /// The ONNX value an int8 tensor stands for: its name less the quantizer's "_int8" and less the converter's layout
    /// mark ("/0231": the ONNX value permuted to NHWC).
    /// </summary>
    internal static string OnnxName(ModelTensor t)
    {
        string name = t.Name.EndsWith("_int8", StringComparison.Ordinal) ? t.Name[..^5] : t.Name;
        int slash = name.LastIndexOf('/');
        if (slash < 0) return name;
        string mark = name[(slash + 1)..];
        bool permutation = mark.Length == t.Shape.Length && mark.All(char.IsAsciiDigit)
            && mark.Select(c => c - '0').Order().SequenceEqual(Enumerable.Range(0, mark.Length));
        return permutation ? name[..slash] : name;
    }

    public ModelOperator? ProducerOf(string tensor) => _producers.GetValueOrDefault(tensor);

    public (Filter Filter, Bias Bias) ConvConstants(ModelOperator op, string value)
    {
        var code = _model.OperatorCodeOf(op).Builtin;
        if (code is not (BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D))
            throw new NotSupportedException($"'{value}' is written by {code} in the int8 model, not CONV_2D or DEPTHWISE_CONV_2D");
        var sg = _model.MainSubgraph;
        var f = sg.Tensors[op.Inputs[1]];
        var b = op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? sg.Tensors[op.Inputs[2]] : null;
        if (f.Type != TensorType.Int8 || !IsConstant(f)) throw new NotSupportedException($"'{value}': the int8 model's filter '{f.Name}' is not an int8 constant");
        if (b is null || b.Type != TensorType.Int32 || !IsConstant(b)) throw new NotSupportedException($"'{value}': the int8 model's bias is not an int32 constant");
        bool depthwise = code == BuiltinOperator.DepthwiseConv2D;
        int channels = depthwise ? f.Shape[3] : f.Shape[0];
        if (f.Quantization.QuantizedDimension != (depthwise ? 3 : 0) && f.Quantization.Scale.Length > 1)
            throw new NotSupportedException($"'{value}': filter quantized along dimension {f.Quantization.QuantizedDimension}");
        float[] scales = f.Quantization.Scale.Length == 1 ? Enumerable.Repeat(f.Quantization.Scale[0], channels).ToArray() : f.Quantization.Scale;
        float[] biasScales = b.Quantization.Scale.Length == 1 ? Enumerable.Repeat(b.Quantization.Scale[0], channels).ToArray() : b.Quantization.Scale;
        return (new Filter(MemoryMarshal.Cast<byte, sbyte>(Data(f)).ToArray(), f.Shape, scales, depthwise),
            new Bias(MemoryMarshal.Cast<byte, int>(Data(b)).ToArray(), biasScales));
    }

    private bool IsConstant(ModelTensor t) => t.BufferIndex > 0 && t.BufferIndex < _model.Buffers.Count && _model.Buffers[t.BufferIndex].Length > 0;

    private ReadOnlySpan<byte> Data(ModelTensor t) => _model.GetBytes(_model.Buffers[t.BufferIndex]);
}

/// <summary>
/// Where two int8 runs of the same network part: every int8 activation of Accel's model made a graph output (the
/// model rebuilt with <see cref="Accel.Building.ModelBuilder"/>), every QuantizeLinear output of the QDQ model made an
/// ORT graph output, compared value by value in order.
/// </summary>
internal static class QdqLayers
{
    /// <summary>Accel's int8 model with each int8 activation also a graph output: the model's bytes and the ONNX value each extra output stands for.</summary>
    public static (byte[] Model, Dictionary<string, string> OutputNames) WithEveryActivation(Model int8)
    {
        var sg = int8.MainSubgraph;
        var builder = new Accel.Building.ModelBuilder();
        var index = new int[sg.Tensors.Length];
        bool IsConstant(ModelTensor t) => t.BufferIndex > 0 && t.BufferIndex < int8.Buffers.Count && int8.Buffers[t.BufferIndex].Length > 0;
        for (int i = 0; i < sg.Tensors.Length; i++)
        {
            var t = sg.Tensors[i];
            index[i] = IsConstant(t)
                ? builder.AddConstant(t.Name, t.Type, t.Shape, int8.GetBytes(int8.Buffers[t.BufferIndex]), t.Quantization)
                : builder.AddTensor(t.Name, t.Type, t.Shape, t.Quantization, t.ShapeSignature.Length > 0 ? t.ShapeSignature : null);
        }
        foreach (var op in sg.Operators)
        {
            var code = int8.OperatorCodeOf(op);
            builder.AddOperator(code.Builtin, op.Inputs.Select(i => i < 0 ? -1 : index[i]).ToArray(), op.Outputs.Select(i => index[i]).ToArray(), op.Options, code.Version);
        }
        foreach (int i in sg.Inputs) builder.AddInput(index[i]);
        foreach (int o in sg.Outputs) builder.AddOutput(index[o]);
        var names = new Dictionary<string, string>();
        var produced = sg.Operators.SelectMany(op => op.Outputs).ToHashSet();
        for (int i = 0; i < sg.Tensors.Length; i++)
        {
            var t = sg.Tensors[i];
            if (t.Type != TensorType.Int8 || !produced.Contains(i) || sg.Outputs.Contains(i)) continue;
            builder.AddOutput(index[i]);
            names[t.Name] = TfliteInt8.OnnxName(t);
        }
        return (builder.Build(), names);
    }

    /// <summary>The QDQ model with every QuantizeLinear output also a graph output (of the activations' integer type).</summary>
    public static byte[] WithEveryQuantized(ReadOnlySpan<byte> qdq)
    {
        var model = ModelProto.Parser.ParseFrom(qdq);
        var outputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        var init = model.Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var q in model.Graph.Node.Where(n => n.OpType == "QuantizeLinear" && !outputs.Contains(n.Output[0])).ToList())
            model.Graph.Output.Add(new ValueInfoProto
            {
                Name = q.Output[0],
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = init[q.Input[2]].DataType } },
            });
        return model.ToByteArray();
    }
}
