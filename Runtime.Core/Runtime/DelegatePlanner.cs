using Accel.Delegates;

namespace Accel;

/// <summary>
/// Delegate planning at AllocateTensors: delegates claim nodes in priority order, the partition policies apply, the
/// graph is partitioned, the arena is planned for the resulting order, and every delegate partition is compiled,
/// with give-back on a compile failure. Owns the compiled partition kernels.
/// </summary>
internal sealed class DelegatePlanner
{
    private readonly ModelSubgraph _subgraph;
    private readonly Tensor[] _tensors;
    private readonly IReadOnlyList<InterpreterNode> _nodes;
    private readonly InterpreterOptions _options;
    private readonly MemoryPlanner _memory;
    private readonly DiagnosticLog _diagnostics;
    private readonly List<IPartitionKernel> _compiled = new();

    private readonly InvokeCancellation _cancellation;
    private readonly PartitionCancellation _partitionCancellation;

    public DelegatePlanner(ModelSubgraph subgraph, Tensor[] tensors, IReadOnlyList<InterpreterNode> nodes,
        InterpreterOptions options, MemoryPlanner memory, DiagnosticLog diagnostics, InvokeCancellation cancellation)
    {
        _cancellation = cancellation;
        _partitionCancellation = new PartitionCancellation(cancellation);
        _subgraph = subgraph;
        _tensors = tensors;
        _nodes = nodes;
        _options = options;
        _memory = memory;
        _diagnostics = diagnostics;
    }

    /// <summary>
    /// Why a delegate is not offered a node that touches a dynamic tensor (a node whose params are resolved at Invoke,
    /// <see cref="DelegateNode.ParamsAtInvoke"/>, is offered to delegates declaring
    /// <see cref="DelegateCapabilities.RunTimeParameters"/>).
    /// </summary>
    public const string DynamicShapeReason =
        "reads or writes a tensor whose shape is known only at Invoke (dynamic); left to the reference executor";

    /// <summary>Rough reference-executor speed for the cost-aware policy: one multiply-accumulate per nanosecond.</summary>
    private const double ReferenceSecondsPerOperation = 1e-9;

    /// <summary>
    /// Claims nodes for the delegates, partitions, plans the arena for the resulting order and compiles every
    /// delegate partition; a partition that fails to compile is given back and the whole plan is made again.
    /// </summary>
    /// <param name="foldedConstantBytes">Counted with the arena against the memory limit.</param>
    public (ExecutionPlan Plan, ExecutionSteps Steps) Build(long foldedConstantBytes)
    {
        var live = _nodes.Where(n => !n.Folded).ToArray();
        var delegates = _options.Delegates;
        var refused = new List<RefusedNode>();
        var graph = live.Select(n => new GraphNode(n.Index, n.Operator.Inputs, n.Operator.Outputs)).ToArray();
        var constants = Enumerable.Range(0, _tensors.Length).Where(i => _tensors[i].IsConstant).Concat(_subgraph.Inputs).ToArray();
        // Nodes that read or write a tensor sized at Invoke stay on the reference executor (no delegate node at all:
        // a node prepared at Invoke has no params yet), except a node whose own run-time parameter input sizes its
        // outputs (its inputs are not dynamic): delegates declaring RunTimeParameters are offered it, and resolve its
        // params at Invoke. A node reading its dynamic output reads a dynamic tensor, so it stays on the reference and
        // is prepared at Invoke, in whatever partition follows, as before.
        var atInvokeNodes = live.Where(n => n.ParamsResolvedAtInvoke(_tensors)).Select(n => n.Index).ToHashSet();
        var dynamicNodes = live.Where(n => n.TouchesDynamic(_tensors) && !atInvokeNodes.Contains(n.Index)).Select(n => n.Index).ToHashSet();
        var delegateNodes = live.Where(n => !dynamicNodes.Contains(n.Index)).ToDictionary(n => n.Index, ToDelegateNode);

        // (delegate, node) pairs that failed to compile are never offered again, so this loop terminates.
        var excluded = new HashSet<(int Delegate, int Node)>();
        while (true)
        {
            refused.Clear();
            var assignment = new int[live.Length];
            for (int d = 0; d < delegates.Count; d++)
                ClaimFor(d, live, graph, constants, delegateNodes, dynamicNodes, atInvokeNodes, assignment, excluded, refused);

            var partitions = Partitioner.Partition(graph, assignment, _tensors.Length, constants);
            // The order nodes run in: partitions in order, each partition's nodes in its order. The arena is planned
            // for exactly this order, and the reference fallback runs in it too so the same arena stays valid.
            var executionOrder = partitions.SelectMany(p => p.Nodes).ToArray();
            var boundaries = partitions.Select(p => Boundary(p, partitions)).ToArray();
            var descriptions = new DelegatePartition?[partitions.Count];
            // Reads a delegate's fusions make later than the graph says extend those tensors' lifetimes in the arena.
            var laterReads = new List<(int Tensor, int Node)>();
            bool compileFailed = false;
            for (int k = 0; k < partitions.Count; k++)
            {
                var partition = partitions[k];
                if (partition.Executor == 0) continue;
                var (inputs, outputs, consts, intermediates) = boundaries[k];
                var description = new DelegatePartition(k, _options.Threads,
                    partition.Nodes.Select(n => delegateNodes[n]).ToArray(), inputs, outputs, consts, intermediates, _partitionCancellation);
                descriptions[k] = description;
                var selection = delegates[partition.Executor - 1];
                try
                {
                    foreach (var read in selection.Delegate.LaterReads(description))
                    {
                        if (read.Tensor.IsConstant) continue; // not in the arena
                        if (!partition.Nodes.Contains(read.Node.Index))
                            throw new InvalidOperationException($"a later read of tensor {read.Tensor.Index} names node {read.Node.Index}, which is not in the partition");
                        laterReads.Add((read.Tensor.Index, read.Node.Index));
                    }
                }
                catch (Exception e)
                {
                    _diagnostics.Add($"delegate '{selection.Delegate.Name}' failed to name the later reads of partition {k} (nodes {string.Join(",", partition.Nodes)}): {e.Message}; giving the nodes back");
                    foreach (int n in partition.Nodes) excluded.Add((partition.Executor - 1, n));
                    compileFailed = true;
                }
            }
            if (compileFailed) continue;
            _memory.PlanArena(executionOrder, foldedConstantBytes, laterReads);
            var steps = new List<ExecutionStep>();
            var planned = new List<PlannedPartition>();
            foreach (var partition in partitions)
            {
                int index = planned.Count;
                var (inputs, outputs, _, _) = boundaries[index];
                planned.Add(new PlannedPartition(index, ExecutorName(partition.Executor), partition.Nodes,
                    inputs.Select(t => Planned(t.Tensor)).ToArray(), outputs.Where(o => o.NeededOnHost || !IsDevice(partition.Executor)).Select(o => Planned(o.Tensor)).ToArray()));
                if (partition.Executor == 0)
                {
                    foreach (int n in partition.Nodes) steps.Add(new ReferenceStep(_nodes[n], _tensors));
                    continue;
                }
                var selection = delegates[partition.Executor - 1];
                var description = descriptions[index]!;
                try
                {
                    var kernel = selection.Delegate.Compile(description);
                    _compiled.Add(kernel);
                    steps.Add(new PartitionStep(kernel, selection.Delegate.Name, index, partition.Nodes));
                }
                catch (Exception e)
                {
                    _diagnostics.Add($"delegate '{selection.Delegate.Name}' failed to compile partition {index} (nodes {string.Join(",", partition.Nodes)}): {e.Message}; giving the nodes back");
                    foreach (int n in partition.Nodes) excluded.Add((partition.Executor - 1, n));
                    compileFailed = true;
                }
            }
            if (compileFailed)
            {
                Release();
                continue;
            }
            var execution = new ExecutionSteps(steps.ToArray(),
                executionOrder.Select(n => (ExecutionStep)new ReferenceStep(_nodes[n], _tensors)).ToArray(), _options, _diagnostics,
                _cancellation);
            var plan = new ExecutionPlan(planned, refused.ToArray(),
                _nodes.Where(n => n.Folded).Select(n => n.Index).ToArray(), _nodes.Select(n => n.Code.Name).ToArray());
            return (plan, execution);
        }
    }

    private void ClaimFor(int d, InterpreterNode[] live, GraphNode[] graph, int[] constants, Dictionary<int, DelegateNode> delegateNodes,
        HashSet<int> dynamicNodes, HashSet<int> atInvokeNodes, int[] assignment, HashSet<(int, int)> excluded, List<RefusedNode> refused)
    {
        var selection = _options.Delegates[d];
        var @delegate = selection.Delegate;
        int executor = d + 1;
        if (@delegate.UnavailableReason is { } unavailable)
        {
            _diagnostics.Add($"delegate '{@delegate.Name}' is unavailable: {unavailable}");
            return;
        }
        var tentative = (int[])assignment.Clone();
        for (int i = 0; i < live.Length; i++)
        {
            if (assignment[i] != 0) continue;
            var node = live[i];
            if (excluded.Contains((d, node.Index)))
            {
                refused.Add(new RefusedNode(node.Index, node.Code.Name, @delegate.Name, "compile failed earlier; given back"));
                continue;
            }
            if (dynamicNodes.Contains(node.Index) || atInvokeNodes.Contains(node.Index) && !@delegate.Capabilities.RunTimeParameters)
            {
                refused.Add(new RefusedNode(node.Index, node.Code.Name, @delegate.Name, DynamicShapeReason));
                continue;
            }
            if (delegateNodes[node.Index].Params is { ReferenceOnlyReason: { } referenceOnly } referenceOnlyParams &&
                !(referenceOnlyParams.IsHybrid && @delegate.Capabilities.HybridKernels))
            {
                refused.Add(new RefusedNode(node.Index, node.Code.Name, @delegate.Name, referenceOnly));
                continue;
            }
            NodeSupport support;
            try
            {
                support = @delegate.Supports(delegateNodes[node.Index]);
            }
            catch (Exception e)
            {
                support = NodeSupport.Refuse($"support check failed: {e.Message}");
            }
            if (support.IsSupported) tentative[i] = executor;
            else refused.Add(new RefusedNode(node.Index, node.Code.Name, @delegate.Name, support.Reason));
        }

        var mine = Partitioner.Partition(graph, tentative, _tensors.Length, constants).Where(p => p.Executor == executor).ToList();
        var keep = new HashSet<Partition>(mine);
        foreach (var p in mine.Where(p => p.Nodes.Length < selection.MinNodesPerPartition))
        {
            keep.Remove(p);
            Refuse(p, $"partition of {p.Nodes.Length} nodes is below MinNodesPerPartition = {selection.MinNodesPerPartition}");
        }
        if (_options.PartitionPolicy == PartitionPolicy.CostAware)
        {
            foreach (var p in keep.ToList())
            {
                double onDelegate = p.Nodes.Sum(n => @delegate.EstimateSeconds(delegateNodes[n]));
                if (@delegate.Capabilities.Memory == DelegateMemory.Device)
                    onDelegate += @delegate.EstimateTransferSeconds(BoundaryBytes(p, graph));
                double onReference = p.Nodes.Sum(n => delegateNodes[n].Cost.Operations * ReferenceSecondsPerOperation);
                if (onDelegate >= onReference)
                {
                    keep.Remove(p);
                    Refuse(p, $"cost-aware policy: delegate estimate {onDelegate * 1e3:F3} ms (with transfers) is not below the reference's {onReference * 1e3:F3} ms");
                }
            }
        }
        // TFLite's max_delegated_partitions: keep the largest partitions (ties: earlier first).
        var ranked = keep.OrderByDescending(p => p.Nodes.Length).ThenBy(p => p.Nodes[0]).ToList();
        foreach (var p in ranked.Skip(selection.MaxPartitions))
        {
            keep.Remove(p);
            Refuse(p, $"beyond MaxPartitions = {selection.MaxPartitions} (only the largest are kept)");
        }
        var position = live.Select((n, i) => (n.Index, i)).ToDictionary(x => x.Index, x => x.i);
        foreach (var p in keep)
            foreach (int n in p.Nodes) assignment[position[n]] = executor;

        void Refuse(Partition p, string reason)
        {
            foreach (int n in p.Nodes) refused.Add(new RefusedNode(n, _nodes[n].Code.Name, @delegate.Name, reason));
        }
    }

    private long BoundaryBytes(Partition p, GraphNode[] graph)
    {
        var inside = p.Nodes.ToHashSet();
        var produced = p.Nodes.SelectMany(n => _nodes[n].Operator.Outputs).ToHashSet();
        long bytes = 0;
        foreach (int t in p.Nodes.SelectMany(n => _nodes[n].Operator.Inputs).Where(t => t >= 0).Distinct())
            if (!produced.Contains(t) && !_tensors[t].IsConstant) bytes += _tensors[t].ByteSize;
        foreach (int t in produced)
            if (graph.Any(g => !inside.Contains(g.Index) && g.Inputs.Contains(t)) || _subgraph.Outputs.Contains(t)) bytes += _tensors[t].ByteSize;
        return bytes;
    }

    private (PartitionInput[] Inputs, PartitionOutput[] Outputs, Tensor[] Constants, Tensor[] Intermediates) Boundary(
        Partition partition, IReadOnlyList<Partition> all)
    {
        var executorOfNode = new Dictionary<int, int>();
        foreach (var p in all)
            foreach (int n in p.Nodes) executorOfNode[n] = p.Executor;
        var producerOf = new Dictionary<int, int>();
        foreach (var node in _nodes.Where(n => !n.Folded))
            foreach (int o in node.Operator.Outputs) producerOf[o] = node.Index;
        var inside = partition.Nodes.ToHashSet();
        var produced = partition.Nodes.SelectMany(n => _nodes[n].Operator.Outputs).Distinct().ToList();

        var inputs = new List<PartitionInput>();
        var consts = new List<Tensor>();
        foreach (int t in partition.Nodes.SelectMany(n => _nodes[n].Operator.Inputs).Where(t => t >= 0).Distinct())
        {
            if (produced.Contains(t)) continue;
            if (_tensors[t].IsConstant) { consts.Add(_tensors[t]); continue; }
            bool fromSameDevice = IsDevice(partition.Executor) && producerOf.TryGetValue(t, out int producer)
                && executorOfNode.TryGetValue(producer, out int e) && e == partition.Executor;
            inputs.Add(new PartitionInput(_tensors[t], fromSameDevice));
        }
        var outputs = new List<PartitionOutput>();
        var intermediates = new List<Tensor>();
        foreach (int t in produced)
        {
            bool graphOutput = Array.IndexOf(_subgraph.Outputs, t) >= 0;
            var consumers = _nodes.Where(n => !n.Folded && !inside.Contains(n.Index) && n.Operator.Inputs.Contains(t)).ToList();
            if (!graphOutput && consumers.Count == 0) { intermediates.Add(_tensors[t]); continue; }
            bool neededOnHost = graphOutput || consumers.Any(c => executorOfNode[c.Index] != partition.Executor);
            outputs.Add(new PartitionOutput(_tensors[t], neededOnHost));
        }
        return (inputs.ToArray(), outputs.ToArray(), consts.ToArray(), intermediates.ToArray());
    }

    private bool IsDevice(int executor) =>
        executor > 0 && _options.Delegates[executor - 1].Delegate.Capabilities.Memory == DelegateMemory.Device;

    private string ExecutorName(int executor) =>
        executor == 0 ? ExecutionPlan.ReferenceExecutor : _options.Delegates[executor - 1].Delegate.Name;

    private PlannedBoundaryTensor Planned(Tensor t) => new(t.Index, t.Name, t.ByteSize);

    private DelegateNode ToDelegateNode(InterpreterNode node) => new(
        node.Index, node.Code, node.Operator.Options, node.Context.CustomOptions, node.Context.Params!,
        node.Operator.Inputs.Select(i => i < 0 ? null : _tensors[i]).ToArray(),
        node.Operator.Outputs.Select(o => _tensors[o]).ToArray(), node.Context);

    /// <summary>Disposes every compiled partition kernel.</summary>
    public void Release()
    {
        foreach (var kernel in _compiled) kernel.Dispose();
        _compiled.Clear();
    }
}
