using Accel.Conversion.Onnx;

namespace Accel.Conversion;

/// <summary>Graph clean-ups run after analysis: pass-through removal, Conv+BatchNormalization and MatMul+Add folding,
/// dead-node elimination.</summary>
internal static class GraphPasses
{
    /// <summary>Identity and inference-mode Dropout forward their input: readers are rewired to it.</summary>
    public static int RemovePassThrough(Graph g)
    {
        int removed = 0;
        var rename = new Dictionary<string, string>();
        var kept = new List<Node>();
        var producers = new Dictionary<string, Node>();
        foreach (var node in g.Nodes)
        {
            for (int i = 0; i < node.Inputs.Count; i++)
                if (rename.TryGetValue(node.Inputs[i], out var r)) node.Inputs[i] = r;
            bool passThrough = node.OpType == "Identity"
                || (node.OpType == "Dropout" && (node.Outputs.Count < 2 || node.Outputs[1].Length == 0) && node.Input(2).Length == 0);
            if (passThrough && node.Inputs.Count > 0)
            {
                string from = node.Inputs[0], to = node.Outputs[0];
                if (!g.Outputs.Contains(to)) { rename[to] = from; removed++; continue; }
                // The output is a graph output: its producer writes it under the output's name instead.
                if (producers.TryGetValue(from, out var producer) && !g.Outputs.Contains(from) && g.Nodes.All(n => n == node || !n.Inputs.Contains(from)))
                {
                    producer.Outputs[producer.Outputs.IndexOf(from)] = to;
                    removed++;
                    continue;
                }
            }
            kept.Add(node);
            foreach (var o in node.Outputs) producers[o] = node;
        }
        g.Nodes = kept;
        return removed;
    }

    /// <summary>Conv (constant weights) followed only by BatchNormalization (constant statistics) becomes one Conv.</summary>
    public static int FoldConvBatchNorm(Graph g)
    {
        var uses = g.UseCounts();
        var producers = g.Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0).Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        int folded = 0;
        var removed = new HashSet<Node>();
        foreach (var bn in g.Nodes.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (!producers.TryGetValue(bn.Input(0), out var conv) || conv.OpType != "Conv") continue;
            if (uses.GetValueOrDefault(bn.Input(0)) != 1 || g.Outputs.Contains(bn.Input(0))) continue;
            var w = g.ConstOf(conv.Input(1));
            var scale = g.ConstOf(bn.Input(1)); var beta = g.ConstOf(bn.Input(2));
            var mean = g.ConstOf(bn.Input(3)); var variance = g.ConstOf(bn.Input(4));
            if (w is null || scale is null || beta is null || mean is null || variance is null) continue;
            var b = conv.Input(2).Length > 0 ? g.ConstOf(conv.Input(2)) : null;
            if (conv.Input(2).Length > 0 && b is null) continue;
            if (bn.Outputs.Skip(1).Any(o => o.Length > 0)) continue;
            float eps = bn.Float("epsilon", 1e-5f);
            // Folds only what fits: one statistic (and bias) per output channel; anything else stays a
            // BatchNormalization node, whose own checks name what is wrong.
            if (w.Shape.Length < 1 || w.Shape[0] <= 0) continue;
            int outChannels = w.Shape[0];
            if (new[] { scale, beta, mean, variance, b }.Any(c => c is not null && c.Count != outChannels)) continue;
            int per = w.Count / outChannels;
            var wf = w.AsFloats();
            var nw = new float[wf.Length];
            var nb = new float[outChannels];
            for (int o = 0; o < outChannels; o++)
            {
                // The same float32 steps as BatchNormalization's definition: s = gamma / sqrt(var + eps).
                float s = scale.AsFloats()[o] / MathF.Sqrt(variance.AsFloats()[o] + eps);
                for (int k = 0; k < per; k++) nw[o * per + k] = wf[o * per + k] * s;
                float bias = b is null ? 0f : b.AsFloats()[o];
                nb[o] = (bias - mean.AsFloats()[o]) * s + beta.AsFloats()[o];
            }
            string wName = conv.Name + "/bn_folded_weights", bName = conv.Name + "/bn_folded_bias";
            g.GetOrAdd(wName).Const = ConstTensor.Float(w.Shape, nw);
            g[wName].Shape = w.Shape; g[wName].Type = ElemType.Float32;
            g.GetOrAdd(bName).Const = ConstTensor.Float([outChannels], nb);
            g[bName].Shape = [outChannels]; g[bName].Type = ElemType.Float32;
            conv.Inputs[1] = wName;
            if (conv.Inputs.Count > 2) conv.Inputs[2] = bName; else conv.Inputs.Add(bName);
            conv.Outputs[0] = bn.Outputs[0];
            removed.Add(bn);
            folded++;
        }
        g.Nodes = g.Nodes.Where(n => !removed.Contains(n)).ToList();
        return folded;
    }

    /// <summary>MatMul by a constant matrix followed only by Add of a constant vector: the Add becomes the bias of
    /// the FULLY_CONNECTED the MatMul turns into (a third MatMul input, internal to the converter).</summary>
    public static int FoldMatMulAdd(Graph g)
    {
        var uses = g.UseCounts();
        var producers = g.Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0).Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        int folded = 0;
        var removed = new HashSet<Node>();
        foreach (var add in g.Nodes.Where(n => n.OpType == "Add").ToList())
        {
            for (int side = 0; side < 2; side++)
            {
                if (!producers.TryGetValue(add.Input(side), out var mm) || mm.OpType != "MatMul" || mm.Inputs.Count != 2) continue;
                if (uses.GetValueOrDefault(add.Input(side)) != 1 || g.Outputs.Contains(add.Input(side))) continue;
                var w = g.ConstOf(mm.Input(1));
                var bias = g.ConstOf(add.Input(1 - side));
                if (w is null || w.Shape.Length != 2 || bias is null || !bias.IsFloat) continue;
                int n = w.Shape[1];
                if (bias.Count != n || bias.Shape.Length == 0 || bias.Shape[^1] != n || bias.Shape.Length > g[mm.Outputs[0]].Shape!.Length) continue;
                string bName = mm.Name + "/add_folded_bias";
                g.GetOrAdd(bName).Const = ConstTensor.Float([n], bias.Floats!);
                g[bName].Shape = [n]; g[bName].Type = ElemType.Float32;
                mm.Inputs.Add(bName);
                mm.Outputs[0] = add.Outputs[0];
                removed.Add(add);
                folded++;
                break;
            }
        }
        g.Nodes = g.Nodes.Where(n => !removed.Contains(n)).ToList();
        return folded;
    }

    /// <summary>
    /// The exact GELU as exporters write it, x·0.5·(1 + erf(x/√2)) (Div by √2 or Mul by 1/√2; the 0.5 on either
    /// product), becomes one Gelu node: TFLite has GELU but no ERF.
    /// </summary>
    public static int FuseErfGelu(Graph g)
    {
        var uses = g.UseCounts();
        var producers = g.Nodes.SelectMany(n => n.Outputs.Where(o => o.Length > 0).Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var consumers = new Dictionary<string, List<Node>>();
        foreach (var n in g.Nodes) foreach (var i in n.Inputs) if (i.Length > 0) (consumers.TryGetValue(i, out var l) ? l : consumers[i] = new()).Add(n);
        bool IsScalar(string name, float value, float tolerance) => g.ConstOf(name) is { Count: 1 } c && Math.Abs(c.AsFloats()[0] - value) <= tolerance;
        Node? Sole(string value) => uses.GetValueOrDefault(value) == 1 && !g.Outputs.Contains(value) && consumers.TryGetValue(value, out var l) ? l[0] : null;
        string? Other(Node n, string one) => n.Inputs.Count == 2 ? (n.Inputs[0] == one ? n.Inputs[1] : n.Inputs[1] == one ? n.Inputs[0] : null) : null;

        var removed = new HashSet<Node>();
        var added = new Dictionary<Node, Node>();
        int fused = 0;
        foreach (var erf in g.Nodes.Where(n => n.OpType == "Erf").ToList())
        {
            if (!producers.TryGetValue(erf.Input(0), out var scale) || Sole(erf.Input(0)) != erf) continue;
            string x;
            if (scale.OpType == "Div" && IsScalar(scale.Input(1), MathF.Sqrt(2f), 1e-5f)) x = scale.Input(0);
            else if (scale.OpType == "Mul" && Other(scale, scale.Input(0)) is { } o1 && IsScalar(o1, 1f / MathF.Sqrt(2f), 1e-6f)) x = scale.Input(0);
            else if (scale.OpType == "Mul" && IsScalar(scale.Input(0), 1f / MathF.Sqrt(2f), 1e-6f)) x = scale.Input(1);
            else continue;
            if (Sole(erf.Outputs[0]) is not { OpType: "Add" } add || Other(add, erf.Outputs[0]) is not { } one || !IsScalar(one, 1f, 0f)) continue;
            if (Sole(add.Outputs[0]) is not { OpType: "Mul" } mul1 || Other(mul1, add.Outputs[0]) is not { } m1) continue;
            Node last; var chain = new List<Node> { scale, erf, add, mul1 };
            if (m1 == x)
            {
                // (x · (1 + erf)) · 0.5
                if (Sole(mul1.Outputs[0]) is not { OpType: "Mul" } half || Other(half, mul1.Outputs[0]) is not { } h || !IsScalar(h, 0.5f, 0f)) continue;
                last = half; chain.Add(half);
            }
            else if (producers.TryGetValue(m1, out var halfX) && halfX.OpType == "Mul" && Other(halfX, x) is { } h2 && IsScalar(h2, 0.5f, 0f) && Sole(m1) == mul1)
            {
                // (x · 0.5) · (1 + erf)
                last = mul1; chain.Add(halfX);
            }
            else continue;
            if (chain.Any(removed.Contains)) continue;
            removed.UnionWith(chain);
            added[last] = new Node
            {
                Name = last.Name + "/gelu", OpType = "Gelu", Inputs = [x], Outputs = [last.Outputs[0]],
                Attributes = new Dictionary<string, AttributeProto>(),
            };
            fused++;
        }
        g.Nodes = g.Nodes.Select(n => added.TryGetValue(n, out var gelu) ? gelu : n).Where(n => !removed.Contains(n) || added.ContainsValue(n)).ToList();
        return fused;
    }

    /// <summary>Removes nodes none of whose outputs reach a graph output.</summary>
    public static int EliminateDeadNodes(Graph g)
    {
        var live = new HashSet<string>(g.Outputs);
        var kept = new List<Node>();
        for (int i = g.Nodes.Count - 1; i >= 0; i--)
        {
            var node = g.Nodes[i];
            if (!node.Outputs.Any(live.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Inputs) if (input.Length > 0) live.Add(input);
        }
        kept.Reverse();
        int removed = g.Nodes.Count - kept.Count;
        g.Nodes = kept;
        return removed;
    }
}
