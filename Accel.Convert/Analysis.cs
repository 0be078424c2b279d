namespace Accel.Conversion;

/// <summary>
/// Constant folding and static shape inference in one pass over the topologically ordered nodes: a node whose inputs
/// are all constant (or, for Shape/Size, whose input shape is known) is evaluated and removed; every other node gets
/// static output shapes. A shape that stays unknown is an error naming the node.
/// </summary>
internal static class Analysis
{
    private static readonly HashSet<string> SameShape = new()
    {
        "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Clip", "LeakyRelu", "Elu", "HardSigmoid",
        "HardSwish", "Erf", "Gelu", "Softmax", "LogSoftmax", "Identity", "Dropout", "BatchNormalization",
        "InstanceNormalization", "LayerNormalization", "Floor", "Ceil", "Round", "Reciprocal", "Not", "Sin", "Cos",
        "Softplus", "Selu", "Celu", "Mish", "Sign", "LRN",
    };

    private static readonly HashSet<string> BinaryBroadcast = new()
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
        "And", "Or", "PRelu", "Where", "Mod",
    };

    private static readonly HashSet<string> BoolOut = new() { "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not" };

    public static void Run(Graph g)
    {
        var kept = new List<Node>();
        var failures = new List<(Node Node, string Why)>();
        var failed = new HashSet<string>();
        CheckSizes(g, g.Inputs);
        foreach (var node in g.Nodes)
        {
            if (node.Inputs.Any(failed.Contains))
            {
                // Downstream of a node already reported: only the first cause is worth naming.
                failed.UnionWith(node.Outputs);
                kept.Add(node);
                continue;
            }
            try
            {
                bool folded = TryFold(g, node);
                if (!folded) Infer(g, node);
                // Checked node by node: a later node must not compute (or fold) from a shape no tensor can have.
                CheckSizes(g, node.Outputs);
                if (!folded) kept.Add(node);
            }
            catch (OnnxConversionException e) when (e.Nodes.Count > 0)
            {
                throw;
            }
            catch (UnsupportedOpException)
            {
                // Reported with every other unsupported node after analysis; its readers are not blamed for it.
                failed.UnionWith(node.Outputs);
                kept.Add(node);
            }
            catch (UnknownShapeException e)
            {
                failures.Add((node, e.Message));
                failed.UnionWith(node.Outputs);
                kept.Add(node);
            }
            catch (Exception e) when (e is OnnxConversionException or ArgumentException or IndexOutOfRangeException or OverflowException or InvalidCastException)
            {
                throw new OnnxConversionException($"{node}: {e.Message}", new[] { node.Name });
            }
        }
        if (failures.Count > 0)
            throw new OnnxConversionException(
                $"unresolved dynamic shapes ({failures.Count} node(s); fix the inputs with --input-shape NAME=D0,D1,...): "
                + string.Join("; ", failures.Select(f => $"{f.Node}: {f.Why}")),
                failures.Select(f => f.Node.Name).ToArray());
        g.Nodes = kept;
    }

    /// <summary>
    /// Every value's dimensions are non-negative and its element count fits int32 (what a .tflite tensor can hold):
    /// a shape inferred beyond that is refused here, naming the value, not written into a model no runtime loads.
    /// </summary>
    private static void CheckSizes(Graph g, List<string> outputs)
    {
        foreach (string name in outputs)
        {
            if (name.Length == 0 || !g.Values.TryGetValue(name, out var v) || v.Shape is not { } shape) continue;
            long n = 1;
            foreach (int d in shape)
            {
                if (d < 0 || (n = n * d) > int.MaxValue)
                    throw new OnnxConversionException($"value '{v.Name}' has shape [{string.Join(",", shape)}]: {(d < 0 ? "a negative dimension" : "more than 2^31−1 elements")}, which no TFLite tensor holds");
                if (n == 0) break;
            }
        }
    }

    private sealed class UnknownShapeException(string message) : Exception(message);

    private sealed class UnsupportedOpException() : Exception("no TFLite form");

    private static int[] ShapeOf(Graph g, string name)
    {
        var v = g[name];
        return v.Shape ?? throw new UnknownShapeException($"the shape of '{name}' is not known");
    }

    private static ConstTensor NeedConst(Graph g, Node node, int input, string what)
    {
        return g.ConstOf(node.Input(input))
            ?? throw new UnknownShapeException($"its {what} (input {input}, '{node.Input(input)}') is computed at run time");
    }

    private static void SetOut(Graph g, Node node, int i, int[] shape, ElemType type)
    {
        if (i >= node.Outputs.Count || node.Outputs[i].Length == 0) return;
        var v = g[node.Outputs[i]];
        v.Shape = shape;
        v.Type = type;
    }

    // ------------------------------------------------------------------------------------------------ inference

    private static void Infer(Graph g, Node node)
    {
        string op = node.OpType;
        int[] x = node.Inputs.Count > 0 && node.Input(0).Length > 0 ? ShapeOf(g, node.Input(0)) : [];
        ElemType t0 = node.Inputs.Count > 0 && node.Input(0).Length > 0 ? g[node.Input(0)].Type : ElemType.Float32;

        if (SameShape.Contains(op))
        {
            SetOut(g, node, 0, x, BoolOut.Contains(op) ? ElemType.Bool : t0);
            return;
        }
        if (BinaryBroadcast.Contains(op))
        {
            int[] s = x;
            for (int i = 1; i < node.Inputs.Count; i++) s = Shapes.Broadcast(s, ShapeOf(g, node.Input(i)), node);
            ElemType t = BoolOut.Contains(op) ? ElemType.Bool : op == "Where" ? g[node.Input(1)].Type : t0;
            SetOut(g, node, 0, s, t);
            return;
        }
        switch (op)
        {
            case "Cast":
                SetOut(g, node, 0, x, OnnxReader.MapType((int)node.Int("to", 1)));
                return;
            case "Conv":
            case "ConvTranspose":
            case "MaxPool":
            case "AveragePool":
            {
                var geo = ConvGeometry.Of(g, node);
                int channels = op switch
                {
                    "Conv" => ShapeOf(g, node.Input(1))[0],
                    "ConvTranspose" => ShapeOf(g, node.Input(1))[1] * (int)node.Int("group", 1),
                    _ => x[1],
                };
                SetOut(g, node, 0, [x[0], channels, .. geo.Output], t0);
                if (op == "MaxPool" && node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
                    throw new OnnxConversionException($"{node}: MaxPool's Indices output has no TFLite form", new[] { node.Name });
                return;
            }
            case "GlobalAveragePool":
            case "GlobalMaxPool":
                SetOut(g, node, 0, [x[0], x[1], .. Enumerable.Repeat(1, x.Length - 2)], t0);
                return;
            case "Concat":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Length, node);
                var r = (int[])x.Clone();
                for (int i = 1; i < node.Inputs.Count; i++) r[axis] += ShapeOf(g, node.Input(i))[axis];
                SetOut(g, node, 0, r, t0);
                return;
            }
            case "Reshape":
                SetOut(g, node, 0, Shapes.ReshapeTarget(x, NeedConst(g, node, 1, "shape").AsInts(), node.Int("allowzero", 0) != 0, node), t0);
                return;
            case "Flatten":
            {
                int axis = (int)node.Int("axis", 1);
                if (axis < 0) axis += x.Length;
                int outer = (int)Shapes.Count(x[..axis]);
                SetOut(g, node, 0, [outer, (int)Shapes.Count(x[axis..])], t0);
                return;
            }
            case "Transpose":
                SetOut(g, node, 0, Shapes.Permute(x, TransposePerm(node, x.Length)), t0);
                return;
            case "Squeeze":
                SetOut(g, node, 0, SqueezeShape(g, node, x), t0);
                return;
            case "Unsqueeze":
                SetOut(g, node, 0, UnsqueezeShape(g, node, x), t0);
                return;
            case "Slice":
            {
                var p = SliceParams(g, node, x);
                var r = (int[])x.Clone();
                foreach (var (axis, _, _, count) in p) r[axis] = count;
                SetOut(g, node, 0, r, t0);
                return;
            }
            case "Gather":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Length, node);
                var idx = ShapeOf(g, node.Input(1));
                SetOut(g, node, 0, [.. x[..axis], .. idx, .. x[(axis + 1)..]], t0);
                return;
            }
            case "Split":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Length, node);
                var sizes = SplitSizes(g, node, x[axis]);
                for (int i = 0; i < sizes.Length; i++)
                {
                    var r = (int[])x.Clone();
                    r[axis] = sizes[i];
                    SetOut(g, node, i, r, t0);
                }
                return;
            }
            case "Pad":
            {
                var pads = PadAmounts(g, node, x.Length);
                SetOut(g, node, 0, x.Select((d, i) => d + (int)pads[i] + (int)pads[i + x.Length]).ToArray(), t0);
                return;
            }
            case "Resize":
            case "Upsample":
                SetOut(g, node, 0, ResizeOutput(g, node, x), t0);
                return;
            case "MatMul":
            {
                var b = ShapeOf(g, node.Input(1));
                if (x.Length < 2 || b.Length < 2)
                    throw new OnnxConversionException($"{node}: MatMul of rank-1 operands has no TFLite form here", new[] { node.Name });
                var batch = Shapes.Broadcast(x[..^2], b[..^2], node);
                SetOut(g, node, 0, [.. batch, x[^2], b[^1]], t0);
                return;
            }
            case "Gemm":
            {
                var b = ShapeOf(g, node.Input(1));
                int m = node.Int("transA", 0) != 0 ? x[1] : x[0];
                int n = node.Int("transB", 0) != 0 ? b[0] : b[1];
                SetOut(g, node, 0, [m, n], t0);
                return;
            }
            case "ReduceMean":
            case "ReduceSum":
            case "ReduceMax":
            case "ReduceMin":
            case "ReduceProd":
            case "ArgMax":
            case "ArgMin":
            {
                var axes = ReduceAxes(g, node, x.Length);
                bool keep = node.Int("keepdims", 1) != 0;
                var r = new List<int>();
                for (int i = 0; i < x.Length; i++)
                {
                    if (!axes.Contains(i)) r.Add(x[i]);
                    else if (keep) r.Add(1);
                }
                SetOut(g, node, 0, r.ToArray(), op.StartsWith("Arg", StringComparison.Ordinal) ? ElemType.Int64 : t0);
                return;
            }
            case "DepthToSpace":
            {
                int b = BlockSize(node, x);
                SetOut(g, node, 0, [x[0], x[1] / (b * b), x[2] * b, x[3] * b], t0);
                return;
            }
            case "SpaceToDepth":
            {
                int b = BlockSize(node, x);
                SetOut(g, node, 0, [x[0], x[1] * b * b, x[2] / b, x[3] / b], t0);
                return;
            }
            case "TopK":
            {
                int axis = Shapes.Axis(node.Int("axis", -1), x.Length, node);
                var r = (int[])x.Clone();
                r[axis] = TopKCount(g, node);
                SetOut(g, node, 0, r, t0);
                SetOut(g, node, 1, r, ElemType.Int64);
                return;
            }
            case "Expand":
                SetOut(g, node, 0, Shapes.Broadcast(x, NeedConst(g, node, 1, "shape").AsInts().Select(v => (int)v).ToArray(), node), t0);
                return;
            case "Tile":
            {
                var reps = NeedConst(g, node, 1, "repeats").AsInts();
                SetOut(g, node, 0, x.Select((d, i) => d * (int)reps[i]).ToArray(), t0);
                return;
            }
            case "Einsum":
                SetOut(g, node, 0, Rewrites.EinsumShape(node, node.Inputs.Select(i => ShapeOf(g, i)).ToList()), t0);
                return;
            default:
                // An op unknown to inference: lowering reports it with every other op it cannot convert.
                throw new UnsupportedOpException();
        }
    }

    public static int TopKCount(Graph g, Node node)
        => g.Opset < 10 ? (int)node.Int("k", 1) : checked((int)NeedConst(g, node, 1, "k").AsInts()[0]);

    /// <summary>DepthToSpace / SpaceToDepth's block: ≥ 1, its square within int32, on a rank-4 input.</summary>
    private static int BlockSize(Node node, int[] x)
    {
        long b = node.Int("blocksize", 1);
        if (b is < 1 or > 46340 || x.Length != 4)
            throw new OnnxConversionException($"{node}: blocksize {b} on a rank-{x.Length} input (a block of 1..46340 on rank 4)", new[] { node.Name });
        return (int)b;
    }

    public static int[] TransposePerm(Node node, int rank)
    {
        var p = node.Ints("perm");
        if (p is null) return Enumerable.Range(0, rank).Reverse().ToArray();
        // A permutation of 0..rank−1, each axis once: anything else would index past the shape when inverted.
        if (p.Length != rank || p.Any(v => v < 0 || v >= rank) || p.Distinct().Count() != rank)
            throw new OnnxConversionException($"{node}: perm [{string.Join(",", p)}] is not a permutation of the {rank} axes of its input", new[] { node.Name });
        return p.Select(v => (int)v).ToArray();
    }

    private static long[] AxesFrom(Graph g, Node node, int inputIndex)
    {
        if (node.Ints("axes") is { } a) return a;
        if (node.Input(inputIndex).Length > 0) return NeedConst(g, node, inputIndex, "axes").AsInts();
        return [];
    }

    public static int[] SqueezeShape(Graph g, Node node, int[] x)
    {
        var axes = AxesFrom(g, node, 1).Select(a => Shapes.Axis(a, x.Length, node)).ToHashSet();
        return x.Where((d, i) => axes.Count == 0 ? d != 1 : !axes.Contains(i)).ToArray();
    }

    public static int[] UnsqueezeShape(Graph g, Node node, int[] x)
    {
        var raw = AxesFrom(g, node, 1);
        int rank = x.Length + raw.Length;
        var axes = raw.Select(a => Shapes.Axis(a, rank, node)).ToHashSet();
        var r = new int[rank];
        int j = 0;
        for (int i = 0; i < rank; i++) r[i] = axes.Contains(i) ? 1 : x[j++];
        return r;
    }

    public static HashSet<int> ReduceAxes(Graph g, Node node, int rank)
    {
        if (node.OpType is "ArgMax" or "ArgMin") return new() { Shapes.Axis(node.Int("axis", 0), rank, node) };
        long[] axes = AxesFrom(g, node, 1);
        if (axes.Length == 0)
        {
            if (node.Int("noop_with_empty_axes", 0) != 0) return new();
            return Enumerable.Range(0, rank).ToHashSet();
        }
        return axes.Select(a => Shapes.Axis(a, rank, node)).ToHashSet();
    }

    /// <summary>(axis, start, step, count) per sliced axis.</summary>
    public static List<(int Axis, int Start, int Step, int Count)> SliceParams(Graph g, Node node, int[] x)
    {
        long[] starts, ends, axes, steps;
        if (node.Inputs.Count == 1)
        {
            starts = node.Ints("starts") ?? [];
            ends = node.Ints("ends") ?? [];
            axes = node.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = NeedConst(g, node, 1, "starts").AsInts();
            ends = NeedConst(g, node, 2, "ends").AsInts();
            axes = node.Input(3).Length > 0 ? NeedConst(g, node, 3, "axes").AsInts() : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = node.Input(4).Length > 0 ? NeedConst(g, node, 4, "steps").AsInts() : Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        var r = new List<(int, int, int, int)>();
        for (int i = 0; i < starts.Length; i++)
        {
            int axis = Shapes.Axis(axes[i], x.Length, node);
            var (s, st, c) = Shapes.SliceAxis(x[axis], starts[i], ends[i], steps[i]);
            r.Add((axis, s, st, c));
        }
        return r;
    }

    public static int[] SplitSizes(Graph g, Node node, int dim)
    {
        long[]? split = node.Ints("split");
        if (split is null && node.Input(1).Length > 0) split = NeedConst(g, node, 1, "split").AsInts();
        if (split is not null) return split.Select(v => (int)v).ToArray();
        int n = node.Outputs.Count;
        if (node.Attributes.ContainsKey("num_outputs")) n = (int)node.Int("num_outputs", n);
        if (n < 1) throw new OnnxConversionException($"{node}: an even split into {n} outputs", new[] { node.Name });
        int chunk = (dim + n - 1) / n;
        return Enumerable.Range(0, n).Select(i => Math.Min(chunk, dim - i * chunk)).ToArray();
    }

    /// <summary>Pads as [begin0..beginR-1, end0..endR-1] for every axis (opset 11+ input, or the attribute).</summary>
    public static long[] PadAmounts(Graph g, Node node, int rank)
    {
        long[] pads = node.Ints("pads") ?? NeedConst(g, node, 1, "pads").AsInts();
        if (node.Input(3).Length > 0)
        {
            var axes = NeedConst(g, node, 3, "axes").AsInts().Select(a => Shapes.Axis(a, rank, node)).ToArray();
            var full = new long[2 * rank];
            for (int i = 0; i < axes.Length; i++) { full[axes[i]] = pads[i]; full[axes[i] + rank] = pads[i + axes.Length]; }
            return full;
        }
        if (pads.Length != 2 * rank) throw new OnnxConversionException($"{node}: {pads.Length} pads for rank {rank}", new[] { node.Name });
        return pads;
    }

    public static float[]? ResizeScales(Graph g, Node node)
    {
        if (node.OpType == "Upsample")
            return node.Floats("scales") ?? NeedConst(g, node, 1, "scales").AsFloats();
        int scalesInput = g.Opset >= 11 ? 2 : 1;
        if (node.Input(scalesInput).Length > 0 && g.ConstOf(node.Input(scalesInput)) is { Count: > 0 } s) return s.AsFloats();
        return null;
    }

    public static int[] ResizeOutput(Graph g, Node node, int[] x)
    {
        if (node.OpType == "Resize" && g.Opset >= 11 && node.Input(3).Length > 0)
        {
            var sizes = NeedConst(g, node, 3, "sizes").AsInts();
            if (sizes.Length == x.Length) return sizes.Select(v => (int)v).ToArray();
            throw new OnnxConversionException($"{node}: sizes with axes has no TFLite form here", new[] { node.Name });
        }
        var scales = ResizeScales(g, node) ?? throw new UnknownShapeException("neither scales nor sizes is a constant");
        if (scales.Length != x.Length) throw new OnnxConversionException($"{node}: {scales.Length} scales for rank {x.Length}", new[] { node.Name });
        return x.Select((d, i) => (int)MathF.Floor(d * scales[i])).ToArray();
    }

    // ------------------------------------------------------------------------------------------------ folding

    private static bool TryFold(Graph g, Node node)
    {
        if (node.OpType is "Shape" or "Size")
        {
            var s = ShapeOf(g, node.Input(0));
            long[] dims = s.Select(d => (long)d).ToArray();
            if (node.OpType == "Size") { SetConst(g, node, 0, ConstTensor.Int(ElemType.Int64, [], [Shapes.Count(s)])); return true; }
            long start = node.Int("start", 0), end = node.Int("end", dims.Length);
            if (start < 0) start += dims.Length;
            if (end < 0) end += dims.Length;
            start = Math.Clamp(start, 0, dims.Length);
            end = Math.Clamp(end, start, dims.Length);
            dims = dims[(int)start..(int)end];
            SetConst(g, node, 0, ConstTensor.Int(ElemType.Int64, [dims.Length], dims));
            return true;
        }
        if (node.OpType == "ConstantOfShape")
        {
            var shapeConst = g.ConstOf(node.Input(0));
            if (shapeConst is null) return false;
            int[] shape = shapeConst.AsInts().Select(v => checked((int)v)).ToArray();
            long n = Shapes.Count(shape);
            Shapes.CheckFoldable(g, shape.Any(d => d < 0) ? -1 : n, $"{node} of shape [{string.Join(",", shape)}]");
            ConstTensor fill = node.Attributes.TryGetValue("value", out var a) ? OnnxReader.ReadTensor(a.T, null) : ConstTensor.Float([1], [0f]);
            SetConst(g, node, 0, fill.IsFloat
                ? ConstTensor.Float(shape, Enumerable.Repeat(fill.Floats![0], (int)n).ToArray())
                : ConstTensor.Int(fill.Type, shape, Enumerable.Repeat(fill.Ints![0], (int)n).ToArray()));
            return true;
        }
        if (node.Inputs.Count == 0) return false;
        var inputs = new ConstTensor?[node.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            if (node.Inputs[i].Length == 0) continue;
            inputs[i] = g.ConstOf(node.Inputs[i]);
            if (inputs[i] is null) return false;
        }
        var result = ConstantFolder.Evaluate(g, node, inputs);
        if (result is null) return false;
        for (int i = 0; i < result.Length; i++) SetConst(g, node, i, result[i]);
        return true;
    }

    private static void SetConst(Graph g, Node node, int i, ConstTensor c)
    {
        // Each folded constant is bounded (ConvertOptions.MaxFoldedElements), and so is their sum: a graph of many large folds
        // once held 8 GiB of constants before a later node refused it (fuzzer, run S).
        g.FoldedElements += c.Count;
        if (g.FoldedElements > g.MaxFoldedTotalElements)
            throw new OnnxConversionException(
                $"{node}: the constants folded so far hold {g.FoldedElements} elements, beyond the converter's limit of {g.MaxFoldedTotalElements}{Shapes.PowerOfTwo(g.MaxFoldedTotalElements)} in all (ConvertOptions.MaxFoldedTotalElements)", new[] { node.Name });
        if (i >= node.Outputs.Count || node.Outputs[i].Length == 0) return;
        var v = g[node.Outputs[i]];
        v.Const = c;
        v.Shape = c.Shape;
        v.Type = c.Type;
    }
}
