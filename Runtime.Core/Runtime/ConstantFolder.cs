using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// Shape propagation and constant folding at AllocateTensors: every node is prepared in execution order, and a node
/// whose inputs are all constant (and that writes no graph output) runs once, now, into memory of its own. Owns
/// those folded allocations.
/// </summary>
internal sealed unsafe class ConstantFolder(ModelSubgraph subgraph, Tensor[] tensors, InterpreterOptions options)
{
    private readonly List<nint> _allocations = new();

    /// <summary>Bytes of constants computed by the last <see cref="PrepareAndFold"/>.</summary>
    public long FoldedBytes { get; private set; }

    /// <summary>Prepares every node in order; folds the foldable ones. Model constants must already be bound.</summary>
    public void PrepareAndFold(IReadOnlyList<InterpreterNode> nodes)
    {
        FoldedBytes = 0;
        foreach (var node in nodes)
        {
            node.Folded = false;
            node.Prepare(tensors);
            if (IsFoldable(node)) Fold(node);
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
            var memory = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, ArenaPlanner.Alignment);
            _allocations.Add((nint)memory);
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

    private bool IsFoldable(InterpreterNode node)
    {
        if (node.Operator.Inputs.Length == 0) return false;
        bool anyInput = false;
        foreach (int i in node.Operator.Inputs)
        {
            if (i < 0) continue;
            anyInput = true;
            if (!tensors[i].IsConstant || tensors[i].IsVariable) return false;
        }
        foreach (int o in node.Operator.Outputs)
            if (Array.IndexOf(subgraph.Outputs, o) >= 0) return false;
        return anyInput;
    }

    /// <summary>Frees every folded allocation (the tensors pointing at them must be re-bound before use).</summary>
    public void Release()
    {
        foreach (var p in _allocations) NativeMemory.AlignedFree((void*)p);
        _allocations.Clear();
    }
}
