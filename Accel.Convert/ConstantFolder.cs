namespace Accel.Conversion;

/// <summary>
/// Evaluates a node whose inputs are all constant. Only exact operations are folded (data movement, integer and
/// IEEE float arithmetic that rounds once), so a folded value equals what a kernel would compute; transcendental ops
/// are left to the runtime.
/// </summary>
internal static class ConstantFolder
{
    public static ConstTensor[]? Evaluate(Graph g, Node node, ConstTensor?[] inputs)
    {
        // An omitted input ("") is null here: an op folds only when every input it reads is present, else it is an
        // error naming the node (a required input left out).
        ConstTensor Need(int i) => i < inputs.Length && inputs[i] is { } t ? t
            : throw new OnnxConversionException($"{node}: input {i} is required but {(i < inputs.Length ? "omitted" : "missing")}", new[] { node.Name });
        ConstTensor x = Need(0);
        switch (node.OpType)
        {
            case "Identity":
            case "Dropout":
                return [x];
            case "Cast":
            {
                var to = OnnxReader.MapType((int)node.Int("to", 1));
                if (to == ElemType.Float32) return [ConstTensor.Float(x.Shape, x.AsFloats())];
                if (to == ElemType.Other) return null;
                long[] v = x.IsFloat ? x.Floats!.Select(f => to == ElemType.Bool ? (f != 0 ? 1L : 0L) : (long)f).ToArray()
                    : x.Ints!.Select(i => to == ElemType.Bool ? (i != 0 ? 1L : 0L) : to == ElemType.Int32 ? (long)(int)i : i).ToArray();
                return [ConstTensor.Int(to, x.Shape, v)];
            }
            case "Reshape":
                return [WithShape(x, Shapes.ReshapeTarget(x.Shape, Need(1).AsInts(), node.Int("allowzero", 0) != 0, node))];
            case "Flatten":
            {
                int axis = (int)node.Int("axis", 1);
                if (axis < 0) axis += x.Shape.Length;
                return [WithShape(x, [(int)Shapes.Count(x.Shape[..axis]), (int)Shapes.Count(x.Shape[axis..])])];
            }
            case "Squeeze":
                return [WithShape(x, Analysis.SqueezeShape(g, node, x.Shape))];
            case "Unsqueeze":
                return [WithShape(x, Analysis.UnsqueezeShape(g, node, x.Shape))];
            case "Transpose":
            {
                var perm = Analysis.TransposePerm(node, x.Shape.Length);
                return [Gather(x, Shapes.Permute(x.Shape, perm), Shapes.TransposeIndex(x.Shape, perm))];
            }
            case "Concat":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Shape.Length, node);
                var parts = inputs.Where(i => i is not null).Select(i => i!).ToArray();
                var shape = (int[])x.Shape.Clone();
                shape[axis] = parts.Sum(p => p.Shape[axis]);
                int outer = (int)Shapes.Count(shape[..axis]);
                int inner = (int)Shapes.Count(shape[(axis + 1)..]);
                var map = new List<(int Part, int Index)>();
                for (int o = 0; o < outer; o++)
                    for (int p = 0; p < parts.Length; p++)
                        for (int k = 0; k < parts[p].Shape[axis] * inner; k++)
                            map.Add((p, o * parts[p].Shape[axis] * inner + k));
                bool anyFloat = parts.Any(p => p.IsFloat);
                if (anyFloat) return [ConstTensor.Float(shape, map.Select(m => parts[m.Part].AsFloats()[m.Index]).ToArray())];
                return [ConstTensor.Int(x.Type, shape, map.Select(m => parts[m.Part].Ints![m.Index]).ToArray())];
            }
            case "Gather":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Shape.Length, node);
                var idx = Need(1);
                long[] indices = idx.AsInts();
                int outer = (int)Shapes.Count(x.Shape[..axis]);
                int inner = (int)Shapes.Count(x.Shape[(axis + 1)..]);
                int dim = x.Shape[axis];
                var map = new List<int>();
                for (int o = 0; o < outer; o++)
                    foreach (long i in indices)
                    {
                        long k = i < 0 ? i + dim : i;
                        if (k < 0 || k >= dim) throw new OnnxConversionException($"{node}: index {i} is out of range for dimension {dim}", new[] { node.Name });
                        for (int j = 0; j < inner; j++) map.Add((int)((o * dim + k) * inner + j));
                    }
                return [Gather(x, [.. x.Shape[..axis], .. idx.Shape, .. x.Shape[(axis + 1)..]], map.ToArray())];
            }
            case "Slice":
            {
                var p = Analysis.SliceParams(g, node, x.Shape);
                var shape = (int[])x.Shape.Clone();
                var start = new int[shape.Length];
                var step = Enumerable.Repeat(1, shape.Length).ToArray();
                foreach (var (axis, s, st, c) in p) { shape[axis] = c; start[axis] = s; step[axis] = st; }
                var inStrides = Shapes.Strides(x.Shape);
                var outStrides = Shapes.Strides(shape);
                var map = new int[Shapes.Count(shape)];
                for (int f = 0; f < map.Length; f++)
                {
                    int rem = f, index = 0;
                    for (int d = 0; d < shape.Length; d++)
                    {
                        int c = rem / outStrides[d];
                        rem -= c * outStrides[d];
                        index += (start[d] + c * step[d]) * inStrides[d];
                    }
                    map[f] = index;
                }
                return [Gather(x, shape, map)];
            }
            case "Split":
            {
                int axis = Shapes.Axis(node.Int("axis", 0), x.Shape.Length, node);
                var sizes = Analysis.SplitSizes(g, node, x.Shape[axis]);
                var parts = new ConstTensor[sizes.Length];
                int offset = 0;
                var inStrides = Shapes.Strides(x.Shape);
                for (int k = 0; k < sizes.Length; k++)
                {
                    var shape = (int[])x.Shape.Clone();
                    shape[axis] = sizes[k];
                    var outStrides = Shapes.Strides(shape);
                    var map = new int[Shapes.Count(shape)];
                    for (int f = 0; f < map.Length; f++)
                    {
                        int rem = f, index = 0;
                        for (int d = 0; d < shape.Length; d++)
                        {
                            int c = rem / outStrides[d];
                            rem -= c * outStrides[d];
                            index += (d == axis ? c + offset : c) * inStrides[d];
                        }
                        map[f] = index;
                    }
                    parts[k] = Gather(x, shape, map);
                    offset += sizes[k];
                }
                return parts;
            }
            case "Expand":
            {
                var shape = Shapes.Broadcast(x.Shape, Need(1).AsInts().Select(v => (int)v).ToArray(), node);
                return [Gather(x, shape, Shapes.BroadcastIndex(g, x.Shape, shape))];
            }
            case "Range":
            {
                if (x.IsFloat || Need(1).IsFloat || Need(2).IsFloat)
                {
                    float s0 = x.AsFloats()[0], lim = Need(1).AsFloats()[0], d = Need(2).AsFloats()[0];
                    double steps = Math.Max(Math.Ceiling(((double)lim - s0) / d), 0);
                    Shapes.CheckFoldable(g, steps, $"{node} (start {s0}, limit {lim}, delta {d})");
                    int n = (int)steps;
                    return [ConstTensor.Float([n], Enumerable.Range(0, n).Select(i => s0 + i * d).ToArray())];
                }
                long a = x.Ints![0], l = Need(1).Ints![0], dl = Need(2).Ints![0];
                double total = Math.Max(Math.Ceiling(((double)l - a) / dl), 0);
                Shapes.CheckFoldable(g, total, $"{node} (start {a}, limit {l}, delta {dl})");
                int count = (int)total;
                return [ConstTensor.Int(x.Type, [count], Enumerable.Range(0, count).Select(i => a + i * dl).ToArray())];
            }
            case "Neg": return [Unary(x, f => -f, i => -i)];
            case "Abs": return [Unary(x, MathF.Abs, Math.Abs)];
            case "Floor": return [Unary(x, MathF.Floor, i => i)];
            case "Ceil": return [Unary(x, MathF.Ceiling, i => i)];
            case "Sqrt": return x.IsFloat ? [Unary(x, MathF.Sqrt, i => i)] : null;
            case "Relu": return [Unary(x, f => f > 0 ? f : 0, i => Math.Max(i, 0))];
            case "Not": return [Unary(x, f => f == 0 ? 1 : 0, i => i == 0 ? 1 : 0)];
            case "Add": return [Binary(g, node, x, Need(1), (a, b) => a + b, (a, b) => a + b)];
            case "Sub": return [Binary(g, node, x, Need(1), (a, b) => a - b, (a, b) => a - b)];
            case "Mul": return [Binary(g, node, x, Need(1), (a, b) => a * b, (a, b) => a * b)];
            case "Div": return [Binary(g, node, x, Need(1), (a, b) => a / b, (a, b) => b == 0 ? throw new OnnxConversionException($"{node}: integer division by zero", new[] { node.Name }) : a / b)];
            case "Max": return [Binary(g, node, x, Need(1), MathF.Max, Math.Max)];
            case "Min": return [Binary(g, node, x, Need(1), MathF.Min, Math.Min)];
            case "Equal": return [Compare(g, node, x, Need(1), (a, b) => a == b)];
            case "Less": return [Compare(g, node, x, Need(1), (a, b) => a < b)];
            case "Greater": return [Compare(g, node, x, Need(1), (a, b) => a > b)];
            case "Where":
            {
                var c = x; var a = Need(1); var b = Need(2);
                var shape = Shapes.Broadcast(Shapes.Broadcast(c.Shape, a.Shape, node), b.Shape, node);
                var ci = Shapes.BroadcastIndex(g, c.Shape, shape); var ai = Shapes.BroadcastIndex(g, a.Shape, shape); var bi = Shapes.BroadcastIndex(g, b.Shape, shape);
                long[] cond = c.AsInts();
                if (a.IsFloat || b.IsFloat)
                {
                    float[] af = a.AsFloats(), bf = b.AsFloats();
                    return [ConstTensor.Float(shape, Enumerable.Range(0, ci.Length).Select(k => cond[ci[k]] != 0 ? af[ai[k]] : bf[bi[k]]).ToArray())];
                }
                return [ConstTensor.Int(a.Type, shape, Enumerable.Range(0, ci.Length).Select(k => cond[ci[k]] != 0 ? a.Ints![ai[k]] : b.Ints![bi[k]]).ToArray())];
            }
            default:
                return null;
        }
    }

    private static ConstTensor WithShape(ConstTensor x, int[] shape)
        => x.IsFloat ? ConstTensor.Float(shape, x.Floats!) : ConstTensor.Int(x.Type, shape, x.Ints!);

    private static ConstTensor Gather(ConstTensor x, int[] shape, int[] map)
        => x.IsFloat ? ConstTensor.Float(shape, map.Select(i => x.Floats![i]).ToArray())
            : ConstTensor.Int(x.Type, shape, map.Select(i => x.Ints![i]).ToArray());

    private static ConstTensor Unary(ConstTensor x, Func<float, float> f, Func<long, long> i)
        => x.IsFloat ? ConstTensor.Float(x.Shape, x.Floats!.Select(f).ToArray()) : ConstTensor.Int(x.Type, x.Shape, x.Ints!.Select(i).ToArray());

    private static ConstTensor Binary(Graph g, Node node, ConstTensor a, ConstTensor b, Func<float, float, float> f, Func<long, long, long> i)
    {
        var shape = Shapes.Broadcast(a.Shape, b.Shape, node);
        var ai = Shapes.BroadcastIndex(g, a.Shape, shape);
        var bi = Shapes.BroadcastIndex(g, b.Shape, shape);
        if (a.IsFloat || b.IsFloat)
        {
            float[] af = a.AsFloats(), bf = b.AsFloats();
            return ConstTensor.Float(shape, Enumerable.Range(0, ai.Length).Select(k => f(af[ai[k]], bf[bi[k]])).ToArray());
        }
        return ConstTensor.Int(a.Type, shape, Enumerable.Range(0, ai.Length).Select(k => i(a.Ints![ai[k]], b.Ints![bi[k]])).ToArray());
    }

    private static ConstTensor Compare(Graph g, Node node, ConstTensor a, ConstTensor b, Func<double, double, bool> f)
    {
        var shape = Shapes.Broadcast(a.Shape, b.Shape, node);
        var ai = Shapes.BroadcastIndex(g, a.Shape, shape);
        var bi = Shapes.BroadcastIndex(g, b.Shape, shape);
        return ConstTensor.Int(ElemType.Bool, shape, Enumerable.Range(0, ai.Length).Select(k => f(a[ai[k]], b[bi[k]]) ? 1L : 0L).ToArray());
    }
}
