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

    /// <summary>Per node, its operator name. <see cref="InterpreterGraph.ToDot"/> renders the plan.</summary>
    public IReadOnlyList<string> NodeLabels { get; }

    public int DelegatedNodeCount => Partitions.Where(p => p.IsDelegated).Sum(p => p.Nodes.Length);
}
