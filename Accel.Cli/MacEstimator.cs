namespace Accel.Cli;

/// <summary>Estimated work of one node.</summary>
/// <param name="Macs">Multiply-accumulates (convolutions, transposed convolutions, fully connected, batch matmul).</param>
/// <param name="ElementwiseOps">Other arithmetic, counted as one op per element touched (see <see cref="MacEstimator"/>).</param>
public sealed record NodeWork(int Node, string Operator, int Version, int OutputTensor, long Macs, long ElementwiseOps);

/// <summary>Work of all executed nodes of one operator kind (builtin name or custom code).</summary>
public sealed record OperatorWork(string Operator, int Count, long Macs, long ElementwiseOps);

/// <summary>The estimate for a whole model.</summary>
public sealed class WorkEstimate
{
    public WorkEstimate(IReadOnlyList<NodeWork> nodes, int excludedFoldedNodes)
    {
        Nodes = nodes;
        ExcludedFoldedNodes = excludedFoldedNodes;
        TotalMacs = nodes.Sum(n => n.Macs);
        TotalElementwiseOps = nodes.Sum(n => n.ElementwiseOps);
        ByOperator = nodes.GroupBy(n => n.Operator, StringComparer.Ordinal)
            .Select(g => new OperatorWork(g.Key, g.Count(), g.Sum(n => n.Macs), g.Sum(n => n.ElementwiseOps)))
            .OrderByDescending(o => o.Macs).ThenByDescending(o => o.ElementwiseOps).ThenBy(o => o.Operator, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>One entry per executed (not folded) node, in execution order.</summary>
    public IReadOnlyList<NodeWork> Nodes { get; }
    public int ExcludedFoldedNodes { get; }
    public long TotalMacs { get; }
    public long TotalElementwiseOps { get; }
    public IReadOnlyList<OperatorWork> ByOperator { get; }

    /// <summary>The <paramref name="count"/> nodes with the most MACs (ties: lower node index first); nodes without MACs are left out.</summary>
    public IReadOnlyList<NodeWork> TopNodesByMacs(int count) =>
        Nodes.Where(n => n.Macs > 0).OrderByDescending(n => n.Macs).ThenBy(n => n.Node).Take(count).ToArray();
}

/// <summary>
/// Estimates the arithmetic of a model from tensor shapes. Two separate counts, never mixed:
/// <list type="bullet">
/// <item><b>MACs</b> (multiply-accumulates): CONV_2D = output elements × KH × KW × Cin (filter [Cout,KH,KW,Cin], so
/// grouped convolutions count their per-group Cin); DEPTHWISE_CONV_2D = output elements × KH × KW;
/// FULLY_CONNECTED = output elements × K (weights [N,K]); TRANSPOSE_CONV and the MediaPipe custom
/// Convolution2DTransposeBias = input elements × KH × KW × Cout (weights [Cout,KH,KW,Cin]); BATCH_MATMUL = output
/// elements × the last dimension of its first input.</item>
/// <item><b>Elementwise ops</b>, one per element: arithmetic and activations (ADD, MUL, HARD_SWISH, LOGISTIC, …,
/// SOFTMAX, DEQUANTIZE, RESIZE_*) = output elements; pools (AVERAGE/MAX/L2_POOL_2D) = output elements × filter
/// height × filter width; reductions (MEAN, SUM, REDUCE_*) = input elements.</item>
/// </list>
/// Pure data movement (RESHAPE, CONCATENATION, PAD, TRANSPOSE, …) counts zero. Fused activations are not counted.
/// Nodes folded to constants at allocate time are excluded: they do not run on Invoke.
/// </summary>
public static class MacEstimator
{
    /// <summary>Estimate from an interpreter after <see cref="Interpreter.AllocateTensors"/> (propagated shapes, real folding).</summary>
    public static WorkEstimate Estimate(Interpreter interpreter)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        var tensors = interpreter.Tensors;
        var graph = interpreter.Graph;
        var operators = interpreter.Model.MainSubgraph.Operators;
        return Estimate(graph.NodeCount, n => graph[n].Code, n => operators[n], n => graph[n].IsFolded,
            t => tensors[t].Shape.ToArray());
    }

    /// <summary>
    /// Estimate from the shapes the model file declares, for a model that cannot be allocated (e.g. unsupported
    /// operators). Folding is approximated the way the interpreter does it: a node whose inputs are all constant
    /// (or outputs of such nodes) and that writes no model output.
    /// </summary>
    public static WorkEstimate EstimateDeclared(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var subgraph = model.MainSubgraph;
        var constant = new bool[subgraph.Tensors.Length];
        for (int i = 0; i < constant.Length; i++)
            constant[i] = model.Buffers[subgraph.Tensors[i].BufferIndex].Length > 0 && !subgraph.Tensors[i].IsVariable;
        var modelOutputs = new HashSet<int>(subgraph.Outputs);
        var folded = new bool[subgraph.Operators.Length];
        for (int n = 0; n < folded.Length; n++)
        {
            var op = subgraph.Operators[n];
            var present = op.Inputs.Where(i => i >= 0).ToArray();
            folded[n] = present.Length > 0 && present.All(i => constant[i]) && !op.Outputs.Any(modelOutputs.Contains);
            if (folded[n])
                foreach (int o in op.Outputs) constant[o] = true;
        }
        return Estimate(subgraph.Operators.Length, n => model.OperatorCodeOf(subgraph.Operators[n]), n => subgraph.Operators[n],
            n => folded[n], t => subgraph.Tensors[t].Shape);
    }

    private static WorkEstimate Estimate(int nodeCount, Func<int, OperatorCode> codeOf, Func<int, ModelOperator> definitionOf,
        Func<int, bool> isFolded, Func<int, int[]> shapeOf)
    {
        var nodes = new List<NodeWork>(nodeCount);
        int folded = 0;
        for (int n = 0; n < nodeCount; n++)
        {
            if (isFolded(n))
            {
                folded++;
                continue;
            }
            var code = codeOf(n);
            var op = definitionOf(n);
            var (macs, ops) = EstimateNode(code, op, shapeOf);
            int output = op.Outputs.Length > 0 ? op.Outputs[0] : -1;
            nodes.Add(new NodeWork(n, code.Name, code.Version, output, macs, ops));
        }
        return new WorkEstimate(nodes, folded);
    }

    /// <summary>(MACs, elementwise ops) of one node; <paramref name="shapeOf"/> maps a tensor index to its shape.</summary>
    public static (long Macs, long ElementwiseOps) EstimateNode(OperatorCode code, ModelOperator op, Func<int, int[]> shapeOf)
    {
        long InputElements(int position) => Elements(Shape(op.Inputs, position));
        long OutputElements() => Elements(Shape(op.Outputs, 0));
        int[]? Shape(int[] list, int position) => position < list.Length && list[position] >= 0 ? shapeOf(list[position]) : null;
        // Filter layout [O, KH, KW, I] for every convolution TFLite has.
        long FilterDims(int position, params int[] axes)
        {
            var filter = Shape(op.Inputs, position);
            if (filter is null || filter.Length != 4) return 0;
            long product = 1;
            foreach (int axis in axes) product *= filter[axis];
            return product;
        }

        if (code.Builtin == BuiltinOperator.Custom)
            return code.CustomCode == "Convolution2DTransposeBias" ? (InputElements(0) * FilterDims(1, 1, 2, 0), 0) : (0, 0);

        switch (code.Builtin)
        {
            case BuiltinOperator.Conv2D:
                return (OutputElements() * FilterDims(1, 1, 2, 3), 0);
            case BuiltinOperator.DepthwiseConv2D:
                return (OutputElements() * FilterDims(1, 1, 2), 0);
            case BuiltinOperator.TransposeConv:
                return (InputElements(2) * FilterDims(1, 1, 2, 0), 0);
            case BuiltinOperator.FullyConnected:
            {
                var weights = Shape(op.Inputs, 1);
                return (weights is { Length: >= 1 } ? OutputElements() * weights[^1] : 0, 0);
            }
            case BuiltinOperator.BatchMatMul:
            {
                var lhs = Shape(op.Inputs, 0);
                return (lhs is { Length: >= 1 } ? OutputElements() * lhs[^1] : 0, 0);
            }
            case BuiltinOperator.AveragePool2D:
            case BuiltinOperator.MaxPool2D:
            case BuiltinOperator.L2Pool2D:
                return (0, op.Options is Pool2DOptions pool ? OutputElements() * pool.FilterHeight * pool.FilterWidth : OutputElements());
            case BuiltinOperator.Mean:
            case BuiltinOperator.Sum:
            case BuiltinOperator.ReduceMax:
            case BuiltinOperator.ReduceMin:
            case BuiltinOperator.ReduceProd:
                return (0, InputElements(0));
            default:
                return (0, IsElementwise(code.Builtin) ? OutputElements() : 0);
        }
    }

    private static bool IsElementwise(BuiltinOperator op) => op is
        BuiltinOperator.Add or BuiltinOperator.Sub or BuiltinOperator.Mul or BuiltinOperator.Div or BuiltinOperator.AddN
        or BuiltinOperator.Maximum or BuiltinOperator.Minimum or BuiltinOperator.SquaredDifference or BuiltinOperator.Pow
        or BuiltinOperator.FloorDiv or BuiltinOperator.FloorMod
        or BuiltinOperator.Relu or BuiltinOperator.Relu6 or BuiltinOperator.ReluN1To1 or BuiltinOperator.Relu0To1
        or BuiltinOperator.LeakyRelu or BuiltinOperator.Prelu or BuiltinOperator.Elu or BuiltinOperator.Gelu
        or BuiltinOperator.HardSwish or BuiltinOperator.Logistic or BuiltinOperator.Tanh
        or BuiltinOperator.Exp or BuiltinOperator.Log or BuiltinOperator.Sqrt or BuiltinOperator.Rsqrt or BuiltinOperator.Square
        or BuiltinOperator.Abs or BuiltinOperator.Neg or BuiltinOperator.Sin or BuiltinOperator.Cos
        or BuiltinOperator.Floor or BuiltinOperator.Ceil or BuiltinOperator.Round or BuiltinOperator.Sign
        or BuiltinOperator.Softmax or BuiltinOperator.LogSoftmax or BuiltinOperator.L2Normalization
        or BuiltinOperator.LocalResponseNormalization
        or BuiltinOperator.Dequantize or BuiltinOperator.Quantize or BuiltinOperator.Cast
        or BuiltinOperator.ResizeBilinear or BuiltinOperator.ResizeNearestNeighbor;

    private static long Elements(int[]? shape)
    {
        if (shape is null) return 0;
        long n = 1;
        foreach (int d in shape) n *= Math.Max(d, 0);
        return n;
    }
}
