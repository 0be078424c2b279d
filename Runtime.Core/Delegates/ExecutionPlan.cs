using System.Text;

namespace Accel.Delegates;

/// <summary>A boundary tensor of a planned partition.</summary>
public sealed record PlannedBoundaryTensor(int TensorIndex, string Name, long Bytes);

/// <summary>One partition of the plan: which executor runs which nodes, and what crosses its boundary.</summary>
public sealed record PlannedPartition(
    int Index, string Executor, int[] Nodes, PlannedBoundaryTensor[] Inputs, PlannedBoundaryTensor[] Outputs)
{
    public bool IsDelegated => Executor != ExecutionPlan.ReferenceExecutor;
    public long BoundaryBytes => Inputs.Sum(i => i.Bytes) + Outputs.Sum(o => o.Bytes);
}

/// <summary>A node a delegate did not take, and why.</summary>
public sealed record RefusedNode(int Node, string Operator, string Delegate, string Reason);

/// <summary>How the interpreter runs the graph: partitions in order, and every refusal with its reason.</summary>
public sealed class ExecutionPlan
{
    public const string ReferenceExecutor = "reference";

    internal ExecutionPlan(IReadOnlyList<PlannedPartition> partitions, IReadOnlyList<RefusedNode> refused,
        IReadOnlyList<int> foldedNodes, IReadOnlyList<string> nodeLabels)
    {
        Partitions = partitions;
        Refused = refused;
        FoldedNodes = foldedNodes;
        NodeLabels = nodeLabels;
    }

    public IReadOnlyList<PlannedPartition> Partitions { get; }
    public IReadOnlyList<RefusedNode> Refused { get; }

    /// <summary>Nodes evaluated once at allocate time (constant inputs only); in no partition.</summary>
    public IReadOnlyList<int> FoldedNodes { get; }

    /// <summary>Per node, its operator name.</summary>
    public IReadOnlyList<string> NodeLabels { get; }

    public int DelegatedNodeCount => Partitions.Where(p => p.IsDelegated).Sum(p => p.Nodes.Length);

    /// <summary>Graphviz DOT: one cluster per partition, nodes labelled with their operator, edges along tensors.</summary>
    public string ToDot(IReadOnlyList<(int Node, int[] Inputs, int[] Outputs)> edges)
    {
        var palette = new[] { "#cfe8fc", "#d7f5d0", "#fde2c8", "#ead7f7", "#fbd3d3", "#fff3b0" };
        var executors = Partitions.Select(p => p.Executor).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine("digraph accel_plan {");
        sb.AppendLine("  rankdir=TB; node [shape=box, style=filled, fontname=\"Helvetica\"];");
        foreach (var p in Partitions)
        {
            string color = p.IsDelegated ? palette[executors.IndexOf(p.Executor) % palette.Length] : "#eeeeee";
            sb.AppendLine($"  subgraph cluster_{p.Index} {{");
            sb.AppendLine($"    label=\"partition {p.Index}: {p.Executor} ({p.Nodes.Length} nodes, {p.BoundaryBytes} boundary bytes)\";");
            foreach (int n in p.Nodes)
                sb.AppendLine($"    n{n} [label=\"{n}: {NodeLabels[n]}\", fillcolor=\"{color}\"];");
            sb.AppendLine("  }");
        }
        var producer = new Dictionary<int, int>();
        foreach (var (node, _, outputs) in edges)
            foreach (int o in outputs) producer[o] = node;
        var inPlan = Partitions.SelectMany(p => p.Nodes).ToHashSet();
        foreach (var (node, inputs, _) in edges)
        {
            if (!inPlan.Contains(node)) continue;
            foreach (int i in inputs)
                if (i >= 0 && producer.TryGetValue(i, out int from) && inPlan.Contains(from))
                    sb.AppendLine($"  n{from} -> n{node};");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }
}
