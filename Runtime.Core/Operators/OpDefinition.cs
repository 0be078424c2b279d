using Accel.Kernels;

namespace Accel.Operators;

/// <summary>
/// The rules of one operator, written once (TFLite's Prepare, TFLite Micro's <c>*_common.cc</c>): it reads the
/// options, validates arity, dtypes, shapes and option ranges (throwing <see cref="KernelException"/> with the reason
/// a user reads), sets the output shapes, and returns the typed params every kernel runs from, with the node's cost.
/// Geometry is overflow-checked here, so no backend can forget. One sealed subclass per operator under
/// <c>Operators/Definitions/</c>; <see cref="OpDefinitions"/> finds them.
/// </summary>
public abstract class OpDefinition
{
    /// <summary>The operator defined.</summary>
    public abstract OpId Op { get; }

    /// <summary>Lowest operator version of the schema handled.</summary>
    public virtual int MinVersion => 1;

    /// <summary>Highest operator version handled (TFLite's builtin resolver's range for the dtypes in <see cref="Types"/>).</summary>
    public abstract int MaxVersion { get; }

    /// <summary>The dtypes of the operator's data tensors that Accel defines it for (indices and shapes aside).</summary>
    public virtual IReadOnlyList<TensorType> Types { get; } = [TensorType.Float32];

    /// <summary>
    /// Validates the node, sets every output's shape with <see cref="KernelContext.SetOutputShape"/> (or, when it depends
    /// on values of inputs that are not constants, marks it with <see cref="KernelContext.SetOutputDynamic"/> for the
    /// kernel to size at Invoke) and returns its params. Runs at AllocateTensors (again after a resize), or at Invoke
    /// for a node downstream of a dynamic tensor; shapes of inputs are final, constants readable.
    /// </summary>
    public abstract OpParams Prepare(KernelContext context);

    /// <summary>
    /// True when the outputs depend only on the inputs' shapes and dtypes, never their values (SHAPE): AllocateTensors
    /// then folds the node whenever its inputs' shapes are fixed, even if their values are not constants.
    /// </summary>
    public virtual bool ReadsInputShapesOnly => false;

    public override string ToString() => $"{Op.Name} v{MinVersion}..v{MaxVersion}";
}

/// <summary>An <see cref="OpDefinition"/> whose params are <typeparamref name="TParams"/>.</summary>
public abstract class OpDefinition<TParams> : OpDefinition where TParams : OpParams
{
    public sealed override OpParams Prepare(KernelContext context)
    {
        try
        {
            return PrepareParams(context);
        }
        catch (Definitions.RunTimeParameterException) when (!Definitions.RunTimeParameters.IsResolving(context))
        {
            // A shape-determining parameter input is computed at run time: outputs dynamic, resolved at Invoke.
            return Definitions.RunTimeParameters.Defer(context, this);
        }
    }

    /// <inheritdoc cref="OpDefinition.Prepare"/>
    protected abstract TParams PrepareParams(KernelContext context);
}
