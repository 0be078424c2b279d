using System.Collections.ObjectModel;
using System.Text;
using Accel.Delegates;

namespace Accel;

/// <summary>
/// A read-only view of the graph an <see cref="Interpreter"/> runs (its <see cref="Interpreter.Graph"/>), for tools:
/// per node its operator, tensors, whether AllocateTensors folded it, and the params and cost its definition
/// computed. It reads the interpreter's live state: folding, params and costs reflect the last AllocateTensors.
/// </summary>
public sealed class InterpreterGraph
{
    private readonly InterpreterGraphNode[] _nodes;

    internal InterpreterGraph(IReadOnlyList<InterpreterNode> nodes)
    {
        _nodes = nodes.Select(n => new InterpreterGraphNode(n)).ToArray();
        Nodes = new ReadOnlyCollection<InterpreterGraphNode>(_nodes);
    }

    /// <summary>Every node, in model (execution) order; <c>Nodes[i].Index == i</c>.</summary>
    public IReadOnlyList<InterpreterGraphNode> Nodes { get; }

    public int NodeCount => _nodes.Length;

    /// <summary>The node at <paramref name="index"/>.</summary>
    public InterpreterGraphNode this[int index] =>
        (uint)index < (uint)_nodes.Length
            ? _nodes[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"Node index {index} is out of range; the graph has {_nodes.Length} nodes.");

    /// <summary>Nodes that run on every Invoke (all nodes minus those folded at allocate time).</summary>
    public int ExecutedNodeCount => _nodes.Count(n => !n.IsFolded);

    /// <summary>
    /// Graphviz DOT of <paramref name="plan"/> (this interpreter's <see cref="Interpreter.Plan"/>): one cluster per
    /// partition, nodes labelled with their operator, edges along the tensors between planned nodes.
    /// </summary>
    public string ToDot(ExecutionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.NodeLabels.Count != _nodes.Length)
            throw new ArgumentException($"The plan covers {plan.NodeLabels.Count} nodes; this graph has {_nodes.Length}.", nameof(plan));
        var palette = new[] { "#cfe8fc", "#d7f5d0", "#fde2c8", "#ead7f7", "#fbd3d3", "#fff3b0" };
        var executors = plan.Partitions.Select(p => p.Executor).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine("digraph accel_plan {");
        sb.AppendLine("  rankdir=TB; node [shape=box, style=filled, fontname=\"Helvetica\"];");
        foreach (var p in plan.Partitions)
        {
            string color = p.IsDelegated ? palette[executors.IndexOf(p.Executor) % palette.Length] : "#eeeeee";
            sb.AppendLine($"  subgraph cluster_{p.Index} {{");
            sb.AppendLine($"    label=\"partition {p.Index}: {p.Executor} ({p.Nodes.Length} nodes, {p.BoundaryBytes} boundary bytes)\";");
            foreach (int n in p.Nodes)
                sb.AppendLine($"    n{n} [label=\"{n}: {plan.NodeLabels[n]}\", fillcolor=\"{color}\"];");
            sb.AppendLine("  }");
        }
        var producer = new Dictionary<int, int>();
        foreach (var node in _nodes)
            foreach (int o in node.Outputs) producer[o] = node.Index;
        var inPlan = plan.Partitions.SelectMany(p => p.Nodes).ToHashSet();
        foreach (var node in _nodes)
        {
            if (!inPlan.Contains(node.Index)) continue;
            foreach (int i in node.Inputs)
                if (i >= 0 && producer.TryGetValue(i, out int from) && inPlan.Contains(from))
                    sb.AppendLine($"  n{from} -> n{node.Index};");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }
}

/// <summary>One node of an <see cref="InterpreterGraph"/>.</summary>
public sealed class InterpreterGraphNode
{
    private readonly InterpreterNode _node;

    internal InterpreterGraphNode(InterpreterNode node)
    {
        _node = node;
        Inputs = Array.AsReadOnly(node.Operator.Inputs);
        Outputs = Array.AsReadOnly(node.Operator.Outputs);
    }

    public int Index => _node.Index;

    /// <summary>The model's operator code (builtin or custom code, and version).</summary>
    public OperatorCode Code => _node.Code;

    /// <summary>The operator's identity (version aside), as every registry keys it.</summary>
    public OpId Op => OpId.From(_node.Code);

    /// <summary>The builtin options from the model; null for operators without any.</summary>
    public OperatorOptions? Options => _node.Operator.Options;

    /// <summary>Input tensor indices; -1 where the model omits an optional input.</summary>
    public IReadOnlyList<int> Inputs { get; }

    /// <summary>Output tensor indices.</summary>
    public IReadOnlyList<int> Outputs { get; }

    /// <summary>True when the last AllocateTensors evaluated the node once (constant inputs only); it does not run on Invoke.</summary>
    public bool IsFolded => _node.Folded;

    /// <summary>
    /// What the operator's definition computed at AllocateTensors (validated options, geometry, cost);
    /// <see cref="UndefinedOpParams"/> for an operator with no core definition; null before AllocateTensors.
    /// </summary>
    public OpParams? Params => _node.Context.Params;

    /// <summary>The node's work from its definition (<see cref="OpParams.Cost"/>); null before AllocateTensors.</summary>
    public OpCost? Cost => _node.Context.Params?.Cost;

    public override string ToString() => $"node {Index} ({Code})";
}
