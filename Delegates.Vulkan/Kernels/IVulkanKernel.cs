using Accel.Operators;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// One or more operators on the Vulkan backend: a sealed class in Kernels/ with a parameterless constructor (the
/// delegate's <see cref="KernelRegistry{TKernel}"/> finds it by reflection) plus its compute shader(s) in Shaders/.
/// See ADDING_AN_OP.md at the repository root. Every node a kernel sees was validated by its operator's <see cref="OpDefinition"/> at
/// AllocateTensors (arity, dtypes, shapes, options, geometry) and carries the resulting params: a kernel reads them
/// and never re-checks them.
/// </summary>
internal interface IVulkanKernel : IOpKernel
{
    /// <summary>
    /// Whether this device can run the node, bit-exact with the reference kernel; otherwise a refusal naming the op
    /// and what this backend cannot do (a rank its push constants cannot express, a missing device feature, a size
    /// limit). The delegate has already checked that the node's data dtype is one of <see cref="IOpKernel.Types"/>
    /// and that every tensor fits in one storage buffer (so every element count fits an int).
    /// </summary>
    NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device);

    /// <summary>
    /// True for kernels that only move 32-bit words (no float arithmetic or comparison), which stay exact even on a
    /// device that flushes subnormals.
    /// </summary>
    bool MovesBitsOnly => false;

    /// <summary>Records the node's work (only called for nodes <see cref="Supports"/> accepted).</summary>
    void Build(DelegateNode node, VulkanPartitionBuilder builder);
}

/// <summary>An <see cref="IVulkanKernel"/> that runs from its operator's params <typeparamref name="TParams"/>.</summary>
internal abstract class VulkanKernel<TParams> : IVulkanKernel where TParams : OpParams
{
    public abstract IReadOnlyList<OpId> Ops { get; }

    public virtual bool MovesBitsOnly => false;

    /// <inheritdoc cref="IOpKernel.Types"/>
    public virtual IReadOnlyList<TensorType> Types => [TensorType.Float32];

    public NodeSupport Supports(DelegateNode node, VulkanDeviceInfo device) => Supports(node, node.ParamsAs<TParams>(), device);

    public void Build(DelegateNode node, VulkanPartitionBuilder builder) => Build(node, node.ParamsAs<TParams>(), builder);

    /// <inheritdoc cref="IVulkanKernel.Supports"/>
    protected virtual NodeSupport Supports(DelegateNode node, TParams p, VulkanDeviceInfo device) => NodeSupport.Supported;

    /// <inheritdoc cref="IVulkanKernel.Build"/>
    protected abstract void Build(DelegateNode node, TParams p, VulkanPartitionBuilder builder);
}
