using Accel.Operators;

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
/// The arithmetic of a model, read from each node's <see cref="OpCost"/> — computed once by the operator's
/// <see cref="OpDefinition"/> (Runtime.Core/Operators/Definitions), the same numbers the cost-aware partitioner uses.
/// Two counts, never mixed: <b>MACs</b> (multiply-accumulates of convolutions and matrix products) and
/// <b>element ops</b> (other arithmetic, one per element touched; pools count output × window, reductions their
/// input). Data movement counts zero; fused activations are not counted; nodes folded to constants at allocate time
/// are excluded (they do not run on Invoke). An operator Accel does not define has no known cost and counts zero.
/// </summary>
public static class MacEstimator
{
    /// <summary>Estimate from an interpreter after <see cref="Interpreter.AllocateTensors"/> (propagated shapes, real folding).</summary>
    public static WorkEstimate Estimate(Interpreter interpreter)
    {
        ArgumentNullException.ThrowIfNull(interpreter);
        var graph = interpreter.Graph;
        var nodes = new List<NodeWork>(graph.NodeCount);
        int folded = 0;
        foreach (var node in graph.Nodes)
        {
            if (node.IsFolded)
            {
                folded++;
                continue;
            }
            var cost = node.Cost ?? default;
            nodes.Add(new NodeWork(node.Index, node.Code.Name, node.Code.Version, node.Outputs.Count > 0 ? node.Outputs[0] : -1,
                cost.Macs, cost.ElementOps));
        }
        return new WorkEstimate(nodes, folded);
    }

    /// <summary>
    /// Estimate from the shapes the model file declares, for a model that cannot be allocated (e.g. unsupported
    /// operators): each node with a definition is prepared alone (<see cref="OpShapeInference"/>) on its declared
    /// input shapes and constants. Folding is approximated the way the interpreter does it: a node whose inputs are
    /// all constant (or outputs of such nodes) and that writes no model output. Nodes whose operator has no
    /// definition, or whose declared shapes the definition rejects, count zero.
    /// </summary>
    public static WorkEstimate EstimateDeclared(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var subgraph = model.MainSubgraph;
        var constant = new bool[subgraph.Tensors.Length];
        for (int i = 0; i < constant.Length; i++)
            constant[i] = model.Buffers[subgraph.Tensors[i].BufferIndex].Length > 0 && !subgraph.Tensors[i].IsVariable;
        var modelOutputs = new HashSet<int>(subgraph.Outputs);
        var nodes = new List<NodeWork>(subgraph.Operators.Length);
        int folded = 0;
        for (int n = 0; n < subgraph.Operators.Length; n++)
        {
            var op = subgraph.Operators[n];
            var present = op.Inputs.Where(i => i >= 0).ToArray();
            if (present.Length > 0 && present.All(i => constant[i]) && !op.Outputs.Any(modelOutputs.Contains))
            {
                foreach (int o in op.Outputs) constant[o] = true;
                folded++;
                continue;
            }
            var code = model.OperatorCodeOf(op);
            var cost = DeclaredCost(model, subgraph, n, op, code);
            nodes.Add(new NodeWork(n, code.Name, code.Version, op.Outputs.Length > 0 ? op.Outputs[0] : -1, cost.Macs, cost.ElementOps));
        }
        return new WorkEstimate(nodes, folded);
    }

    private static OpCost DeclaredCost(Model model, ModelSubgraph subgraph, int index, ModelOperator op, OperatorCode code)
    {
        if (OpDefinitions.Find(OpId.From(code)) is null) return default;
        var inputs = op.Inputs.Select(i =>
        {
            if (i < 0) return null;
            var t = subgraph.Tensors[i];
            var buffer = model.Buffers[t.BufferIndex];
            return new OpTensorSpec(t.Type, t.Shape, buffer.Length > 0 ? model.GetBytes(buffer).ToArray() : null, t.Quantization, t.Sparsity)
            {
                Name = t.Name,
            };
        }).ToArray();
        var outputTypes = op.Outputs.Select(o => subgraph.Tensors[o].Type).ToArray();
        try
        {
            var customOptions = op.CustomOptions.Length == 0 ? ReadOnlyMemory<byte>.Empty : model.GetBytes(op.CustomOptions).ToArray();
            return OpShapeInference.Infer(OpId.From(code), code.Version, op.Options, customOptions, inputs, outputTypes, nodeIndex: index).Params.Cost;
        }
        catch (AccelException)
        {
            return default; // declared shapes the definition rejects: no known cost
        }
    }
}
