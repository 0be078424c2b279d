namespace Accel.Operators;

/// <summary>
/// What an <see cref="OpDefinition"/> computed for one node at AllocateTensors: the validated options and geometry
/// (strides, paddings, clamp bounds, broadcast strides …) and the node's <see cref="Cost"/>. The reference kernel,
/// every delegate, the partitioner, `accel inspect` and the conformance builders read these; none re-derives them.
/// </summary>
public abstract record OpParams
{
    public OpCost Cost { get; init; }

    /// <summary>
    /// Why no delegate may run this node (its variant exists only on the reference executor, e.g. a hybrid node whose
    /// float32 input would pass a float kernel's dtype check); null: the delegates decide. The planner refuses such
    /// nodes with this reason before asking any delegate.
    /// </summary>
    public string? ReferenceOnlyReason { get; init; }

    /// <summary>
    /// A dynamic-range (hybrid) node: float32 input, int8 weights (its <see cref="ReferenceOnlyReason"/> is set). The
    /// planner offers it to delegates that declare <see cref="Delegates.DelegateCapabilities.HybridKernels"/> only.
    /// </summary>
    public bool IsHybrid { get; init; }
}

/// <summary>The params of an operator with no core definition (a caller's custom kernel): its cost only.</summary>
public sealed record UndefinedOpParams : OpParams;
