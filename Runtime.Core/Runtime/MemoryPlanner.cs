using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Where tensors live: model constants point into the model's memory; activations, inputs and variables share one
/// arena planned from their lifetimes in execution order (<see cref="ArenaPlanner"/>). Owns the arena.
/// </summary>
internal sealed unsafe class MemoryPlanner
{
    private readonly Model _model;
    private readonly ModelSubgraph _subgraph;
    private readonly Tensor[] _tensors;
    private readonly IReadOnlyList<InterpreterNode> _nodes;
    private readonly InterpreterOptions _options;

    /// <summary>Per tensor, the node that writes it (folded or not); -1 for none.</summary>
    private readonly int[] _producedBy;
    private NativeBuffer? _arenaBuffer;

    public MemoryPlanner(Model model, ModelSubgraph subgraph, Tensor[] tensors, IReadOnlyList<InterpreterNode> nodes, InterpreterOptions options)
    {
        _model = model;
        _subgraph = subgraph;
        _tensors = tensors;
        _nodes = nodes;
        _options = options;
        _producedBy = new int[tensors.Length];
        Array.Fill(_producedBy, -1);
        foreach (var node in nodes)
            foreach (int o in node.Operator.Outputs) _producedBy[o] = node.Index;
    }

    /// <summary>Bytes of the planned arena; 0 when none is allocated.</summary>
    public long ArenaBytes { get; private set; }

    /// <summary>Points every tensor with a model buffer at it; every other tensor becomes unallocated.</summary>
    public void BindModelConstants()
    {
        for (int i = 0; i < _tensors.Length; i++)
        {
            var t = _tensors[i];
            var buffer = _model.Buffer(_subgraph.Tensors[i].BufferIndex);
            t.Storage = TensorStorage.Unallocated;
            t.Data = null;
            t.DataLength = 0;
            if (buffer.Length > 0)
            {
                t.Storage = TensorStorage.ModelConstant;
                t.Data = _model.PointerTo(buffer);
                t.DataLength = buffer.Length;
                t.ByteSize = buffer.Length;
            }
        }
    }

    /// <summary>
    /// Plans and allocates the activation arena for nodes running in <paramref name="executionOrder"/> (node indices),
    /// replacing any earlier arena. Lifetimes are positions in that order, not node indices: a partition may group
    /// nodes that are not adjacent in the model (it runs where its first node would), so node-index lifetimes could
    /// let a partition's input share memory with a tensor a reference node writes before the partition runs.
    /// </summary>
    /// <param name="foldedConstantBytes">Counted with the arena against <see cref="InterpreterOptions.MaxMemoryBytes"/>.</param>
    /// <param name="laterReads">
    /// (tensor, node) pairs: the tensor is read while that node runs, later than the graph's own readers
    /// (<see cref="Delegates.IAccelDelegate.LaterReads"/>); its lifetime extends to the node's position.
    /// </param>
    public void PlanArena(int[] executionOrder, long foldedConstantBytes, IReadOnlyList<(int Tensor, int Node)>? laterReads = null)
    {
        _arenaBuffer?.Dispose();
        _arenaBuffer = null;
        int steps = executionOrder.Length;
        var firstUse = new int[_tensors.Length];
        var lastUse = new int[_tensors.Length];
        Array.Fill(firstUse, int.MaxValue);
        Array.Fill(lastUse, -1);

        // Graph inputs live for the whole run (as in TFLite): a caller sets them once and may invoke repeatedly.
        foreach (int i in _subgraph.Inputs) { firstUse[i] = 0; lastUse[i] = steps; }
        for (int position = 0; position < steps; position++)
        {
            var node = _nodes[executionOrder[position]];
            foreach (int i in node.Operator.Inputs)
                if (i >= 0) lastUse[i] = Math.Max(lastUse[i], position);
            foreach (int o in node.Operator.Outputs)
            {
                firstUse[o] = Math.Min(firstUse[o], position);
                lastUse[o] = Math.Max(lastUse[o], position);
            }
        }
        if (laterReads is { Count: > 0 })
        {
            var positionOf = new Dictionary<int, int>(steps);
            for (int position = 0; position < steps; position++) positionOf[executionOrder[position]] = position;
            foreach (var (tensor, node) in laterReads)
                if (positionOf.TryGetValue(node, out int position) && lastUse[tensor] >= 0)
                    lastUse[tensor] = Math.Max(lastUse[tensor], position);
        }
        foreach (int i in _subgraph.Inputs) lastUse[i] = steps;
        foreach (int o in _subgraph.Outputs) lastUse[o] = steps;

        var requests = new List<ArenaRequest>();
        for (int i = 0; i < _tensors.Length; i++)
        {
            var t = _tensors[i];
            if (t.IsConstant || t.IsDynamic || lastUse[i] < 0) continue; // dynamic: own buffer, sized at Invoke
            bool isInput = Array.IndexOf(_subgraph.Inputs, i) >= 0;
            if (!isInput && _producedBy[i] < 0 && !t.IsVariable) continue;
            if (isInput || t.IsVariable)
            {
                int elementSize = t.Type.ElementSize();
                t.ByteSize = elementSize == 0 ? 0 : t.ElementCount * elementSize;
            }
            int first = t.IsVariable ? 0 : Math.Min(firstUse[i], lastUse[i]);
            int last = t.IsVariable ? steps : lastUse[i];
            requests.Add(new ArenaRequest(i, t.ByteSize, first, last));
        }

        var offsets = new long[requests.Count];
        long planned = ArenaPlanner.Plan(requests, offsets);
        if (planned + foldedConstantBytes > _options.MaxMemoryBytes)
            throw new AccelException($"The activation arena needs {planned} bytes (+{foldedConstantBytes} folded constants), over InterpreterOptions.MaxMemoryBytes = {_options.MaxMemoryBytes}.");
        ArenaBytes = planned;
        _arenaBuffer = new NativeBuffer(Math.Max(ArenaBytes, ArenaPlanner.Alignment), zeroed: true);
        byte* arena = _arenaBuffer.Pointer;
        for (int r = 0; r < requests.Count; r++)
        {
            var t = _tensors[requests[r].TensorIndex];
            t.Data = arena + offsets[r];
            t.DataLength = requests[r].Size;
            t.Storage = TensorStorage.Arena;
        }
    }

    /// <summary>Frees the arena.</summary>
    public void Release()
    {
        _arenaBuffer?.Dispose();
        _arenaBuffer = null;
        ArenaBytes = 0;
    }
}
