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
    private readonly InterpreterNode[] _nodes;
    private readonly InterpreterOptions _options;
    private readonly MemoryPlanner _memory;
    private readonly DiagnosticLog _diagnostics;
    private readonly List<IPartitionKernel> _compiled = new();

    private readonly InvokeCancellation _cancellation;
    private readonly PartitionCancellation _partitionCancellation;

    public DelegatePlanner(ModelSubgraph subgraph, Tensor[] tensors, InterpreterNode[] nodes,
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
        // Plain loops here and below, no LINQ over the planner's value types and int: each such instantiation is
        // JIT-compiled at start-up even in a ReadyToRun build (perf/RESULTS.md, cold start).
        var liveList = new List<InterpreterNode>(_nodes.Length);
        foreach (var n in _nodes)
            if (!n.Folded) liveList.Add(n);
        var live = liveList.ToArray();
        var delegates = _options.Delegates;
        var refused = new List<RefusedNode>();
        var graph = new GraphNode[live.Length];
        for (int i = 0; i < live.Length; i++) graph[i] = new GraphNode(live[i].Index, live[i].Operator.Inputs, live[i].Operator.Outputs);
        var constantList = new List<int>();
        for (int t = 0; t < _tensors.Length; t++)
            if (_tensors[t].IsConstant) constantList.Add(t);
        foreach (int t in _subgraph.Inputs) constantList.Add(t);
        var constants = constantList.ToArray();
        // Nodes that read or write a tensor sized at Invoke stay on the reference executor (no delegate node at all:
        // a node prepared at Invoke has no params yet), except a node whose own run-time parameter input sizes its
        // outputs (its inputs are not dynamic): delegates declaring RunTimeParameters are offered it, and resolve its
        // params at Invoke. A node reading its dynamic output reads a dynamic tensor, so it stays on the reference and
        // is prepared at Invoke, in whatever partition follows, as before.
        var atInvokeNodes = new HashSet<int>();
        foreach (var n in live)
            if (n.ParamsResolvedAtInvoke(_tensors)) atInvokeNodes.Add(n.Index);
        var dynamicNodes = new HashSet<int>();
        foreach (var n in live)
            if (n.TouchesDynamic(_tensors) && !atInvokeNodes.Contains(n.Index)) dynamicNodes.Add(n.Index);
        var delegateNodes = new Dictionary<int, DelegateNode>();
        foreach (var n in live)
            if (!dynamicNodes.Contains(n.Index)) delegateNodes.Add(n.Index, ToDelegateNode(n));

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
            var order = new List<int>(live.Length);
            foreach (var p in partitions)
                foreach (int n in p.Nodes) order.Add(n);
            var executionOrder = order.ToArray();
            var boundaries = new (PartitionInput[] Inputs, PartitionOutput[] Outputs, Tensor[] Constants, Tensor[] Intermediates)[partitions.Count];
            for (int k = 0; k < boundaries.Length; k++) boundaries[k] = Boundary(partitions[k], partitions);
            var descriptions = new DelegatePartition?[partitions.Count];
            // Reads a delegate's fusions make later than the graph says extend those tensors' lifetimes in the arena.
            var laterReads = new List<(int Tensor, int Node)>();
            bool compileFailed = false;
            for (int k = 0; k < partitions.Count; k++)
            {
                var partition = partitions[k];
                if (partition.Executor == 0) continue;
                var (inputs, outputs, consts, intermediates) = boundaries[k];
                var members = new DelegateNode[partition.Nodes.Length];
                for (int i = 0; i < members.Length; i++) members[i] = delegateNodes[partition.Nodes[i]];
                var description = new DelegatePartition(k, _options.Threads, members, inputs, outputs, consts, intermediates, _partitionCancellation);
                descriptions[k] = description;
                var selection = delegates[partition.Executor - 1];
                try
                {
                    var reads = selection.Delegate.LaterReads(description);
                    // An array is read as one: interface calls on an array of this struct would be JIT-compiled at start-up.
                    var readArray = reads as LaterRead[] ?? CopyOf(reads);
                    foreach (var read in readArray)
                    {
                        if (read.Tensor.IsConstant) continue; // not in the arena
                        if (Array.IndexOf(partition.Nodes, read.Node.Index) < 0)
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
                var plannedInputs = new PlannedBoundaryTensor[inputs.Length];
                for (int i = 0; i < inputs.Length; i++) plannedInputs[i] = Planned(inputs[i].Tensor);
                var plannedOutputs = new List<PlannedBoundaryTensor>(outputs.Length);
                foreach (var o in outputs)
                    if (o.NeededOnHost || !IsDevice(partition.Executor)) plannedOutputs.Add(Planned(o.Tensor));
                planned.Add(new PlannedPartition(index, ExecutorName(partition.Executor), partition.Nodes, plannedInputs, plannedOutputs.ToArray()));
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
            var referenceSteps = new ExecutionStep[executionOrder.Length];
            for (int i = 0; i < referenceSteps.Length; i++) referenceSteps[i] = new ReferenceStep(_nodes[executionOrder[i]], _tensors);
            var execution = new ExecutionSteps(steps.ToArray(), referenceSteps, _options, _diagnostics, _cancellation);
            var folded = new List<int>();
            var operatorNames = new string[_nodes.Length];
            for (int n = 0; n < _nodes.Length; n++)
            {
                if (_nodes[n].Folded) folded.Add(_nodes[n].Index);
                operatorNames[n] = _nodes[n].Code.Name;
            }
            var plan = new ExecutionPlan(planned, refused.ToArray(), folded.ToArray(), operatorNames);
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

        var mine = new List<Partition>();
        foreach (var p in Partitioner.Partition(graph, tentative, _tensors.Length, constants))
            if (p.Executor == executor) mine.Add(p);
        var keep = new HashSet<Partition>(mine);
        foreach (var p in mine)
        {
            if (p.Nodes.Length >= selection.MinNodesPerPartition) continue;
            keep.Remove(p);
            Refuse(p, $"partition of {p.Nodes.Length} nodes is below MinNodesPerPartition = {selection.MinNodesPerPartition}");
        }
        if (_options.PartitionPolicy == PartitionPolicy.CostAware)
        {
            foreach (var p in new List<Partition>(keep))
            {
                double onDelegate = 0, onReference = 0;
                foreach (int n in p.Nodes) onDelegate += @delegate.EstimateSeconds(delegateNodes[n]);
                if (@delegate.Capabilities.Memory == DelegateMemory.Device)
                    onDelegate += @delegate.EstimateTransferSeconds(BoundaryBytes(p, graph));
                foreach (int n in p.Nodes) onReference += delegateNodes[n].Cost.Operations * ReferenceSecondsPerOperation;
                if (onDelegate >= onReference)
                {
                    keep.Remove(p);
                    Refuse(p, $"cost-aware policy: delegate estimate {onDelegate * 1e3:F3} ms (with transfers) is not below the reference's {onReference * 1e3:F3} ms");
                }
            }
        }
        // TFLite's max_delegated_partitions: keep the largest partitions (ties: earlier first).
        if (keep.Count > selection.MaxPartitions)
        {
            var ranked = new List<Partition>(keep);
            // Distinct first nodes, so this order is total and matches the stable one it replaced.
            ranked.Sort(static (a, b) => a.Nodes.Length != b.Nodes.Length ? b.Nodes.Length.CompareTo(a.Nodes.Length) : a.Nodes[0].CompareTo(b.Nodes[0]));
            for (int r = selection.MaxPartitions; r < ranked.Count; r++)
            {
                keep.Remove(ranked[r]);
                Refuse(ranked[r], $"beyond MaxPartitions = {selection.MaxPartitions} (only the largest are kept)");
            }
        }
        var position = new Dictionary<int, int>(live.Length);
        for (int i = 0; i < live.Length; i++) position.Add(live[i].Index, i);
        foreach (var p in keep)
            foreach (int n in p.Nodes) assignment[position[n]] = executor;

        void Refuse(Partition p, string reason)
        {
            foreach (int n in p.Nodes) refused.Add(new RefusedNode(n, _nodes[n].Code.Name, @delegate.Name, reason));
        }
    }

    private long BoundaryBytes(Partition p, GraphNode[] graph)
    {
        var inside = new HashSet<int>(p.Nodes);
        var produced = new HashSet<int>();
        foreach (int n in p.Nodes) produced.UnionWith(_nodes[n].Operator.Outputs);
        long bytes = 0;
        foreach (int t in DistinctInputs(p.Nodes))
            if (!produced.Contains(t) && !_tensors[t].IsConstant) bytes += _tensors[t].ByteSize;
        foreach (int t in produced)
        {
            bool readOutside = Array.IndexOf(_subgraph.Outputs, t) >= 0;
            foreach (var g in graph)
                readOutside |= !inside.Contains(g.Index) && Array.IndexOf(g.Inputs, t) >= 0;
            if (readOutside) bytes += _tensors[t].ByteSize;
        }
        return bytes;
    }

    private (PartitionInput[] Inputs, PartitionOutput[] Outputs, Tensor[] Constants, Tensor[] Intermediates) Boundary(
        Partition partition, IReadOnlyList<Partition> all)
    {
        var executorOfNode = new Dictionary<int, int>();
        foreach (var p in all)
            foreach (int n in p.Nodes) executorOfNode[n] = p.Executor;
        var producerOf = new Dictionary<int, int>();
        foreach (var node in _nodes)
            if (!node.Folded)
                foreach (int o in node.Operator.Outputs) producerOf[o] = node.Index;
        var inside = new HashSet<int>(partition.Nodes);
        var produced = new List<int>();
        var seen = new HashSet<int>();
        foreach (int n in partition.Nodes)
            foreach (int o in _nodes[n].Operator.Outputs)
                if (seen.Add(o)) produced.Add(o);

        var inputs = new List<PartitionInput>();
        var consts = new List<Tensor>();
        foreach (int t in DistinctInputs(partition.Nodes))
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
            bool consumed = false, neededOnHost = graphOutput;
            foreach (var n in _nodes)
            {
                if (n.Folded || inside.Contains(n.Index) || Array.IndexOf(n.Operator.Inputs, t) < 0) continue;
                consumed = true;
                neededOnHost |= executorOfNode[n.Index] != partition.Executor;
            }
            if (!graphOutput && !consumed) { intermediates.Add(_tensors[t]); continue; }
            outputs.Add(new PartitionOutput(_tensors[t], neededOnHost));
        }
        return (inputs.ToArray(), outputs.ToArray(), consts.ToArray(), intermediates.ToArray());
    }

    private static LaterRead[] CopyOf(IReadOnlyList<LaterRead> reads)
    {
        var copy = new LaterRead[reads.Count];
        for (int i = 0; i < copy.Length; i++) copy[i] = reads[i];
        return copy;
    }

    /// <summary>The tensors <paramref name="nodes"/> read (optional inputs left out), each once, in first-read order.</summary>
    private List<int> DistinctInputs(int[] nodes)
    {
        var result = new List<int>();
        var seen = new HashSet<int>();
        foreach (int n in nodes)
            foreach (int t in _nodes[n].Operator.Inputs)
                if (t >= 0 && seen.Add(t)) result.Add(t);
        return result;
    }

    private bool IsDevice(int executor) =>
        executor > 0 && _options.Delegates[executor - 1].Delegate.Capabilities.Memory == DelegateMemory.Device;

    private string ExecutorName(int executor) =>
        executor == 0 ? ExecutionPlan.ReferenceExecutor : _options.Delegates[executor - 1].Delegate.Name;

    private PlannedBoundaryTensor Planned(Tensor t) => new(t.Index, t.Name, t.ByteSize);

    private DelegateNode ToDelegateNode(InterpreterNode node)
    {
        var inputs = new Tensor?[node.Operator.Inputs.Length];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = node.Operator.Inputs[i] < 0 ? null : _tensors[node.Operator.Inputs[i]];
        var outputs = new Tensor[node.Operator.Outputs.Length];
        for (int o = 0; o < outputs.Length; o++) outputs[o] = _tensors[node.Operator.Outputs[o]];
        return new(node.Index, node.Code, node.Operator.Options, node.Context.CustomOptions, node.Context.Params!, inputs, outputs, node.Context);
    }

    /// <summary>Disposes every compiled partition kernel.</summary>
    public void Release()
    {
        foreach (var kernel in _compiled) kernel.Dispose();
        _compiled.Clear();
    }
}
