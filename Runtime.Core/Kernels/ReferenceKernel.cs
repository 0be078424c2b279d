using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Kernels;

/// <summary>
/// A reference kernel: the scalar, readable implementation that is the single source of truth for numerics
/// (docs/numerics.md). It holds no state: everything computed at AllocateTensors lives in the node's params.
/// </summary>
internal interface IReferenceKernel : IOpKernel, IKernel;

/// <summary>A reference kernel that runs from its definition's <typeparamref name="TParams"/>.</summary>
internal abstract class ReferenceKernel<TParams> : IReferenceKernel where TParams : OpParams
{
    public abstract IReadOnlyList<OpId> Ops { get; }

    public virtual IReadOnlyList<TensorType> Types => [TensorType.Float32];

    /// <summary>The definition has validated the node and set the output shapes; nothing is left to prepare.</summary>
    public void Prepare(KernelContext context)
    {
        if (context.Params is not RunTimeParameterParams) context.ParamsAs<TParams>();
    }

    /// <summary>A node whose parameter inputs are computed at run time first resolves its params from their values.</summary>
    public void Invoke(KernelContext context) =>
        Invoke(context, (TParams)(context.Params is RunTimeParameterParams deferred ? deferred.Resolve(context) : context.Params!));

    /// <summary>Computes the outputs; must not allocate on the managed heap.</summary>
    protected abstract void Invoke(KernelContext context, TParams parameters);
}
