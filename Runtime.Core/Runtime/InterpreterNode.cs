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
    /// Reads a dynamic tensor, so its input shapes are known only at Invoke: AllocateTensors marks its outputs
    /// dynamic and skips its Prepare, which runs at Invoke (again only when an input shape changed, as TFLite re-runs
    /// Prepare for nodes downstream of a dynamic tensor).
    /// </summary>
    public bool PreparedAtInvoke { get; set; }

    /// <summary>Input shapes of the last prepare at Invoke; null until then (and after AllocateTensors).</summary>
    private int[]?[]? _preparedInputShapes;

    /// <summary>
    /// True when the node's params are resolved at Invoke from a run-time parameter input (its outputs dynamic, no
    /// input dynamic, prepared at AllocateTensors): delegates declaring RunTimeParameters may run it.
    /// </summary>
    public bool ParamsResolvedAtInvoke(Tensor[] tensors)
    {
        if (PreparedAtInvoke || Context.Params is not Operators.Definitions.RunTimeParameterParams) return false;
        foreach (int i in Operator.Inputs)
            if (i >= 0 && tensors[i].IsDynamic) return false;
        return true;
    }

    /// <summary>
    /// True when the node reads or writes a dynamic tensor: it runs on the reference executor (unless
    /// <see cref="ParamsResolvedAtInvoke"/>, for delegates that opt in).
    /// </summary>
    public bool TouchesDynamic(Tensor[] tensors)
    {
        foreach (int i in Operator.Inputs)
            if (i >= 0 && tensors[i].IsDynamic) return true;
        foreach (int o in Operator.Outputs)
            if (tensors[o].IsDynamic) return true;
        return false;
    }

    /// <summary>AllocateTensors for a node that reads a dynamic tensor: outputs dynamic, Prepare deferred to Invoke.</summary>
    public void DeferPrepare(Tensor[] tensors)
    {
        PreparedAtInvoke = true;
        _preparedInputShapes = null;
        Context.Params = null;
        for (int k = 0; k < Operator.Outputs.Length; k++) Context.SetOutputDynamic(k);
    }

    /// <summary>
    /// Invoke: prepares the node when an input shape differs from its last prepare (the definition validates and
    /// sets output shapes, which sizes the dynamic outputs); otherwise nothing, so steady Invokes allocate nothing.
    /// </summary>
    public void PrepareIfInputShapesChanged(Tensor[] tensors)
    {
        var inputs = Operator.Inputs;
        if (_preparedInputShapes is { } cached)
        {
            bool same = true;
            for (int k = 0; k < inputs.Length && same; k++)
                if (inputs[k] >= 0 && !tensors[inputs[k]].Shape.SequenceEqual(cached[k])) same = false;
            if (same) return;
        }
        Guarded(prepare: true);
        foreach (int o in Operator.Outputs)
        {
            // Outputs whose shape Prepare fixed get their bytes now; value-dependent ones at the kernel's ResizeOutput.
            UpdateByteSize(tensors[o]);
            if (tensors[o].IsDynamic) Context.DynamicMemory!.Fit(tensors[o], Context);
        }
        var shapes = new int[]?[inputs.Length];
        for (int k = 0; k < inputs.Length; k++) shapes[k] = inputs[k] < 0 ? null : tensors[inputs[k]].Shape.ToArray();
        _preparedInputShapes = shapes;
    }

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
