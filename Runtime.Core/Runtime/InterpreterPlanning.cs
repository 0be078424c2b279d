using Accel.Delegates;

namespace Accel;

/// <summary>Delegate planning: claims in priority order, partition policies, compilation with give-back on failure.</summary>
public sealed partial class Interpreter
{
    /// <summary>Rough reference-executor speed for the cost-aware policy: one multiply-accumulate per nanosecond.</summary>
    private const double ReferenceSecondsPerOperation = 1e-9;

    private void BuildExecutionPlan()
    {
        var live = _nodes.Where(n => !n.Folded).ToArray();
        _execution = null;
        var delegates = Options.Delegates;
        var refused = new List<RefusedNode>();
        var graph = live.Select(n => new GraphNode(n.Index, n.Operator.Inputs, n.Operator.Outputs)).ToArray();
        var constants = Enumerable.Range(0, _tensors.Length).Where(i => _tensors[i].IsConstant).Concat(_subgraph.Inputs).ToArray();
        var delegateNodes = live.ToDictionary(n => n.Index, ToDelegateNode);

        // (delegate, node) pairs that failed to compile are never offered again, so this loop terminates.
        var excluded = new HashSet<(int Delegate, int Node)>();
        while (true)
        {
            refused.Clear();
            var assignment = new int[live.Length];
            for (int d = 0; d < delegates.Count; d++)
                ClaimFor(d, live, graph, constants, delegateNodes, assignment, excluded, refused);

            var partitions = Partitioner.Partition(graph, assignment, _tensors.Length, constants);
            // The order nodes run in: partitions in order, each partition's nodes in its order. The arena is planned
            // for exactly this order, and the reference fallback runs in it too so the same arena stays valid.
            var executionOrder = partitions.SelectMany(p => p.Nodes).ToArray();
            _memory.PlanArena(executionOrder, _folder.FoldedBytes);
            var steps = new List<ExecutionStep>();
            var planned = new List<PlannedPartition>();
            bool compileFailed = false;
            foreach (var partition in partitions)
            {
                int index = planned.Count;
                var (inputs, outputs, consts, intermediates) = Boundary(partition, partitions);
                planned.Add(new PlannedPartition(index, ExecutorName(partition.Executor), partition.Nodes,
                    inputs.Select(t => Planned(t.Tensor)).ToArray(), outputs.Where(o => o.NeededOnHost || !IsDevice(partition.Executor)).Select(o => Planned(o.Tensor)).ToArray()));
                if (partition.Executor == 0)
                {
                    foreach (int n in partition.Nodes) steps.Add(new ReferenceStep(_nodes[n]));
                    continue;
                }
                var selection = delegates[partition.Executor - 1];
                var description = new DelegatePartition(index, Options.Threads,
                    partition.Nodes.Select(n => delegateNodes[n]).ToArray(), inputs, outputs, consts, intermediates);
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
                foreach (var kernel in _compiled) kernel.Dispose();
                _compiled.Clear();
                continue;
            }
            _execution = new ExecutionSteps(steps.ToArray(),
                executionOrder.Select(n => (ExecutionStep)new ReferenceStep(_nodes[n])).ToArray(), Options, _diagnostics);
            _plan = new ExecutionPlan(planned, refused.ToArray(),
                _nodes.Where(n => n.Folded).Select(n => n.Index).ToArray(), _nodes.Select(n => n.Code.Name).ToArray());
            return;
        }
    }

    private void ClaimFor(int d, InterpreterNode[] live, GraphNode[] graph, int[] constants, Dictionary<int, DelegateNode> delegateNodes,
        int[] assignment, HashSet<(int, int)> excluded, List<RefusedNode> refused)
    {
        var selection = Options.Delegates[d];
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
        if (Options.PartitionPolicy == PartitionPolicy.CostAware)
        {
            foreach (var p in keep.ToList())
            {
                double onDelegate = p.Nodes.Sum(n => @delegate.EstimateSeconds(delegateNodes[n]));
                if (@delegate.Capabilities.Memory == DelegateMemory.Device)
                    onDelegate += @delegate.EstimateTransferSeconds(BoundaryBytes(p, graph));
                double onReference = p.Nodes.Sum(n => OperationCount(delegateNodes[n]) * ReferenceSecondsPerOperation);
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
        executor > 0 && Options.Delegates[executor - 1].Delegate.Capabilities.Memory == DelegateMemory.Device;

    private string ExecutorName(int executor) =>
        executor == 0 ? ExecutionPlan.ReferenceExecutor : Options.Delegates[executor - 1].Delegate.Name;

    private PlannedBoundaryTensor Planned(Tensor t) => new(t.Index, t.Name, t.ByteSize);

    private DelegateNode ToDelegateNode(InterpreterNode node) => new(
        node.Index, node.Code, node.Operator.Options, node.Context.CustomOptions, node.Context.Params!,
        node.Operator.Inputs.Select(i => i < 0 ? null : _tensors[i]).ToArray(),
        node.Operator.Outputs.Select(o => _tensors[o]).ToArray());

    /// <summary>
    /// Multiply-accumulates (convolutions, matrix products) or elements (everything else) of a node, from its
    /// final shapes: the unit both the cost-aware policy and `accel inspect` use.
    /// </summary>
    public static long OperationCount(DelegateNode node)
    {
        var output = node.Outputs.Count > 0 ? node.Outputs[0] : null;
        var filter = node.Inputs.Count > 1 ? node.Inputs[1] : null;
        long outputs = output?.ElementCount ?? 0;
        switch (node.Builtin)
        {
            case BuiltinOperator.Conv2D when filter is { Rank: 4 }:
                return outputs * filter.Dim(1) * filter.Dim(2) * filter.Dim(3);
            case BuiltinOperator.DepthwiseConv2D when filter is { Rank: 4 }:
                return outputs * filter.Dim(1) * filter.Dim(2);
            case BuiltinOperator.FullyConnected when filter is { Rank: 2 }:
                return outputs * filter.Dim(1);
            case BuiltinOperator.Custom when node.Code.CustomCode == "Convolution2DTransposeBias" && filter is { Rank: 4 } && node.Inputs[0] is { } input:
                return input.ElementCount / Math.Max(1, filter.Dim(3)) * filter.Dim(0) * filter.Dim(1) * filter.Dim(2) * filter.Dim(3);
            case BuiltinOperator.AveragePool2D or BuiltinOperator.MaxPool2D when node.Options is Pool2DOptions pool:
                return outputs * pool.FilterHeight * pool.FilterWidth;
            case BuiltinOperator.Mean or BuiltinOperator.Sum when node.Inputs[0] is { } reduced:
                return reduced.ElementCount;
            default:
                return outputs;
        }
    }
}
