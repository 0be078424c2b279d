using Accel.Conversion.Onnx;

namespace Accel.Conversion;

/// <summary>
/// Rewrites of ONNX ops into other ONNX ops the lowering already handles, run on the analysed graph (static shapes):
/// Einsum into Transpose/Reshape/MatMul, and 1-D convolutions and pools into 2-D ones over a unit height.
/// </summary>
internal static class Rewrites
{
    // ------------------------------------------------------------------------------------------------ Einsum

    /// <summary>An Einsum equation with every term spelled out (ellipses replaced by digit labels).</summary>
    internal sealed record EinsumEquation(string[] Terms, string Output, Dictionary<char, int> Sizes);

    /// <summary>
    /// Parses and checks an Einsum node against the patterns that convert: one operand whose output is a permutation
    /// of it (a transpose), or two operands whose shared labels are either kept (batch) or summed (contracted), and
    /// whose other labels are all kept (a [batched] matrix product, operands and result in any axis order).
    /// Anything else is refused naming the node and why.
    /// </summary>
    public static EinsumEquation ParseEinsum(Node node, IReadOnlyList<int[]> shapes)
    {
        OnnxConversionException Refuse(string why) => new($"{node}: {why}", new[] { node.Name });
        string equation = node.Str("equation", "").Replace(" ", "", StringComparison.Ordinal);
        if (equation.Length == 0) throw Refuse("no equation");
        if (shapes.Count is < 1 or > 2)
            throw Refuse($"Einsum of {shapes.Count} operands; the matmul, batched matmul and transpose patterns that convert take one or two");
        int arrow = equation.IndexOf("->", StringComparison.Ordinal);
        string lhs = arrow < 0 ? equation : equation[..arrow];
        string[] rawTerms = lhs.Split(',');
        if (rawTerms.Length != shapes.Count) throw Refuse($"the equation '{equation}' has {rawTerms.Length} operand terms for {shapes.Count} inputs");

        // Ellipsis dimensions are right-aligned across operands (numpy broadcasting); label them '0', '1', … .
        int ellipsisRank = 0;
        for (int t = 0; t < rawTerms.Length; t++)
            if (rawTerms[t].Contains("...", StringComparison.Ordinal))
                ellipsisRank = Math.Max(ellipsisRank, shapes[t].Length - (rawTerms[t].Length - 3));
        string Expand(string term, int rank)
        {
            if (!term.Contains("...", StringComparison.Ordinal)) return term;
            int e = rank - (term.Length - 3);
            if (e < 0) throw Refuse($"term '{term}' has more labels than its operand's rank {rank}");
            string digits = new(Enumerable.Range(ellipsisRank - e, e).Select(d => (char)('0' + d)).ToArray());
            return term.Replace("...", digits, StringComparison.Ordinal);
        }
        if (ellipsisRank > 10) throw Refuse("an ellipsis over more than 10 dimensions");
        string[] terms = rawTerms.Select((t, i) => Expand(t, shapes[i].Length)).ToArray();

        var sizes = new Dictionary<char, int>();
        for (int t = 0; t < terms.Length; t++)
        {
            if (terms[t].Any(ch => !(char.IsAsciiLetter(ch) || char.IsAsciiDigit(ch))))
                throw Refuse($"term '{rawTerms[t]}' holds a character that is not a letter or an ellipsis");
            if (terms[t].Length != shapes[t].Length)
                throw Refuse($"term '{rawTerms[t]}' names {terms[t].Length} axes, its operand has rank {shapes[t].Length}");
            if (terms[t].Distinct().Count() != terms[t].Length)
                throw Refuse($"term '{rawTerms[t]}' repeats a label (a diagonal), which has no TFLite form here");
            for (int i = 0; i < terms[t].Length; i++)
            {
                char c = terms[t][i];
                int d = shapes[t][i];
                if (sizes.TryGetValue(c, out int known) && known != d)
                    throw Refuse($"label '{Show(c)}' is {known} in one operand and {d} in another (broadcasting a size-1 axis is not one of the patterns that convert)");
                sizes[c] = d;
            }
        }

        string output;
        if (arrow >= 0)
        {
            string rawOut = equation[(arrow + 2)..];
            output = rawOut.Contains("...", StringComparison.Ordinal)
                ? rawOut.Replace("...", new string(Enumerable.Range(0, ellipsisRank).Select(d => (char)('0' + d)).ToArray()), StringComparison.Ordinal)
                : rawOut;
            if (output.Distinct().Count() != output.Length) throw Refuse($"the output '{rawOut}' repeats a label");
            foreach (char c in output)
                if (!sizes.ContainsKey(c)) throw Refuse($"the output label '{Show(c)}' names no operand axis");
        }
        else
        {
            // Implicit output: the ellipsis dimensions, then the labels used once, alphabetically.
            var once = string.Concat(terms).GroupBy(c => c).Where(g => g.Count() == 1 && char.IsAsciiLetter(g.Key)).Select(g => g.Key).OrderBy(c => c);
            output = new string([.. Enumerable.Range(0, ellipsisRank).Select(d => (char)('0' + d)), .. once]);
        }

        if (terms.Length == 1)
        {
            foreach (char c in terms[0])
                if (!output.Contains(c)) throw Refuse($"sums over '{Show(c)}' (a reduction); only a transpose of one operand converts");
        }
        else
        {
            for (int t = 0; t < 2; t++)
                foreach (char c in terms[t])
                    if (!terms[1 - t].Contains(c) && !output.Contains(c))
                        throw Refuse($"sums operand {t} over '{Show(c)}' on its own (a reduction before the product); only matrix-product patterns convert");
        }
        return new EinsumEquation(terms, output, sizes);
    }

    private static string Show(char c) => char.IsAsciiDigit(c) ? $"... dimension {c}" : c.ToString();

    /// <summary>The output shape of an Einsum node (for shape inference).</summary>
    public static int[] EinsumShape(Node node, IReadOnlyList<int[]> shapes)
    {
        var eq = ParseEinsum(node, shapes);
        return eq.Output.Select(c => eq.Sizes[c]).ToArray();
    }

    /// <summary>Replaces every Einsum by Transpose (free in the lowering), Reshape and MatMul nodes.</summary>
    public static void ExpandEinsum(Graph g)
    {
        if (!g.Nodes.Any(n => n.OpType == "Einsum")) return;
        var nodes = new List<Node>();
        foreach (var node in g.Nodes)
        {
            if (node.OpType != "Einsum") { nodes.Add(node); continue; }
            var shapes = node.Inputs.Select(i => g[i].Shape!).ToList();
            var eq = ParseEinsum(node, shapes);
            var b = new NodeFactory(g, node, nodes);
            if (eq.Terms.Length == 1)
            {
                b.Transpose(node.Inputs[0], eq.Output.Select(c => eq.Terms[0].IndexOf(c)).ToArray(), node.Outputs[0]);
                continue;
            }
            string ta = eq.Terms[0], tb = eq.Terms[1];
            var batch = eq.Output.Where(c => ta.Contains(c) && tb.Contains(c)).ToArray();
            var freeA = eq.Output.Where(c => ta.Contains(c) && !tb.Contains(c)).ToArray();
            var freeB = eq.Output.Where(c => tb.Contains(c) && !ta.Contains(c)).ToArray();
            var contracted = ta.Where(c => tb.Contains(c) && !eq.Output.Contains(c)).ToArray();
            if (contracted.Length == 0 && freeA.Length == 0 && freeB.Length == 0)
            {
                // Every label kept by both operands: an element-wise product, read in the output's axis order.
                int[] outShape = eq.Output.Select(c => eq.Sizes[c]).ToArray();
                string pa = b.PermuteReshape(node.Inputs[0], eq.Output.Select(c => ta.IndexOf(c)).ToArray(), outShape, "a");
                string pb = b.PermuteReshape(node.Inputs[1], eq.Output.Select(c => tb.IndexOf(c)).ToArray(), outShape, "b");
                b.Add("Mul", [pa, pb], node.Outputs[0]);
                continue;
            }
            int Size(IEnumerable<char> labels) => labels.Aggregate(1, (acc, c) => checked(acc * eq.Sizes[c]));
            int bt = Size(batch), m = Size(freeA), k = Size(contracted), n = Size(freeB);
            int[] lead = batch.Length > 0 ? [bt] : [];
            // A → [batch, M, K], B → [batch, K, N], MatMul → [batch, M, N] → [batch…, freeA…, freeB…] → output order.
            string a = b.PermuteReshape(node.Inputs[0], [.. batch.Select(c => ta.IndexOf(c)), .. freeA.Select(c => ta.IndexOf(c)), .. contracted.Select(c => ta.IndexOf(c))], [.. lead, m, k], "a");
            string bb = b.PermuteReshape(node.Inputs[1], [.. batch.Select(c => tb.IndexOf(c)), .. contracted.Select(c => tb.IndexOf(c)), .. freeB.Select(c => tb.IndexOf(c))], [.. lead, k, n], "b");
            string order = new([.. batch, .. freeA, .. freeB]);
            int[] toOutput = eq.Output.Select(c => order.IndexOf(c)).ToArray();
            bool lastStep = Shapes.IsIdentity(toOutput);
            int[] grouped = order.Select(c => eq.Sizes[c]).ToArray();
            int[] product = [.. lead, m, n];
            bool needsReshape = !product.SequenceEqual(grouped);
            string mm = !needsReshape && lastStep ? node.Outputs[0] : b.Value("matmul", product);
            b.Add("MatMul", [a, bb], mm);
            string r = mm;
            if (needsReshape)
            {
                r = lastStep ? node.Outputs[0] : b.Value("grouped", grouped);
                b.Add("Reshape", [mm], r);
            }
            if (!lastStep) b.Transpose(r, toOutput, node.Outputs[0]);
        }
        g.Nodes = nodes;
    }

    /// <summary>Adds the nodes and values a rewrite of one node needs, named after it.</summary>
    private sealed class NodeFactory(Graph g, Node node, List<Node> nodes)
    {
        private int _count;

        public string Value(string what, int[] shape)
        {
            string name = $"{node.Name}/{what}_{_count++}";
            var v = g.GetOrAdd(name);
            v.Shape = shape;
            v.Type = ElemType.Float32;
            return name;
        }

        public void Add(string op, List<string> inputs, string output, params AttributeProto[] attributes)
        {
            var n = new Node { Name = $"{node.Name}/{op}_{_count++}", OpType = op, Inputs = inputs, Outputs = [output], Attributes = attributes.ToDictionary(a => a.Name) };
            nodes.Add(n);
        }

        public void Transpose(string input, int[] perm, string output)
        {
            var a = new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.Add(perm.Select(p => (long)p));
            Add("Transpose", [input], output, a);
        }

        /// <summary>The input permuted then reshaped; a constant is permuted and reshaped here, an activation gets
        /// Transpose and Reshape nodes (each left out when it does nothing).</summary>
        public string PermuteReshape(string input, int[] perm, int[] shape, string what)
        {
            var v = g[input];
            var permuted = Shapes.Permute(v.Shape!, perm);
            if (v.Const is { } c)
            {
                var map = Shapes.TransposeIndex(c.Shape, perm);
                string name = Value(what, shape);
                g[name].Type = c.Type;
                g[name].Const = c.IsFloat ? ConstTensor.Float(shape, map.Select(i => c.Floats![i]).ToArray())
                    : ConstTensor.Int(c.Type, shape, map.Select(i => c.Ints![i]).ToArray());
                return name;
            }
            string x = input;
            if (!Shapes.IsIdentity(perm))
            {
                x = Value(what + "_transposed", permuted);
                Transpose(input, perm, x);
            }
            if (!permuted.SequenceEqual(shape))
            {
                string r = Value(what + "_reshaped", shape);
                Add("Reshape", [x], r);
                x = r;
            }
            return x;
        }
    }

    // ------------------------------------------------------------------------------------------------ 1-D

    private static readonly HashSet<string> Spatial = new() { "Conv", "ConvTranspose", "MaxPool", "AveragePool" };

    /// <summary>
    /// A 1-D Conv, ConvTranspose, MaxPool or AveragePool ([N, C, L]) becomes the 2-D op over [N, C, 1, L] with unit
    /// kernel, stride and dilation on the new axis, between two reshapes that only add and drop that size-1 axis
    /// (free in NHWC: no TRANSPOSE). A Relu/Clip read only by it stays 2-D so that it still fuses into the op.
    /// </summary>
    public static int LiftOneDimensional(Graph g)
    {
        var uses = g.UseCounts();
        var consumers = new Dictionary<string, Node>();
        foreach (var n in g.Nodes) foreach (var i in n.Inputs) if (i.Length > 0) consumers[i] = n;
        var nodes = new List<Node>();
        var moved = new HashSet<Node>();
        int lifted = 0;
        foreach (var node in g.Nodes)
        {
            if (moved.Contains(node)) continue;
            if (!Spatial.Contains(node.OpType) || g[node.Input(0)].Shape is not { Length: 3 } x)
            {
                nodes.Add(node);
                continue;
            }
            bool conv = node.OpType is "Conv" or "ConvTranspose";
            if (conv && g.ConstOf(node.Input(1)) is null) { nodes.Add(node); continue; } // refused by the lowering
            var f = new NodeFactory(g, node, nodes);
            string x2 = f.Value("as_2d", [x[0], x[1], 1, x[2]]);
            g[x2].Type = g[node.Input(0)].Type;
            f.Add("Reshape", [node.Input(0)], x2);
            node.Inputs[0] = x2;
            if (conv)
            {
                var w = g.ConstOf(node.Input(1))!;
                string w2 = f.Value("weights_2d", [w.Shape[0], w.Shape[1], 1, w.Shape[2]]);
                g[w2].Const = ConstTensor.Float(g[w2].Shape!, w.AsFloats());
                node.Inputs[1] = w2;
            }
            Widen(node, "kernel_shape", [1]);
            Widen(node, "strides", [1]);
            Widen(node, "dilations", [1]);
            Widen(node, "output_padding", [0]);
            Widen(node, "output_shape", [1]);
            if (node.Attributes.TryGetValue("pads", out var pads) && pads.Ints.Count == 2)
            {
                long begin = pads.Ints[0], end = pads.Ints[1];
                pads.Ints.Clear();
                pads.Ints.Add([0, begin, 0, end]);
            }
            // The op (and a Relu/Clip read only by it) in 2-D, then a reshape back to [N, C', L'].
            string y = node.Outputs[0];
            var yShape = g[y].Shape!;
            string y2 = f.Value("output_2d", [yShape[0], yShape[1], 1, yShape[2]]);
            g[y2].Type = g[y].Type;
            node.Outputs[0] = y2;
            nodes.Add(node);
            string last = y;
            if (uses.GetValueOrDefault(y) == 1 && !g.Outputs.Contains(y) && consumers.TryGetValue(y, out var act) && act.OpType is "Relu" or "Clip"
                && act.Inputs[0] == y && act.Inputs.Skip(1).All(i => i.Length == 0 || g.ConstOf(i) is not null))
            {
                act.Inputs[0] = y2;
                last = act.Outputs[0];
                string a2 = f.Value("activation_2d", g[y2].Shape!);
                act.Outputs[0] = a2;
                nodes.Add(act);
                moved.Add(act);
                y2 = a2;
            }
            f.Add("Reshape", [y2], last);
            lifted++;
        }
        g.Nodes = nodes;
        return lifted;
    }

    private static void Widen(Node node, string attribute, long[] lead)
    {
        if (!node.Attributes.TryGetValue(attribute, out var a) || a.Ints.Count != 1) return;
        long v = a.Ints[0];
        a.Ints.Clear();
        a.Ints.Add([.. lead, v]);
    }
}
