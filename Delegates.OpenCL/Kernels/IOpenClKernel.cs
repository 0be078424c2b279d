using Accel.Operators;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// One or more operators on the OpenCL backend: a sealed class in Kernels/ with a parameterless constructor (the
/// delegate's <see cref="KernelRegistry{TKernel}"/> finds it by reflection) plus its OpenCL C kernel(s) in Cl/NAME.cl.
/// Every node a kernel sees was validated by its operator's <see cref="OpDefinition"/> at AllocateTensors and carries
/// the resulting params: a kernel reads them and never re-checks them.
/// </summary>
internal interface IOpenClKernel : IOpKernel
{
    /// <summary>
    /// Whether this device can run the node, bit-exact with the reference kernel; otherwise a refusal naming the op and
    /// what this backend cannot do. The delegate has already checked the node's data dtype and that every tensor fits
    /// one buffer (so every element count fits an int).
    /// </summary>
    NodeSupport Supports(DelegateNode node, OpenClDeviceInfo device);

    /// <summary>True for kernels that only move 32-bit words (no float arithmetic), exact even where subnormals are flushed.</summary>
    bool MovesBitsOnly => false;

    /// <summary>True for kernels whose reference uses fma (refused when the device has no exact one).</summary>
    bool NeedsFma => false;

    /// <summary>Records the node's work (only called for nodes <see cref="Supports"/> accepted).</summary>
    void Build(DelegateNode node, OpenClPartitionBuilder builder);
}

/// <summary>An <see cref="IOpenClKernel"/> that runs from its operator's params <typeparamref name="TParams"/>.</summary>
internal abstract class OpenClKernel<TParams> : IOpenClKernel where TParams : OpParams
{
    public abstract IReadOnlyList<OpId> Ops { get; }

    public virtual bool MovesBitsOnly => false;

    public virtual bool NeedsFma => false;

    /// <inheritdoc cref="IOpKernel.Types"/>
    public virtual IReadOnlyList<TensorType> Types => [TensorType.Float32];

    public NodeSupport Supports(DelegateNode node, OpenClDeviceInfo device) => Supports(node, node.ParamsAs<TParams>(), device);

    public void Build(DelegateNode node, OpenClPartitionBuilder builder) => Build(node, node.ParamsAs<TParams>(), builder);

    /// <inheritdoc cref="IOpenClKernel.Supports"/>
    protected virtual NodeSupport Supports(DelegateNode node, TParams p, OpenClDeviceInfo device) => NodeSupport.Supported;

    /// <inheritdoc cref="IOpenClKernel.Build"/>
    protected abstract void Build(DelegateNode node, TParams p, OpenClPartitionBuilder builder);
}
