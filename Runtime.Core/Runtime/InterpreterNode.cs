using Accel.Kernels;

namespace Accel;

/// <summary>
/// One operator of the main subgraph as the interpreter runs it: its kernel, its definition, the context the kernel
/// sees, and whether AllocateTensors folded it to a constant. Shared by the interpreter's planning parts.
/// </summary>
internal sealed class InterpreterNode
{
    public required int Index { get; init; }
    public required OperatorCode Code { get; init; }
    public required IKernel Kernel { get; init; }

    /// <summary>The operator's rules; null for an operator Accel does not define (a caller's custom kernel).</summary>
    public required OpDefinition? Definition { get; init; }
    public required KernelContext Context { get; init; }
    public required ModelOperator Operator { get; init; }

    /// <summary>Evaluated once at the last AllocateTensors (constant inputs only); it does not run on Invoke.</summary>
    public bool Folded { get; set; }

    /// <summary>
    /// Shape propagation: the definition validates the node, sets output shapes and computes the params once; the
    /// kernel (reference, or a caller's) only adds what is its own. Then every output's byte size is fixed.
    /// </summary>
    public void Prepare(Tensor[] tensors)
    {
        Guarded(prepare: true);
        foreach (int o in Operator.Outputs) UpdateByteSize(tensors[o]);
    }

    /// <summary>Runs the kernel once at allocate time (constant folding).</summary>
    public void EvaluateConstant() => Guarded(prepare: false);

    private void Guarded(bool prepare)
    {
        try
        {
            if (prepare)
            {
                Context.Params = Definition?.Prepare(Context);
                Kernel.Prepare(Context);
                Context.Params ??= new UndefinedOpParams { Cost = DefaultCost() };
            }
            else Kernel.Invoke(Context);
        }
        catch (Exception e) when (e is not AccelException)
        {
            throw new KernelException(Index, Code.Name, $"{(prepare ? "prepare" : "constant evaluation")} failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>An operator with no definition: one element op per output element.</summary>
    private OpCost DefaultCost()
    {
        long elements = 0;
        for (int k = 0; k < Context.OutputCount; k++) elements += Context.Output(k).ElementCount;
        return new OpCost(0, elements, 0);
    }

    private void UpdateByteSize(Tensor t)
    {
        int elementSize = t.Type.ElementSize();
        if (elementSize == 0)
            throw Context.Error($"output '{t.Name}' has dtype {t.Type.ToDisplayName()}, which has no fixed element size");
        long elements = t.ElementCount;
        if (elements > int.MaxValue)
            throw Context.Error($"output '{t.Name}' would have {elements} elements, over the 2^31-1 limit");
        t.ByteSize = elements * elementSize;
    }
}
