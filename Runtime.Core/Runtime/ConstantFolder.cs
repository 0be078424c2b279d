using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Shape propagation and constant folding at AllocateTensors: every node is prepared in execution order, and a node
/// whose inputs are all constant (and that writes no graph output) runs once, now, into memory of its own; so does a
/// node that reads only its inputs' shapes (SHAPE) when those are fixed, so SHAPE → FILL chains over static shapes
/// fold. A node that reads a dynamic tensor (shape known only at Invoke) is not prepared now: its outputs become
/// dynamic and its Prepare runs at Invoke. Owns the folded allocations.
/// </summary>
internal sealed unsafe class ConstantFolder(ModelSubgraph subgraph, Tensor[] tensors, InterpreterOptions options)
{
    private readonly List<NativeBuffer> _allocations = new();
    private NativeBuffer? _chunk; // the huge-page chunk folded constants are placed in, one after another
    private long _chunkUsed;

    /// <summary>
    /// Folded constants share chunks of this many bytes (or one of their own when larger) where huge-page mappings are
    /// on: a model's folded weights (pose_landmark_heavy: 55 MB of float32 from float16) are many tensors below 2 MiB
    /// each. At most one chunk's unused tail is reserved beyond <see cref="FoldedBytes"/> (address space; its untouched
    /// pages are never committed).
    /// </summary>
    internal const long ChunkBytes = 4L << 20;

    /// <summary>Bytes of constants computed by the last <see cref="PrepareAndFold"/>.</summary>
    public long FoldedBytes { get; private set; }

    /// <summary>Prepares every node in order; folds the foldable ones. Model constants must already be bound.</summary>
    public void PrepareAndFold(IReadOnlyList<InterpreterNode> nodes)
    {
        FoldedBytes = 0;
        foreach (var node in nodes)
        {
            node.Folded = false;
            node.PreparedAtInvoke = false;
            if (ReadsDynamic(node))
            {
                // Its input shapes exist only at Invoke: Prepare runs then (TFLite re-prepares such nodes).
                node.DeferPrepare(tensors);
                continue;
            }
            CheckTensorBytes(node, node.Operator.Inputs); // graph inputs resized beyond the limit: named as inputs
            node.Prepare(tensors);
            CheckLimits(node);
            if (IsFoldable(node)) Fold(node);
        }
    }

    /// <summary>The declared limits a prepared node must meet before anything is allocated or run for it.</summary>
    private void CheckLimits(InterpreterNode node)
    {
        CheckTensorBytes(node, node.Operator.Outputs);
        long operations = node.Context.Params?.Cost.Operations ?? 0;
        if (operations > options.MaxOperationsPerNode)
            throw new ResourceLimitException("InterpreterOptions.MaxOperationsPerNode", options.MaxOperationsPerNode, operations, node.Index,
                $"node {node.Index} ({node.Code.Name}): operations implied by its declared shapes");
    }

    private void CheckTensorBytes(InterpreterNode node, int[] tensorIndices)
    {
        foreach (int index in tensorIndices)
        {
            if (index < 0) continue;
            var t = tensors[index];
            long bytes = t.ElementCount * Math.Max(t.Type.ElementSize(), 1);
            if (bytes > options.MaxTensorBytes)
                throw new ResourceLimitException("InterpreterOptions.MaxTensorBytes", options.MaxTensorBytes, bytes, node.Index,
                    $"node {node.Index} ({node.Code.Name}): bytes of tensor '{t.Name}' [{string.Join(",", t.Shape.ToArray())}]");
        }
    }

    private void Fold(InterpreterNode node)
    {
        foreach (int o in node.Operator.Outputs)
        {
            var t = tensors[o];
            long bytes = Math.Max(t.ByteSize, 1);
            if (FoldedBytes + bytes > options.MaxMemoryBytes)
                throw node.Context.Error($"folded constants need over {options.MaxMemoryBytes} bytes (InterpreterOptions.MaxMemoryBytes)");
            if (FoldedBytes + bytes > options.MaxConstantExpansionBytes)
                throw new ResourceLimitException("InterpreterOptions.MaxConstantExpansionBytes", options.MaxConstantExpansionBytes,
                    FoldedBytes + bytes, node.Index, $"node {node.Index} ({node.Code.Name}): bytes of constants folded at AllocateTensors, with output '{t.Name}'");
            byte* memory = Place(bytes);
            t.Data = memory;
            t.DataLength = t.ByteSize;
            t.Storage = TensorStorage.FoldedConstant;
            FoldedBytes += t.ByteSize;
        }
        // Writable during the one run: Storage flips to constant afterwards.
        foreach (int o in node.Operator.Outputs) tensors[o].Storage = TensorStorage.Arena;
        node.EvaluateConstant();
        foreach (int o in node.Operator.Outputs) tensors[o].Storage = TensorStorage.FoldedConstant;
        node.Folded = true;
    }

    /// <summary>Memory for one folded tensor: the next aligned bytes of the current chunk, or its own buffer.</summary>
    private byte* Place(long bytes)
    {
        if (!LargePageMemory.Enabled || bytes >= ChunkBytes)
        {
            var own = new NativeBuffer(bytes);
            _allocations.Add(own);
            return own.Pointer;
        }
        long start = (_chunkUsed + ArenaPlanner.Alignment - 1) / ArenaPlanner.Alignment * ArenaPlanner.Alignment;
        if (_chunk is null || start + bytes > ChunkBytes)
        {
            _chunk = new NativeBuffer(ChunkBytes);
            _allocations.Add(_chunk);
            start = 0;
        }
        _chunkUsed = start + bytes;
        return _chunk.Pointer + start;
    }

    private bool ReadsDynamic(InterpreterNode node)
    {
        foreach (int i in node.Operator.Inputs)
            if (i >= 0 && tensors[i].IsDynamic) return true;
        return false;
    }

    /// <summary>
    /// Constant inputs only, or (SHAPE and the like, <see cref="Operators.OpDefinition.ReadsInputShapesOnly"/>) inputs
    /// whose shapes are fixed now; never a graph output or an output sized at Invoke.
    /// </summary>
    private bool IsFoldable(InterpreterNode node)
    {
        if (node.Operator.Inputs.Length == 0) return false;
        bool shapesOnly = node.Definition?.ReadsInputShapesOnly == true;
        bool anyInput = false;
        foreach (int i in node.Operator.Inputs)
        {
            if (i < 0) continue;
            anyInput = true;
            if (shapesOnly ? tensors[i].IsDynamic : !tensors[i].IsConstant || tensors[i].IsVariable) return false;
        }
        foreach (int o in node.Operator.Outputs)
            if (Array.IndexOf(subgraph.Outputs, o) >= 0 || tensors[o].IsDynamic) return false;
        return anyInput;
    }

    /// <summary>Frees every folded allocation (the tensors pointing at them must be re-bound before use).</summary>
    public void Release()
    {
        foreach (var buffer in _allocations) buffer.Dispose();
        _allocations.Clear();
        (_chunk, _chunkUsed) = (null, 0);
    }
}
