using Accel.Building;

namespace Accel.Conversion;

/// <summary>
/// Emits the analysed graph as TFLite operators. Every value carries the permutation its TFLite tensor is stored
/// in (stored dim i = ONNX dim perm[i]); layout-bound ops (convolutions, pools, resizes) produce NHWC and every other
/// op works in whatever layout its input already has, remapping axes, pads and constants instead of moving data.
/// A TRANSPOSE is emitted only where a value must be read in another layout (a Reshape of an NHWC tensor, a model
/// output kept in ONNX layout), once per value and layout.
/// </summary>
internal sealed partial class Lowering
{
    private static readonly int[] Nhwc = [0, 2, 3, 1];

    private readonly Graph _g;
    private readonly ConvertOptions _options;
    private readonly VersionedModelBuilder _mb;
    private readonly Dictionary<string, (int Tensor, int[] Perm)> _stored = new();
    private readonly Dictionary<(string, string), int> _views = new();
    private readonly Dictionary<string, int> _uses;
    private readonly HashSet<Node> _fused = new();
    private readonly HashSet<string> _aliases = new(); // values that share another value's tensor (free Transposes)
    private readonly Dictionary<string, Node> _consumer = new();
    private int _constCounter;

    public int TransposeCount { get; private set; }
    public List<string> TransposedValues { get; } = new();

    private static bool MovesOnlyUnitDims(int[] storedShape, int[] t)
    {
        var order = t.Where(a => storedShape[a] != 1).ToArray();
        for (int i = 1; i < order.Length; i++) if (order[i] < order[i - 1]) return false;
        return true;
    }
    public List<string> FusedActivations { get; } = new();

    public Lowering(Graph g, ConvertOptions options, VersionedModelBuilder mb)
    {
        _g = g; _options = options; _mb = mb;
        _uses = g.UseCounts();
        foreach (var n in g.Nodes)
            foreach (var i in n.Inputs)
                if (i.Length > 0) _consumer[i] = n;
    }

    /// <summary>Names every node with no TFLite form here, before anything is emitted.</summary>
    public static List<Node> Unsupported(Graph g) => g.Nodes.Where(n => !Supported.Contains(n.OpType)).ToList();

    public static readonly HashSet<string> Supported = new()
    {
        "Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization",
        "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Elu", "HardSwish", "HardSigmoid", "LeakyRelu", "Clip",
        "Gelu", "Floor", "Ceil", "Round", "Sin", "Cos", "LayerNormalization", "InstanceNormalization", "ArgMax", "ArgMin", "TopK",
        "PRelu", "Softmax", "LogSoftmax", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
        "Concat", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Pad", "Resize", "Upsample",
        "MatMul", "Gemm", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "Slice", "Gather", "Split",
        "DepthToSpace", "SpaceToDepth", "LRN", "Cast", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Where", "Expand", "Tile", "Identity", "Dropout",
    };

    public void Run()
    {
        foreach (string name in _g.Inputs)
        {
            var v = _g[name];
            bool nhwc = _options.NhwcIo && v.Shape!.Length == 4;
            int[] perm = nhwc ? Nhwc : Shapes.Identity(v.Shape!.Length);
            int t = _mb.AddTensor(name, TypeOf(v.Type), Shapes.Permute(v.Shape!, perm));
            _mb.AddInput(t);
            _stored[name] = (t, perm);
        }
        foreach (var node in _g.Nodes)
        {
            if (_fused.Contains(node)) continue;
            try
            {
                Lower(node);
            }
            catch (OnnxConversionException e) when (e.Nodes.Count > 0) { throw; }
            catch (Exception e) when (e is OnnxConversionException or ArgumentException or InvalidOperationException or IndexOutOfRangeException
                                          or OverflowException or InvalidCastException)
            {
                throw new OnnxConversionException($"{node}: {e.Message}", new[] { node.Name });
            }
        }
        var inputs = new List<(string, int)>();
        foreach (string name in _g.Inputs) inputs.Add((name, _stored[name].Tensor));
        var outputs = new List<(string, int)>();
        foreach (string name in _g.Outputs)
        {
            if (!_stored.ContainsKey(name))
                throw new OnnxConversionException($"model output '{name}' is a constant or a model input; it has no operator to compute it in TFLite");
            var v = _g[name];
            int[] want = _options.NhwcIo && v.Shape!.Length == 4 ? Nhwc : Shapes.Identity(v.Shape!.Length);
            int t = Get(name, want, outputName: name);
            if (_aliases.Contains(name) && _stored[name].Perm.SequenceEqual(want) && t == _stored[name].Tensor)
            {
                // The output shares its tensor with the Transpose's input: a same-shape RESHAPE gives it its own.
                int copy = _mb.AddTensor(name, TypeOf(v.Type), Shapes.Permute(v.Shape!, want));
                _mb.AddOperator(BuiltinOperator.Reshape, [t, ConstInt("shape", Shapes.Permute(v.Shape!, want))], [copy]);
                t = copy;
            }
            _mb.AddOutput(t);
            outputs.Add((name, t));
        }
        _mb.AddSignature("serving_default", inputs, outputs);
    }

    // ------------------------------------------------------------------------------------------------ tensors

    private static TensorType TypeOf(ElemType t) => t switch
    {
        ElemType.Float32 => TensorType.Float32,
        ElemType.Int64 => TensorType.Int64,
        ElemType.Int32 => TensorType.Int32,
        ElemType.Bool => TensorType.Bool,
        _ => throw new OnnxConversionException($"element type {t} has no TFLite tensor type here"),
    };

    private static string PermKey(int[] p) => string.Join("", p);

    private int[] PermOf(string name) => _stored.TryGetValue(name, out var s) ? s.Perm : Shapes.Identity(_g[name].Shape!.Length);

    /// <summary>The value as a TFLite tensor stored in <paramref name="perm"/>: constants are emitted permuted,
    /// activations get one TRANSPOSE per (value, layout).</summary>
    private int Get(string name, int[] perm, string? outputName = null)
    {
        var v = _g[name];
        if (v.Const is { } c)
        {
            if (_views.TryGetValue((name, PermKey(perm)), out int ci)) return ci;
            ci = AddConst(name + (Shapes.IsIdentity(perm) ? "" : "/" + PermKey(perm)), Permute(c, perm));
            _views[(name, PermKey(perm))] = ci;
            return ci;
        }
        var (tensor, stored) = _stored[name];
        // Already in that layout (a graph output stored so is also named so: Out names identity-layout tensors by value).
        if (stored.SequenceEqual(perm)) return tensor;
        if (_views.TryGetValue((name, PermKey(perm)), out int vi)) return vi;
        // TFLite TRANSPOSE: out[i] = in[t[i]]; stored[j] = logical[stored[j]] so t[i] = inverse(stored)[perm[i]].
        var inv = Shapes.Inverse(stored);
        int[] t = perm.Select(p => inv[p]).ToArray();
        var outShape = Shapes.Permute(v.Shape!, perm);
        int outT = _mb.AddTensor(outputName ?? name + "/" + PermKey(perm), TypeOf(v.Type), outShape);
        if (MovesOnlyUnitDims(Shapes.Permute(v.Shape!, stored), t))
        {
            // Only size-1 dimensions move: the bytes are already in order, a RESHAPE relabels them.
            _mb.AddOperator(BuiltinOperator.Reshape, [tensor, ConstInt("shape", outShape)], [outT], new ReshapeOptions(outShape));
        }
        else
        {
            _mb.AddOperator(BuiltinOperator.Transpose, [tensor, ConstInt("perm", t)], [outT]);
            TransposeCount++;
            TransposedValues.Add(name);
        }
        _views[(name, PermKey(perm))] = outT;
        return outT;
    }


    /// <summary>
    /// The inferred shape of a value a node writes. Analysis shapes every output it infers; one it could not (a Split
    /// with more outputs than splits, a mutated graph) is an error naming the value (the caller's node is added).
    /// </summary>
    private int[] ShapeOf(string name) =>
        _g[name].Shape ?? throw new OnnxConversionException($"value '{name}' has no inferred shape (is it an output this operator does not have?)");

    private int Out(string name, int[] perm, ElemType? type = null)
    {
        var v = _g[name];
        string tensorName = Shapes.IsIdentity(perm) || (_options.NhwcIo && _g.Outputs.Contains(name)) ? name : name + "/" + PermKey(perm);
        int t = _mb.AddTensor(tensorName, TypeOf(type ?? v.Type), Shapes.Permute(ShapeOf(name), perm));
        _stored[name] = (t, perm);
        return t;
    }

    private int AddConst(string name, ConstTensor c)
    {
        if (c.IsFloat) return _mb.AddConstant(name, c.Shape, c.Floats!);
        return c.Type switch
        {
            ElemType.Int64 => _mb.AddConstant(name, TensorType.Int64, c.Shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(c.Ints!.AsSpan())),
            ElemType.Bool => _mb.AddConstant(name, TensorType.Bool, c.Shape, c.Ints!.Select(v => (byte)(v != 0 ? 1 : 0)).ToArray()),
            _ => _mb.AddConstant(name, c.Shape, c.Ints!.Select(v => checked((int)v)).ToArray()),
        };
    }

    private int ConstInt(string what, int[] values, int[]? shape = null)
        => _mb.AddConstant($"const_{_constCounter++}/{what}", shape ?? [values.Length], values);

    private int ConstFloat(string what, int[] shape, float[] values)
        => _mb.AddConstant($"const_{_constCounter++}/{what}", shape, values);

    private static ConstTensor Permute(ConstTensor c, int[] perm)
    {
        if (Shapes.IsIdentity(perm) || c.Shape.Length != perm.Length) return c;
        var map = Shapes.TransposeIndex(c.Shape, perm);
        var shape = Shapes.Permute(c.Shape, perm);
        return c.IsFloat ? ConstTensor.Float(shape, map.Select(i => c.Floats![i]).ToArray())
            : ConstTensor.Int(c.Type, shape, map.Select(i => c.Ints![i]).ToArray());
    }

    /// <summary>A constant operand of a broadcasting op, aligned to the output rank and stored in <paramref name="perm"/>
    /// (a scalar stays a scalar).</summary>
    private int BroadcastConst(string name, int rank, int[] perm)
    {
        var c = _g[name].Const!;
        if (c.Shape.Length == 0 || c.Count == 1)
        {
            var key = (name, "scalar");
            if (!_views.TryGetValue(key, out int s))
                _views[key] = s = AddConst(name, c.IsFloat ? ConstTensor.Float([], [c.Floats![0]]) : ConstTensor.Int(c.Type, [], [c.Ints![0]]));
            return s;
        }
        if (c.Shape.Length == rank) return Get(name, perm);
        int[] aligned = [.. Enumerable.Repeat(1, rank - c.Shape.Length), .. c.Shape];
        var ac = c.IsFloat ? ConstTensor.Float(aligned, c.Floats!) : ConstTensor.Int(c.Type, aligned, c.Ints!);
        var k2 = (name, "b" + rank + PermKey(perm));
        if (!_views.TryGetValue(k2, out int t)) _views[k2] = t = AddConst(name + "/" + PermKey(perm), Permute(ac, perm));
        return t;
    }

    // ------------------------------------------------------------------------------------------------ fusion

    /// <summary>When the sole reader of <paramref name="output"/> is Relu/Clip that TFLite can fuse, returns the
    /// activation and the value to store (the activation's output) and skips that node.</summary>
    private (ActivationFunctionType Act, string Output) FuseActivation(string output)
    {
        if (_uses.GetValueOrDefault(output) != 1 || _g.Outputs.Contains(output) || !_consumer.TryGetValue(output, out var next))
            return (ActivationFunctionType.None, output);
        ActivationFunctionType act = next.OpType switch
        {
            "Relu" => ActivationFunctionType.Relu,
            "Clip" => ClipRange(next) switch
            {
                (0f, 6f) => ActivationFunctionType.Relu6,
                (-1f, 1f) => ActivationFunctionType.ReluN1To1,
                (0f, float.PositiveInfinity) => ActivationFunctionType.Relu,
                _ => ActivationFunctionType.None,
            },
            _ => ActivationFunctionType.None,
        };
        if (act == ActivationFunctionType.None) return (act, output);
        _fused.Add(next);
        FusedActivations.Add(next.Name);
        return (act, next.Outputs[0]);
    }

    private (float Min, float Max) ClipRange(Node clip)
    {
        float min = float.NegativeInfinity, max = float.PositiveInfinity;
        if (_g.Opset < 11)
        {
            min = clip.Float("min", min); max = clip.Float("max", max);
        }
        else
        {
            if (clip.Input(1).Length > 0) min = _g.ConstOf(clip.Input(1))?.AsFloats()[0] ?? float.NaN;
            if (clip.Input(2).Length > 0) max = _g.ConstOf(clip.Input(2))?.AsFloats()[0] ?? float.NaN;
        }
        return (min, max);
    }

    // ------------------------------------------------------------------------------------------------ ops

    private void Lower(Node n)
    {
        switch (n.OpType)
        {
            case "Conv": LowerConv(n); return;
            case "ConvTranspose": LowerConvTranspose(n); return;
            case "MaxPool":
            case "AveragePool": LowerPool(n); return;
            case "GlobalAveragePool":
            case "GlobalMaxPool":
            {
                int x = NeedNhwc(n, 0);
                var act = (ActivationFunctionType.None, n.Outputs[0]);
                int o = Out(act.Item2, Nhwc);
                _mb.AddOperator(n.OpType == "GlobalAveragePool" ? BuiltinOperator.Mean : BuiltinOperator.ReduceMax,
                    [x, ConstInt("axes", [1, 2])], [o], new ReducerOptions(true));
                AfterLayoutBound(n.Outputs[0]);
                return;
            }
            case "BatchNormalization": LowerBatchNorm(n); return;
            case "LayerNormalization": LowerNormalization(n); return;
            case "InstanceNormalization": LowerNormalization(n); return;
            case "Relu": Unary(n, BuiltinOperator.Relu); return;
            case "Sigmoid": Unary(n, BuiltinOperator.Logistic); return;
            case "Tanh": Unary(n, BuiltinOperator.Tanh); return;
            case "Exp": Unary(n, BuiltinOperator.Exp); return;
            case "Log": Unary(n, BuiltinOperator.Log); return;
            case "Sqrt": Unary(n, BuiltinOperator.Sqrt); return;
            case "Neg": Unary(n, BuiltinOperator.Neg); return;
            case "Abs": Unary(n, BuiltinOperator.Abs); return;
            case "Floor": Unary(n, BuiltinOperator.Floor); return;
            case "Ceil": Unary(n, BuiltinOperator.Ceil); return;
            case "Round": Unary(n, BuiltinOperator.Round); return;
            case "Sin": Unary(n, BuiltinOperator.Sin); return;
            case "Cos": Unary(n, BuiltinOperator.Cos); return;
            case "HardSwish": Unary(n, BuiltinOperator.HardSwish); return;
            case "Elu":
                if (n.Float("alpha", 1f) != 1f) throw Unsupported(n, "alpha other than 1 (TFLite's ELU has alpha 1)");
                Unary(n, BuiltinOperator.Elu); return;
            case "LeakyRelu": Unary(n, BuiltinOperator.LeakyRelu, new LeakyReluOptions(n.Float("alpha", 0.01f))); return;
            case "Gelu": Unary(n, BuiltinOperator.Gelu, new GeluOptions(n.Str("approximate", "none") == "tanh")); return;
            case "Clip": LowerClip(n); return;
            case "HardSigmoid": LowerHardSigmoid(n); return;
            case "PRelu": LowerPRelu(n); return;
            case "Softmax": LowerSoftmax(n, BuiltinOperator.Softmax); return;
            case "LogSoftmax": LowerSoftmax(n, BuiltinOperator.LogSoftmax); return;
            case "Add": Binary(n, BuiltinOperator.Add, a => new AddOptions(a)); return;
            case "Sub": Binary(n, BuiltinOperator.Sub, a => new SubOptions(a)); return;
            case "Mul": Binary(n, BuiltinOperator.Mul, a => new MulOptions(a)); return;
            case "Div": Binary(n, BuiltinOperator.Div, a => new DivOptions(a)); return;
            case "Pow": Binary(n, BuiltinOperator.Pow, null); return;
            case "Max": Binary(n, BuiltinOperator.Maximum, null); return;
            case "Min": Binary(n, BuiltinOperator.Minimum, null); return;
            case "Equal": Binary(n, BuiltinOperator.Equal, null, ElemType.Bool); return;
            case "Less": Binary(n, BuiltinOperator.Less, null, ElemType.Bool); return;
            case "Greater": Binary(n, BuiltinOperator.Greater, null, ElemType.Bool); return;
            case "LessOrEqual": Binary(n, BuiltinOperator.LessEqual, null, ElemType.Bool); return;
            case "GreaterOrEqual": Binary(n, BuiltinOperator.GreaterEqual, null, ElemType.Bool); return;
            case "Where":
            {
                var shape = ShapeOf(n.Outputs[0]);
                var p = CommonPerm(n, shape.Length);
                int c = Operand(n.Inputs[0], shape.Length, p), a = Operand(n.Inputs[1], shape.Length, p), b = Operand(n.Inputs[2], shape.Length, p);
                int o = Out(n.Outputs[0], p);
                _mb.AddOperator(BuiltinOperator.SelectV2, [c, a, b], [o]);
                return;
            }
            case "Concat": LowerConcat(n); return;
            case "Reshape":
            case "Flatten":
            case "Squeeze":
            case "Unsqueeze": LowerReshape(n); return;
            case "Transpose": LowerTranspose(n); return;
            case "Pad": LowerPad(n); return;
            case "Resize":
            case "Upsample": LowerResize(n); return;
            case "MatMul": LowerMatMul(n); return;
            case "Gemm": LowerGemm(n); return;
            case "ReduceMean": Reduce(n, BuiltinOperator.Mean); return;
            case "ReduceSum": Reduce(n, BuiltinOperator.Sum); return;
            case "ReduceMax": Reduce(n, BuiltinOperator.ReduceMax); return;
            case "ReduceMin": Reduce(n, BuiltinOperator.ReduceMin); return;
            case "ReduceProd": Reduce(n, BuiltinOperator.ReduceProd); return;
            case "TopK": LowerTopK(n); return;
            case "ArgMax": LowerArg(n, BuiltinOperator.ArgMax); return;
            case "ArgMin": LowerArg(n, BuiltinOperator.ArgMin); return;
            case "Slice": LowerSlice(n); return;
            case "Gather": LowerGather(n); return;
            case "Split": LowerSplit(n); return;
            case "DepthToSpace":
            {
                string mode = n.Str("mode", "DCR");
                if (mode is not ("DCR" or "CRD")) throw Unsupported(n, $"mode '{mode}' (ONNX defines DCR and CRD)");
                int x = NeedNhwc(n, 0);
                if (mode == "CRD") x = CrdToDcr(n, x, (int)n.Int("blocksize", 1));
                int o = Out(n.Outputs[0], Nhwc);
                _mb.AddOperator(BuiltinOperator.DepthToSpace, [x], [o], new DepthToSpaceOptions((int)n.Int("blocksize", 1)));
                AfterLayoutBound(n.Outputs[0]);
                return;
            }
            case "LRN": LowerLrn(n); return;
            case "SpaceToDepth":
            {
                int x = NeedNhwc(n, 0);
                int o = Out(n.Outputs[0], Nhwc);
                _mb.AddOperator(BuiltinOperator.SpaceToDepth, [x], [o], new SpaceToDepthOptions((int)n.Int("blocksize", 1)));
                AfterLayoutBound(n.Outputs[0]);
                return;
            }
            case "Cast": LowerCast(n); return;
            case "Expand":
            {
                int x = Get(n.Inputs[0], Shapes.Identity(_g[n.Inputs[0]].Shape!.Length));
                var shape = ShapeOf(n.Outputs[0]);
                int o = Out(n.Outputs[0], Shapes.Identity(shape.Length));
                _mb.AddOperator(BuiltinOperator.BroadcastTo, [x, ConstInt("shape", shape)], [o]);
                return;
            }
            case "Tile":
            {
                var p = PermOf(n.Inputs[0]);
                int x = Get(n.Inputs[0], p);
                var reps = _g.ConstOf(n.Inputs[1])!.AsInts();
                int o = Out(n.Outputs[0], p);
                _mb.AddOperator(BuiltinOperator.Tile, [x, ConstInt("multiples", p.Select(a => (int)reps[a]).ToArray())], [o]);
                return;
            }
            case "Identity":
            case "Dropout":
            {
                // Kept only where it renames a model input to an output: a RESHAPE to the same shape copies it.
                var p = PermOf(n.Inputs[0]);
                int x = Get(n.Inputs[0], p);
                int o = Out(n.Outputs[0], p);
                _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", Shapes.Permute(ShapeOf(n.Outputs[0]), p))], [o]);
                return;
            }
            default:
                throw Unsupported(n, "no TFLite form");
        }
    }

    private static OnnxConversionException Unsupported(Node n, string why)
        => new($"{n}: {why}", new[] { n.Name });

    private int NeedNhwc(Node n, int input)
    {
        var shape = _g[n.Inputs[input]].Shape!;
        if (shape.Length != 4) throw Unsupported(n, $"input rank {shape.Length}; only 2-D images (rank 4, NCHW) convert");
        return Get(n.Inputs[input], Nhwc);
    }

    /// <summary>With --keep-nchw every layout-bound op's result goes straight back to ONNX layout.</summary>
    private void AfterLayoutBound(string output)
    {
        if (!_options.KeepNchw) return;
        var perm = _stored[output].Perm;
        int back = Get(output, Shapes.Identity(perm.Length), outputName: _g.Outputs.Contains(output) ? output : output + "/nchw");
        _stored[output] = (back, Shapes.Identity(perm.Length));
    }

    private void Unary(Node n, BuiltinOperator op, OperatorOptions? options = null)
    {
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(op, [x], [o], options);
    }

    private void LowerClip(Node n)
    {
        var (min, max) = ClipRange(n);
        if (float.IsNaN(min) || float.IsNaN(max)) throw Unsupported(n, "min/max computed at run time");
        BuiltinOperator? op = (min, max) switch
        {
            (0f, 6f) => BuiltinOperator.Relu6,
            (-1f, 1f) => BuiltinOperator.ReluN1To1,
            (0f, 1f) => BuiltinOperator.Relu0To1,
            (0f, float.PositiveInfinity) => BuiltinOperator.Relu,
            _ => null,
        };
        if (op is { } direct) { Unary(n, direct); return; }
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var shape = ShapeOf(n.Outputs[0]);
        if (!float.IsNegativeInfinity(min))
        {
            int t = float.IsPositiveInfinity(max) ? Out(n.Outputs[0], p) : _mb.AddTensor(n.Outputs[0] + "/max", TensorType.Float32, Shapes.Permute(shape, p));
            _mb.AddOperator(BuiltinOperator.Maximum, [x, ConstFloat("clip_min", [], [min])], [t]);
            x = t;
        }
        if (!float.IsPositiveInfinity(max))
        {
            int o = Out(n.Outputs[0], p);
            _mb.AddOperator(BuiltinOperator.Minimum, [x, ConstFloat("clip_max", [], [max])], [o]);
        }
        else if (float.IsNegativeInfinity(min))
        {
            int o = Out(n.Outputs[0], p);
            _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", Shapes.Permute(shape, p))], [o]);
        }
    }

    private void LowerHardSigmoid(Node n)
    {
        // max(0, min(1, alpha·x + beta)): MUL, ADD, RELU_0_TO_1.
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var shape = Shapes.Permute(ShapeOf(n.Outputs[0]), p);
        int m = _mb.AddTensor(n.Outputs[0] + "/scaled", TensorType.Float32, shape);
        _mb.AddOperator(BuiltinOperator.Mul, [x, ConstFloat("alpha", [], [n.Float("alpha", 0.2f)])], [m], new MulOptions(ActivationFunctionType.None));
        int a = _mb.AddTensor(n.Outputs[0] + "/shifted", TensorType.Float32, shape);
        _mb.AddOperator(BuiltinOperator.Add, [m, ConstFloat("beta", [], [n.Float("beta", 0.5f)])], [a], new AddOptions(ActivationFunctionType.None));
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(BuiltinOperator.Relu0To1, [a], [o]);
    }

    /// <summary>Picks the layout for an op over several inputs: that of the first non-constant input of full rank.</summary>
    private int[] CommonPerm(Node n, int rank)
    {
        foreach (var i in n.Inputs)
            if (i.Length > 0 && _g[i].Const is null && _g[i].Shape!.Length == rank) return PermOf(i);
        return Shapes.Identity(rank);
    }

    private int Operand(string name, int rank, int[] perm)
    {
        var v = _g[name];
        if (v.Const is not null) return BroadcastConst(name, rank, perm);
        if (v.Shape!.Length == rank) return Get(name, perm);
        // A lower-rank activation: reshape (in ONNX layout) to the full rank, then read it in the common layout.
        int x = Get(name, Shapes.Identity(v.Shape.Length));
        int[] aligned = [.. Enumerable.Repeat(1, rank - v.Shape.Length), .. v.Shape];
        string alignedName = name + "/rank" + rank;
        if (!_stored.ContainsKey(alignedName))
        {
            _g.GetOrAdd(alignedName).Shape = aligned;
            _g[alignedName].Type = v.Type;
            int t = Out(alignedName, Shapes.Identity(rank));
            _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", aligned)], [t]);
        }
        return Get(alignedName, perm);
    }

    private void Binary(Node n, BuiltinOperator op, Func<ActivationFunctionType, OperatorOptions>? options, ElemType? outType = null)
    {
        var outShape = ShapeOf(n.Outputs[0]);
        int rank = outShape.Length;
        var p = CommonPerm(n, rank);
        int a = Operand(n.Inputs[0], rank, p);
        int b = Operand(n.Inputs[1], rank, p);
        var (act, output) = options is null ? (ActivationFunctionType.None, n.Outputs[0]) : FuseActivation(n.Outputs[0]);
        int o = Out(output, p, outType);
        _mb.AddOperator(op, [a, b], [o], options?.Invoke(act));
    }

    private void LowerPRelu(Node n)
    {
        var shape = ShapeOf(n.Outputs[0]);
        var p = CommonPerm(n, shape.Length);
        int x = Get(n.Inputs[0], p);
        // ONNX slope [C,1,1] broadcasts against [N,C,H,W]; aligned and permuted it is [1,1,1,C] for NHWC.
        int slope = _g[n.Inputs[1]].Const is null ? Operand(n.Inputs[1], shape.Length, p) : BroadcastConstFull(n.Inputs[1], shape.Length, p);
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(BuiltinOperator.Prelu, [x, slope], [o]);
    }

    private int BroadcastConstFull(string name, int rank, int[] perm)
    {
        var c = _g[name].Const!;
        int[] aligned = [.. Enumerable.Repeat(1, rank - c.Shape.Length), .. c.Shape];
        var ac = c.IsFloat ? ConstTensor.Float(aligned, c.Floats!) : ConstTensor.Int(c.Type, aligned, c.Ints!);
        var permuted = Permute(ac, perm);
        // Leading 1s are dropped: TFLite broadcasts from the right, like ONNX.
        int lead = 0;
        while (lead < permuted.Shape.Length - 1 && permuted.Shape[lead] == 1) lead++;
        var trimmed = permuted.IsFloat ? ConstTensor.Float(permuted.Shape[lead..], permuted.Floats!) : ConstTensor.Int(permuted.Type, permuted.Shape[lead..], permuted.Ints!);
        return AddConst(name + "/" + PermKey(perm), trimmed);
    }

    private void LowerBatchNorm(Node n)
    {
        var x = _g[n.Inputs[0]];
        var scale = _g.ConstOf(n.Input(1)); var bias = _g.ConstOf(n.Input(2));
        var mean = _g.ConstOf(n.Input(3)); var variance = _g.ConstOf(n.Input(4));
        if (scale is null || bias is null || mean is null || variance is null) throw Unsupported(n, "statistics computed at run time");
        float eps = n.Float("epsilon", 1e-5f);
        int c = x.Shape![1];
        var s = new float[c]; var b = new float[c];
        for (int i = 0; i < c; i++)
        {
            s[i] = scale.AsFloats()[i] / MathF.Sqrt(variance.AsFloats()[i] + eps);
            b[i] = bias.AsFloats()[i] - mean.AsFloats()[i] * s[i];
        }
        int rank = x.Shape.Length;
        var p = PermOf(n.Inputs[0]);
        int[] cshape = [c, .. Enumerable.Repeat(1, rank - 2)];
        string sName = n.Name + "/bn_scale", bName = n.Name + "/bn_shift";
        _g.GetOrAdd(sName).Const = ConstTensor.Float(cshape, s);
        _g.GetOrAdd(bName).Const = ConstTensor.Float(cshape, b);
        int xi = Get(n.Inputs[0], p);
        int m = _mb.AddTensor(n.Outputs[0] + "/scaled", TensorType.Float32, Shapes.Permute(x.Shape, p));
        _mb.AddOperator(BuiltinOperator.Mul, [xi, BroadcastConstFull(sName, rank, p)], [m], new MulOptions(ActivationFunctionType.None));
        var (act, output) = FuseActivation(n.Outputs[0]);
        int o = Out(output, p);
        _mb.AddOperator(BuiltinOperator.Add, [m, BroadcastConstFull(bName, rank, p)], [o], new AddOptions(act));
    }

    /// <summary>
    /// LayerNormalization (over axis..rank-1) and InstanceNormalization (over the spatial axes), decomposed as
    /// (x − mean) · rsqrt(mean((x − mean)²) + ε) · scale + bias, reduced over the stored positions of those axes.
    /// </summary>
    private void LowerNormalization(Node n)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        int rank = shape.Length;
        bool layer = n.OpType == "LayerNormalization";
        if (layer && n.Outputs.Skip(1).Any(o => o.Length > 0)) throw Unsupported(n, "the Mean/InvStdDev outputs");
        int first = layer ? Shapes.Axis(n.Int("axis", -1), rank, n) : 2;
        var axes = Enumerable.Range(first, rank - first).ToHashSet();
        float eps = n.Float("epsilon", 1e-5f);
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var stored = Shapes.Permute(shape, p);
        int[] storedAxes = Enumerable.Range(0, rank).Where(i => axes.Contains(p[i])).ToArray();
        int[] reduced = stored.Select((d, i) => storedAxes.Contains(i) ? 1 : d).ToArray();
        int axesConst = ConstInt("axes", storedAxes);
        string o = n.Outputs[0];
        int Temp(string what, int[] s) => _mb.AddTensor(o + "/" + what, TensorType.Float32, s);
        int mean = Temp("mean", reduced);
        _mb.AddOperator(BuiltinOperator.Mean, [x, axesConst], [mean], new ReducerOptions(true));
        int d = Temp("centered", stored);
        _mb.AddOperator(BuiltinOperator.Sub, [x, mean], [d], new SubOptions(ActivationFunctionType.None));
        int sq = Temp("squared", stored);
        _mb.AddOperator(BuiltinOperator.Mul, [d, d], [sq], new MulOptions(ActivationFunctionType.None));
        int variance = Temp("variance", reduced);
        _mb.AddOperator(BuiltinOperator.Mean, [sq, axesConst], [variance], new ReducerOptions(true));
        int ve = Temp("variance_eps", reduced);
        _mb.AddOperator(BuiltinOperator.Add, [variance, ConstFloat("epsilon", [], [eps])], [ve], new AddOptions(ActivationFunctionType.None));
        int inv = Temp("rsqrt", reduced);
        _mb.AddOperator(BuiltinOperator.Rsqrt, [ve], [inv]);
        int normed = Temp("normalized", stored);
        _mb.AddOperator(BuiltinOperator.Mul, [d, inv], [normed], new MulOptions(ActivationFunctionType.None));
        // Scale and bias: LayerNormalization's broadcast from the right; InstanceNormalization's are per channel.
        int ScaleOperand(int input)
        {
            string name = n.Input(input);
            var c = _g.ConstOf(name) ?? throw Unsupported(n, $"input {input} computed at run time");
            if (layer) return BroadcastConst(name, rank, p);
            string aligned = name + "/per_channel";
            if (!_g.Values.ContainsKey(aligned))
            {
                int[] cs = [c.Count, .. Enumerable.Repeat(1, rank - 2)];
                _g.GetOrAdd(aligned).Const = ConstTensor.Float(cs, c.AsFloats());
                _g[aligned].Shape = cs;
            }
            return BroadcastConstFull(aligned, rank, p);
        }
        bool hasBias = n.Input(2).Length > 0;
        int scaled = hasBias ? Temp("scaled", stored) : Out(o, p);
        _mb.AddOperator(BuiltinOperator.Mul, [normed, ScaleOperand(1)], [scaled], new MulOptions(ActivationFunctionType.None));
        if (hasBias)
        {
            int y = Out(o, p);
            _mb.AddOperator(BuiltinOperator.Add, [scaled, ScaleOperand(2)], [y], new AddOptions(ActivationFunctionType.None));
        }
    }

    private void LowerConv(Node n)
    {
        var w = _g.ConstOf(n.Input(1)) ?? throw Unsupported(n, "weights computed at run time");
        var xShape = _g[n.Inputs[0]].Shape!;
        if (xShape.Length == 5) { LowerConv3D(n, w); return; }
        if (xShape.Length != 4) throw Unsupported(n, $"a {xShape.Length - 2}-D convolution; 1-D, 2-D and 3-D convert");
        var geo = ConvGeometry.Of(_g, n);
        int group = (int)n.Int("group", 1);
        int cin = xShape[1], cout = w.Shape[0], kh = w.Shape[2], kw = w.Shape[3];
        int x = NeedNhwc(n, 0);
        Padding padding = PadFor(n, ref x, geo, 0f);
        float[] bias = n.Input(2).Length > 0
            ? (_g.ConstOf(n.Input(2)) ?? throw Unsupported(n, "bias computed at run time")).AsFloats()
            : new float[cout];
        var (act, output) = FuseActivation(n.Outputs[0]);
        int o = Out(output, Nhwc);
        var wf = w.AsFloats();
        int b = ConstFloat("bias", [cout], bias);
        if (group > 1 && group == cin && w.Shape[1] == 1)
        {
            // Depthwise: TFLite filter [1, KH, KW, Cout] with filter[0,h,w,o] = W[o,0,h,w].
            var f = new float[kh * kw * cout];
            for (int oc = 0; oc < cout; oc++)
                for (int i = 0; i < kh * kw; i++) f[i * cout + oc] = wf[oc * kh * kw + i];
            int filter = ConstFloat(n.Name + "/filter", [1, kh, kw, cout], f);
            _mb.AddOperator(BuiltinOperator.DepthwiseConv2D, [x, filter, b], [o],
                new DepthwiseConv2DOptions(padding, geo.Strides[1], geo.Strides[0], cout / cin, act, geo.Dilations[1], geo.Dilations[0]));
        }
        else
        {
            // OIHW → OHWI.
            int ci = w.Shape[1];
            var f = new float[wf.Length];
            for (int oc = 0; oc < cout; oc++)
                for (int c = 0; c < ci; c++)
                    for (int i = 0; i < kh * kw; i++)
                        f[(oc * kh * kw + i) * ci + c] = wf[(oc * ci + c) * kh * kw + i];
            int filter = ConstFloat(n.Name + "/filter", [cout, kh, kw, ci], f);
            _mb.AddOperator(BuiltinOperator.Conv2D, [x, filter, b], [o],
                new Conv2DOptions(padding, geo.Strides[1], geo.Strides[0], act, geo.Dilations[1], geo.Dilations[0]));
        }
        AfterLayoutBound(output);
    }

    /// <summary>VALID or SAME when TFLite's padding gives ONNX's pads, otherwise an explicit PAD/PADV2 and VALID.</summary>
    private Padding PadFor(Node n, ref int x, ConvGeometry geo, float padValue, bool extendForCeil = false, bool allowSame = true)
    {
        if (geo.IsValid && !geo.CeilMode) return Padding.Valid;
        if (allowSame && geo.IsTfSame()) return Padding.Same;
        if (geo.PadBegin.Any(p => p < 0) || geo.PadEnd.Any(p => p < 0)) throw Unsupported(n, "negative pads");
        var xShape = _g[n.Inputs[0]].Shape!;
        int[] end = (int[])geo.PadEnd.Clone();
        for (int i = 0; i < 2; i++)
        {
            // The end pad the output windows actually read (ceil_mode may read past ONNX's pads).
            int effective = (geo.Kernel[i] - 1) * geo.Dilations[i] + 1;
            int need = (geo.Output[i] - 1) * geo.Strides[i] + effective - geo.Input[i] - geo.PadBegin[i];
            if (need > end[i] && !extendForCeil) throw Unsupported(n, "ceil_mode windows past the pads");
            end[i] = Math.Max(need, 0);
        }
        int[] paddings = [0, 0, geo.PadBegin[0], end[0], geo.PadBegin[1], end[1], 0, 0];
        int[] padded = [xShape[0], xShape[2] + geo.PadBegin[0] + end[0], xShape[3] + geo.PadBegin[1] + end[1], xShape[1]];
        int t = _mb.AddTensor(n.Outputs[0] + "/padded", TensorType.Float32, padded);
        if (padValue == 0f)
            _mb.AddOperator(BuiltinOperator.Pad, [x, ConstInt("paddings", paddings, [4, 2])], [t]);
        else
            _mb.AddOperator(BuiltinOperator.PadV2, [x, ConstInt("paddings", paddings, [4, 2]), ConstFloat("pad_value", [], [padValue])], [t]);
        x = t;
        return Padding.Valid;
    }

    private void LowerConvTranspose(Node n)
    {
        var w = _g.ConstOf(n.Input(1)) ?? throw Unsupported(n, "weights computed at run time");
        var xShape = _g[n.Inputs[0]].Shape!;
        if (xShape.Length == 5) throw Unsupported(n, NoConv3D);
        if (xShape.Length != 4) throw Unsupported(n, "only 1-D and 2-D transposed convolutions convert");
        int group = (int)n.Int("group", 1);
        var geo = ConvGeometry.Of(_g, n);
        if (geo.Dilations.Any(d => d != 1)) throw Unsupported(n, "dilations (TFLite's TRANSPOSE_CONV has none)");
        Padding padding;
        if (geo.IsValid) padding = Padding.Valid;
        else
        {
            bool same = true;
            for (int i = 0; i < 2; i++)
            {
                int total = Math.Max(geo.Kernel[i] - geo.Strides[i], 0);
                if (geo.Output[i] != geo.Input[i] * geo.Strides[i] || geo.PadBegin[i] != total / 2) same = false;
            }
            if (!same) throw Unsupported(n, "pads other than VALID or TFLite's SAME");
            padding = Padding.Same;
        }
        // ONNX weights [Cin, Cout/group, KH, KW]; TRANSPOSE_CONV has no groups, so each group is its own TRANSPOSE_CONV
        // over its slice of the input channels (SPLIT), and the groups' outputs are concatenated.
        int cin = w.Shape[0], coutGroup = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        if (group < 1 || cin % group != 0) throw Unsupported(n, $"group {group} does not divide the {cin} input channels");
        int cinGroup = cin / group, cout = coutGroup * group;
        var wf = w.AsFloats();
        int x = NeedNhwc(n, 0);
        var outShape = ShapeOf(n.Outputs[0]);
        float[] bias = n.Input(2).Length > 0 ? (_g.ConstOf(n.Input(2)) ?? throw Unsupported(n, "bias computed at run time")).AsFloats() : new float[cout];
        var (act, output) = FuseActivation(n.Outputs[0]);
        int o = Out(output, Nhwc);
        var options = new TransposeConvOptions(padding, geo.Strides[1], geo.Strides[0], act);
        int[] groupInputs = [x];
        if (group > 1)
        {
            var inShape = Shapes.Permute(xShape, Nhwc);
            groupInputs = Enumerable.Range(0, group)
                .Select(j => _mb.AddTensor($"{n.Outputs[0]}/group{j}_input", TensorType.Float32, [inShape[0], inShape[1], inShape[2], cinGroup])).ToArray();
            _mb.AddOperator(BuiltinOperator.Split, [ConstInt("axis", [3], []), x], groupInputs, new SplitOptions(group));
        }
        int[] groupOutputs = group == 1 ? [o] : new int[group];
        int[] outStored = Shapes.Permute(outShape, Nhwc);
        for (int j = 0; j < group; j++)
        {
            // IOHW → OHWI, for input channels j·cinGroup.. and output channels j·coutGroup...
            var f = new float[coutGroup * kh * kw * cinGroup];
            for (int i = 0; i < cinGroup; i++)
                for (int oc = 0; oc < coutGroup; oc++)
                    for (int k = 0; k < kh * kw; k++)
                        f[(oc * kh * kw + k) * cinGroup + i] = wf[((j * cinGroup + i) * coutGroup + oc) * kh * kw + k];
            string suffix = group == 1 ? "" : $"/group{j}";
            int filter = ConstFloat(n.Name + "/filter" + suffix, [coutGroup, kh, kw, cinGroup], f);
            int[] groupShape = [outStored[0], outStored[1], outStored[2], coutGroup];
            if (group > 1) groupOutputs[j] = _mb.AddTensor($"{n.Outputs[0]}/group{j}", TensorType.Float32, groupShape);
            _mb.AddOperator(BuiltinOperator.TransposeConv,
                [ConstInt("output_shape", groupShape), filter, groupInputs[j], ConstFloat("bias" + suffix, [coutGroup], bias[(j * coutGroup)..((j + 1) * coutGroup)])],
                [groupOutputs[j]], options);
        }
        if (group > 1)
            _mb.AddOperator(BuiltinOperator.Concatenation, groupOutputs, [o], new ConcatenationOptions(3, ActivationFunctionType.None));
        AfterLayoutBound(output);
    }

    private void LowerPool(Node n)
    {
        var geo = ConvGeometry.Of(_g, n);
        if (_g[n.Inputs[0]].Shape!.Length != 4) throw Unsupported(n, "only 1-D and 2-D pooling converts (TFLite has no 3-D pools)");
        if (geo.Dilations.Any(d => d != 1)) throw Unsupported(n, "dilations (TFLite pools have none)");
        int x = NeedNhwc(n, 0);
        Padding padding;
        bool max = n.OpType == "MaxPool";
        if (max)
            padding = PadFor(n, ref x, geo, float.NegativeInfinity, extendForCeil: true);
        else if (n.Int("count_include_pad", 0) != 0 && !geo.IsValid)
            padding = PadFor(n, ref x, geo, 0f, allowSame: false); // TFLite's SAME would leave the pads out of the average
        else if (geo.IsValid && !geo.CeilMode) padding = Padding.Valid;
        else if (geo.IsTfSame()) padding = Padding.Same; // TFLite averages over the window inside the input, like count_include_pad=0
        else throw Unsupported(n, "pads other than VALID or TFLite's SAME with count_include_pad=0");
        var (act, output) = FuseActivation(n.Outputs[0]);
        int o = Out(output, Nhwc);
        _mb.AddOperator(max ? BuiltinOperator.MaxPool2D : BuiltinOperator.AveragePool2D, [x], [o],
            new Pool2DOptions(padding, geo.Strides[1], geo.Strides[0], geo.Kernel[1], geo.Kernel[0], act));
        AfterLayoutBound(output);
    }

    private void LowerSoftmax(Node n, BuiltinOperator op)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        int rank = shape.Length;
        int axis = Shapes.Axis(n.Int("axis", _g.Opset >= 13 ? -1 : 1), rank, n);
        var options = op == BuiltinOperator.Softmax ? new SoftmaxOptions(1f) : null;
        if (_g.Opset < 13 && axis != rank - 1)
        {
            // Before opset 13 the input is coerced to 2-D [outer, inner] at the axis.
            int x = Get(n.Inputs[0], Shapes.Identity(rank));
            int[] flat = [(int)Shapes.Count(shape[..axis]), (int)Shapes.Count(shape[axis..])];
            int r = _mb.AddTensor(n.Outputs[0] + "/2d", TensorType.Float32, flat);
            _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", flat)], [r]);
            int s = _mb.AddTensor(n.Outputs[0] + "/2d_softmax", TensorType.Float32, flat);
            _mb.AddOperator(op, [r], [s], options);
            int o2 = Out(n.Outputs[0], Shapes.Identity(rank));
            _mb.AddOperator(BuiltinOperator.Reshape, [s, ConstInt("shape", shape)], [o2]);
            return;
        }
        var p = PermOf(n.Inputs[0]);
        if (p[^1] != axis)
        {
            // Read it in a layout with the axis last (the identity order with that axis moved to the end).
            p = [.. Enumerable.Range(0, rank).Where(i => i != axis), axis];
        }
        int xi = Get(n.Inputs[0], p);
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(op, [xi], [o], options);
    }

    private void LowerConcat(Node n)
    {
        var shape = ShapeOf(n.Outputs[0]);
        int axis = Shapes.Axis(n.Int("axis", 0), shape.Length, n);
        var p = CommonPerm(n, shape.Length);
        var inputs = n.Inputs.Where(i => i.Length > 0 && Shapes.Count(_g[i].Shape!) > 0).Select(i => Get(i, p)).ToArray();
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(BuiltinOperator.Concatenation, inputs, [o], new ConcatenationOptions(Array.IndexOf(p, axis), ActivationFunctionType.None));
    }

    private void LowerReshape(Node n)
    {
        var inShape = _g[n.Inputs[0]].Shape!;
        var outShape = ShapeOf(n.Outputs[0]);
        var p = PermOf(n.Inputs[0]);
        // Removing or adding size-1 dimensions keeps the stored order: no transpose needed.
        int x;
        int[] outPerm = Shapes.Identity(outShape.Length);
        if (!Shapes.IsIdentity(p) && TryKeepLayout(inShape, outShape, p, out var kept))
        {
            x = Get(n.Inputs[0], p);
            outPerm = kept;
        }
        else x = Get(n.Inputs[0], Shapes.Identity(inShape.Length));
        int o = Out(n.Outputs[0], outPerm);
        var stored = Shapes.Permute(outShape, outPerm);
        _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", stored)], [o], new ReshapeOptions(stored));
    }

    /// <summary>A reshape that only inserts or removes size-1 dimensions can run on the stored layout; returns the
    /// output's layout.</summary>
    private static bool TryKeepLayout(int[] inShape, int[] outShape, int[] p, out int[] outPerm)
    {
        outPerm = [];
        var inNonOne = Enumerable.Range(0, inShape.Length).Where(a => inShape[a] != 1).ToArray();
        var outNonOne = Enumerable.Range(0, outShape.Length).Where(a => outShape[a] != 1).ToArray();
        if (inNonOne.Length != outNonOne.Length) return false;
        for (int i = 0; i < inNonOne.Length; i++) if (inShape[inNonOne[i]] != outShape[outNonOne[i]]) return false;
        // Non-1 logical axis k of the input becomes outNonOne[k]; keep their stored order, put size-1 dims first.
        var map = new Dictionary<int, int>();
        for (int i = 0; i < inNonOne.Length; i++) map[inNonOne[i]] = outNonOne[i];
        var storedNonOne = p.Where(a => inShape[a] != 1).Select(a => map[a]).ToList();
        var ones = Enumerable.Range(0, outShape.Length).Where(a => outShape[a] == 1).ToList();
        outPerm = [.. ones, .. storedNonOne];
        return true;
    }

    private void LowerTranspose(Node n)
    {
        // Free: the output is the same stored data with a different logical order (perm' = inverse(q)∘p).
        var q = Analysis.TransposePerm(n, _g[n.Inputs[0]].Shape!.Length);
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var qinv = Shapes.Inverse(q);
        _stored[n.Outputs[0]] = (x, p.Select(a => qinv[a]).ToArray());
        _aliases.Add(n.Outputs[0]);
    }

    private void LowerPad(Node n)
    {
        string mode = n.Str("mode", "constant");
        var shape = _g[n.Inputs[0]].Shape!;
        int rank = shape.Length;
        var pads = Analysis.PadAmounts(_g, n, rank);
        if (pads.Any(v => v < 0)) throw Unsupported(n, "negative pads (cropping)");
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var paddings = new int[2 * rank];
        for (int i = 0; i < rank; i++) { paddings[2 * i] = (int)pads[p[i]]; paddings[2 * i + 1] = (int)pads[p[i] + rank]; }
        if (mode == "edge") { LowerEdgePad(n, x, paddings, p); return; }
        int pc = ConstInt("paddings", paddings, [rank, 2]);
        int o = Out(n.Outputs[0], p);
        switch (mode)
        {
            case "constant":
            {
                float value = _g.Opset < 11 ? n.Float("value", 0f)
                    : n.Input(2).Length > 0 ? (_g.ConstOf(n.Input(2)) ?? throw Unsupported(n, "pad value computed at run time")).AsFloats()[0] : 0f;
                if (value == 0f && !float.IsNegative(value)) _mb.AddOperator(BuiltinOperator.Pad, [x, pc], [o]);
                else _mb.AddOperator(BuiltinOperator.PadV2, [x, pc, ConstFloat("pad_value", [], [value])], [o]);
                return;
            }
            case "reflect":
                _mb.AddOperator(BuiltinOperator.MirrorPad, [x, pc], [o], new MirrorPadOptions(MirrorPadMode.Reflect));
                return;
            default:
                throw Unsupported(n, $"mode '{mode}' (TFLite pads constant or reflect; edge converts as GATHER)");
        }
    }

    private void LowerResize(Node n)
    {
        var inShape = _g[n.Inputs[0]].Shape!;
        var outShape = ShapeOf(n.Outputs[0]);
        if (inShape.Length != 4 || inShape[0] != outShape[0] || inShape[1] != outShape[1])
            throw Unsupported(n, "resizing anything but the two spatial axes of an NCHW image");
        string mode = n.Str("mode", "nearest");
        bool upsample = n.OpType == "Upsample" || _g.Opset < 11;
        string ctm = upsample ? "asymmetric" : n.Str("coordinate_transformation_mode", "half_pixel");
        string nearestMode = upsample ? "floor" : n.Str("nearest_mode", "round_prefer_floor");
        if (ctm == "pytorch_half_pixel" && outShape[2] > 1 && outShape[3] > 1) ctm = "half_pixel";
        // TFLite computes scale = in/out; ONNX uses the given scales. They agree when the given scale is out/in.
        if (Analysis.ResizeScales(_g, n) is { } scales && (scales[2] * inShape[2] != outShape[2] || scales[3] * inShape[3] != outShape[3]))
            throw Unsupported(n, "scales that do not give whole output sizes");
        bool integerUpscale = outShape[2] % inShape[2] == 0 && outShape[3] % inShape[3] == 0;
        OperatorOptions options;
        BuiltinOperator op;
        if (mode == "nearest")
        {
            op = BuiltinOperator.ResizeNearestNeighbor;
            options = (ctm, nearestMode) switch
            {
                ("asymmetric", "floor") => new ResizeNearestNeighborOptions(false, false),
                ("align_corners", "round_prefer_ceil") => new ResizeNearestNeighborOptions(true, false),
                ("half_pixel", "round_prefer_ceil") => new ResizeNearestNeighborOptions(false, true),
                // With whole-number upscaling no source coordinate is a tie, so both rounding modes agree.
                ("half_pixel", "round_prefer_floor") when integerUpscale => new ResizeNearestNeighborOptions(false, true),
                _ => throw Unsupported(n, $"nearest with coordinate_transformation_mode '{ctm}' and nearest_mode '{nearestMode}'"),
            };
        }
        else if (mode is "linear" or "bilinear")
        {
            op = BuiltinOperator.ResizeBilinear;
            options = ctm switch
            {
                "asymmetric" => new ResizeBilinearOptions(false, false),
                "align_corners" => new ResizeBilinearOptions(true, false),
                "half_pixel" => new ResizeBilinearOptions(false, true),
                _ => throw Unsupported(n, $"linear with coordinate_transformation_mode '{ctm}'"),
            };
        }
        // TFLite has no bicubic resize: two constant matrix products (Lowering.Cubic.cs).
        else if (mode == "cubic" && !upsample)
        {
            LowerCubicResize(n, inShape, outShape, Analysis.ResizeScales(_g, n));
            return;
        }
        else throw Unsupported(n, $"mode '{mode}': TFLite resizes nearest, linear and (decomposed) cubic");
        if (!upsample && n.Int("antialias", 0) != 0 && outShape[2] < inShape[2]) throw Unsupported(n, "antialias");
        if (!upsample && n.Int("exclude_outside", 0) != 0) throw Unsupported(n, "exclude_outside");
        int x = NeedNhwc(n, 0);
        int o = Out(n.Outputs[0], Nhwc);
        _mb.AddOperator(op, [x, ConstInt("size", [outShape[2], outShape[3]])], [o], options);
        AfterLayoutBound(n.Outputs[0]);
    }

    private void LowerMatMul(Node n)
    {
        // A third input is the bias FoldMatMulAdd attached (a constant); ONNX's MatMul itself has two inputs.
        if (n.Inputs.Count > 3 || (n.Inputs.Count == 3 && _g.ConstOf(n.Inputs[2]) is null))
            throw new OnnxConversionException($"{n}: MatMul takes two inputs, this one has {n.Inputs.Count}", new[] { n.Name });
        var a = _g[n.Inputs[0]];
        var b = _g[n.Inputs[1]];
        var outShape = ShapeOf(n.Outputs[0]);
        int xa = Get(n.Inputs[0], Shapes.Identity(a.Shape!.Length));
        if (b.Const is { } w && w.Shape.Length == 2)
        {
            // FULLY_CONNECTED weights are [N, K]: the transpose of ONNX's [K, N].
            int k = w.Shape[0], nOut = w.Shape[1];
            var wf = w.AsFloats();
            var t = new float[wf.Length];
            for (int i = 0; i < k; i++) for (int j = 0; j < nOut; j++) t[j * k + i] = wf[i * nOut + j];
            int weights = ConstFloat(n.Name + "/weights", [nOut, k], t);
            int bias = n.Inputs.Count > 2 ? ConstFloat(n.Name + "/bias", [nOut], _g.ConstOf(n.Inputs[2])!.AsFloats()) : -1;
            var (act, output) = FuseActivation(n.Outputs[0]);
            int o = Out(output, Shapes.Identity(outShape.Length));
            _mb.AddOperator(BuiltinOperator.FullyConnected, [xa, weights, bias], [o],
                new FullyConnectedOptions(act, KeepNumDims: outShape.Length != 2));
            return;
        }
        int xb = Get(n.Inputs[1], Shapes.Identity(b.Shape!.Length));
        int mm = n.Inputs.Count > 2 ? _mb.AddTensor(n.Outputs[0] + "/matmul", TensorType.Float32, outShape) : Out(n.Outputs[0], Shapes.Identity(outShape.Length));
        _mb.AddOperator(BuiltinOperator.BatchMatMul, [xa, xb], [mm], new BatchMatMulOptions(false, false));
        if (n.Inputs.Count > 2)
        {
            int o = Out(n.Outputs[0], Shapes.Identity(outShape.Length));
            _mb.AddOperator(BuiltinOperator.Add, [mm, ConstFloat("bias", [outShape[^1]], _g.ConstOf(n.Inputs[2])!.AsFloats())], [o], new AddOptions(ActivationFunctionType.None));
        }
    }

    private void LowerGemm(Node n)
    {
        var a = _g[n.Inputs[0]];
        var bc = _g.ConstOf(n.Input(1)) ?? throw Unsupported(n, "B computed at run time");
        var outShape = ShapeOf(n.Outputs[0]);
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        bool transA = n.Int("transA", 0) != 0, transB = n.Int("transB", 0) != 0;
        int xa = Get(n.Inputs[0], transA ? [1, 0] : [0, 1]);
        int nOut = outShape[1];
        int k = transB ? bc.Shape[1] : bc.Shape[0];
        var bf = bc.AsFloats();
        var w = new float[nOut * k];
        for (int j = 0; j < nOut; j++)
            for (int i = 0; i < k; i++)
                w[j * k + i] = (transB ? bf[j * k + i] : bf[i * nOut + j]) * alpha;
        if (alpha != 1f && !AlphaExact(alpha)) throw Unsupported(n, "alpha that is not a power of two (folding it into the weights would round)");
        int weights = ConstFloat(n.Name + "/weights", [nOut, k], w);
        int bias = -1;
        ConstTensor? c = n.Input(2).Length > 0 ? _g.ConstOf(n.Input(2)) ?? throw Unsupported(n, "C computed at run time") : null;
        bool rowBias = c is not null && (c.Count == nOut || c.Count == 1) && (c.Shape.Length < 2 || c.Shape[0] == 1);
        if (c is not null && rowBias)
            bias = ConstFloat(n.Name + "/bias", [nOut], c.Count == 1 ? Enumerable.Repeat(c.AsFloats()[0] * beta, nOut).ToArray() : c.AsFloats().Select(v => v * beta).ToArray());
        var (act, output) = c is not null && !rowBias ? (ActivationFunctionType.None, n.Outputs[0]) : FuseActivation(n.Outputs[0]);
        if (c is not null && !rowBias)
        {
            int fc = _mb.AddTensor(n.Outputs[0] + "/fc", TensorType.Float32, outShape);
            _mb.AddOperator(BuiltinOperator.FullyConnected, [xa, weights, -1], [fc], new FullyConnectedOptions(ActivationFunctionType.None));
            int o2 = Out(n.Outputs[0], [0, 1]);
            _mb.AddOperator(BuiltinOperator.Add, [fc, AddConst(n.Name + "/c", ConstTensor.Float(c.Shape, c.AsFloats().Select(v => v * beta).ToArray()))], [o2], new AddOptions(ActivationFunctionType.None));
            return;
        }
        int o = Out(output, [0, 1]);
        _mb.AddOperator(BuiltinOperator.FullyConnected, [xa, weights, bias], [o], new FullyConnectedOptions(act));
    }

    private static bool AlphaExact(float alpha) => alpha > 0 && float.IsPow2(alpha);

    private void Reduce(Node n, BuiltinOperator op)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        var axes = Analysis.ReduceAxes(_g, n, shape.Length);
        bool keep = n.Int("keepdims", 1) != 0;
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        var storedAxes = Enumerable.Range(0, p.Length).Where(i => axes.Contains(p[i])).ToArray();
        int[] outPerm;
        if (keep) outPerm = p;
        else
        {
            var remaining = p.Where(a => !axes.Contains(a)).ToArray();
            var order = remaining.OrderBy(a => a).ToList();
            outPerm = remaining.Select(a => order.IndexOf(a)).ToArray();
        }
        int o = Out(n.Outputs[0], outPerm);
        _mb.AddOperator(op, [x, ConstInt("axes", storedAxes)], [o], new ReducerOptions(keep));
    }

    /// <summary>TopK → TOPK_V2 over the last stored axis (read with the axis last if it is not), int32 indices CAST
    /// to ONNX's int64; smallest-k by negating around it.</summary>
    private void LowerTopK(Node n)
    {
        if (n.Int("sorted", 1) == 0) throw Unsupported(n, "sorted=0 (TFLite's TOPK_V2 always sorts)");
        var shape = _g[n.Inputs[0]].Shape!;
        int rank = shape.Length;
        int axis = Shapes.Axis(n.Int("axis", -1), rank, n);
        bool largest = n.Int("largest", 1) != 0;
        var p = PermOf(n.Inputs[0]);
        if (p[^1] != axis) p = [.. Enumerable.Range(0, rank).Where(i => i != axis), axis];
        int x = Get(n.Inputs[0], p);
        int k = Analysis.TopKCount(_g, n);
        var outShape = ShapeOf(n.Outputs[0]);
        var stored = Shapes.Permute(outShape, p);
        string name = n.Outputs[0];
        if (!largest)
        {
            int neg = _mb.AddTensor(name + "/negated_input", TensorType.Float32, Shapes.Permute(shape, p));
            _mb.AddOperator(BuiltinOperator.Neg, [x], [neg]);
            x = neg;
        }
        int values = largest && n.Outputs[0].Length > 0 ? Out(n.Outputs[0], p) : _mb.AddTensor(name + "/values", TensorType.Float32, stored);
        int indices = _mb.AddTensor(name + "/indices_int32", TensorType.Int32, stored);
        _mb.AddOperator(BuiltinOperator.TopKV2, [x, ConstInt("k", [k], [])], [values, indices]);
        if (!largest && n.Outputs[0].Length > 0)
            _mb.AddOperator(BuiltinOperator.Neg, [values], [Out(n.Outputs[0], p)]);
        if (n.Outputs.Count > 1 && n.Outputs[1].Length > 0)
            _mb.AddOperator(BuiltinOperator.Cast, [indices], [Out(n.Outputs[1], p, ElemType.Int64)]);
    }

    private void LowerArg(Node n, BuiltinOperator op)
    {
        if (n.Int("select_last_index", 0) != 0) throw Unsupported(n, "select_last_index (TFLite returns the first maximum)");
        var shape = _g[n.Inputs[0]].Shape!;
        int axis = Shapes.Axis(n.Int("axis", 0), shape.Length, n);
        bool keep = n.Int("keepdims", 1) != 0;
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        int storedAxis = Array.IndexOf(p, axis);
        var stored = Shapes.Permute(shape, p);
        int[] without = stored.Where((_, i) => i != storedAxis).ToArray();
        OperatorOptions options = op == BuiltinOperator.ArgMax ? new ArgMaxOptions(TensorType.Int64) : new ArgMinOptions(TensorType.Int64);
        var axisConst = ConstInt("axis", [storedAxis]);
        if (keep)
        {
            // ARG_MAX drops the axis; a RESHAPE puts the size-1 dimension back where it was stored.
            int t = _mb.AddTensor(n.Outputs[0] + "/dropped", TensorType.Int64, without);
            _mb.AddOperator(op, [x, axisConst], [t], options);
            int o = Out(n.Outputs[0], p, ElemType.Int64);
            var outStored = Shapes.Permute(ShapeOf(n.Outputs[0]), p);
            _mb.AddOperator(BuiltinOperator.Reshape, [t, ConstInt("shape", outStored)], [o], new ReshapeOptions(outStored));
            return;
        }
        var remaining = p.Where(a => a != axis).ToArray();
        var order = remaining.OrderBy(a => a).ToList();
        int o2 = Out(n.Outputs[0], remaining.Select(a => order.IndexOf(a)).ToArray(), ElemType.Int64);
        _mb.AddOperator(op, [x, axisConst], [o2], options);
    }

    private void LowerSlice(Node n)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        int rank = shape.Length;
        var begin = new int[rank]; var end = new int[rank]; var strides = Enumerable.Repeat(1, rank).ToArray();
        int endMask = 0;
        for (int i = 0; i < rank; i++) end[i] = shape[p[i]];
        foreach (var (axis, start, step, count) in Analysis.SliceParams(_g, n, shape))
        {
            int i = Array.IndexOf(p, axis);
            begin[i] = start; strides[i] = step;
            end[i] = start + count * step;
            if (end[i] < 0) { end[i] = 0; endMask |= 1 << i; } // a negative step running to the front
        }
        int o = Out(n.Outputs[0], p);
        _mb.AddOperator(BuiltinOperator.StridedSlice, [x, ConstInt("begin", begin), ConstInt("end", end), ConstInt("strides", strides)], [o],
            new StridedSliceOptions(0, endMask));
    }

    private void LowerGather(Node n)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        int axis = Shapes.Axis(n.Int("axis", 0), shape.Length, n);
        var idx = _g[n.Inputs[1]];
        var outShape = ShapeOf(n.Outputs[0]);
        int indices = idx.Const is { } ic
            ? ConstInt("indices", ic.AsInts().Select(v => (int)(v < 0 ? v + shape[axis] : v)).ToArray(), ic.Shape)
            : Get(n.Inputs[1], Shapes.Identity(idx.Shape!.Length));
        var p = PermOf(n.Inputs[0]);
        if (idx.Shape!.Length == 1)
        {
            // Same rank: gather along the stored position of the axis and keep the layout.
            int x1 = Get(n.Inputs[0], p);
            int o1 = Out(n.Outputs[0], p);
            _mb.AddOperator(BuiltinOperator.Gather, [x1, indices], [o1], new GatherOptions(Array.IndexOf(p, axis)));
            return;
        }
        int x = Get(n.Inputs[0], Shapes.Identity(shape.Length));
        int o = Out(n.Outputs[0], Shapes.Identity(outShape.Length));
        _mb.AddOperator(BuiltinOperator.Gather, [x, indices], [o], new GatherOptions(axis));
    }

    private void LowerSplit(Node n)
    {
        var shape = _g[n.Inputs[0]].Shape!;
        int axis = Shapes.Axis(n.Int("axis", 0), shape.Length, n);
        var sizes = Analysis.SplitSizes(_g, n, shape[axis]);
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        int storedAxis = Array.IndexOf(p, axis);
        var outs = n.Outputs.Select(o => o.Length > 0 ? Out(o, p) : _mb.AddTensor(n.Name + "/unused", TensorType.Float32, [1])).ToArray();
        if (sizes.Distinct().Count() == 1)
            _mb.AddOperator(BuiltinOperator.Split, [ConstInt("axis", [storedAxis], []), x], outs, new SplitOptions(outs.Length));
        else
            _mb.AddOperator(BuiltinOperator.SplitV, [x, ConstInt("size_splits", sizes), ConstInt("axis", [storedAxis], [])], outs, new SplitVOptions(outs.Length));
    }

    private void LowerCast(Node n)
    {
        var from = _g[n.Inputs[0]].Type;
        var to = _g[n.Outputs[0]].Type;
        var p = PermOf(n.Inputs[0]);
        int x = Get(n.Inputs[0], p);
        int o = Out(n.Outputs[0], p);
        if (from == to)
            _mb.AddOperator(BuiltinOperator.Reshape, [x, ConstInt("shape", Shapes.Permute(ShapeOf(n.Outputs[0]), p))], [o]);
        else
            _mb.AddOperator(BuiltinOperator.Cast, [x], [o]);
    }
}
