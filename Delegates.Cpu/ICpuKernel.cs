using Accel.Delegates.Cpu.Kernels.Gemm;
using Accel.Operators;

namespace Accel.Delegates.Cpu;

/// <summary>
/// One operator's CPU implementation (one class per file under <c>Kernels/</c>, found by
/// <see cref="KernelRegistry{TKernel}.Discover"/>): what this backend cannot run, and the compile step. Every node it
/// sees has already been validated by its core <see cref="OpDefinition"/> at AllocateTensors, so it reads the node's
/// params and refuses only for reasons of its own (dtype, a size limit, a missing feature, a constant requirement).
/// </summary>
internal interface ICpuKernel : IOpKernel
{
    NodeSupport Supports(DelegateNode node);
    ICpuCompiledNode Compile(DelegateNode node);

    /// <summary>
    /// <see cref="Compile(DelegateNode)"/> with the partition's packed-weight memory (null: the kernels keep pinned arrays);
    /// kernels that pack large weights place them there.
    /// </summary>
    ICpuCompiledNode Compile(DelegateNode node, PackedWeightMemory? weights) => Compile(node);
}

/// <summary>
/// A compiled node of the CPU delegate. Built once per partition compile (weights packed, loop bounds fixed);
/// <see cref="Run"/> reads and writes the interpreter's host tensors and must not allocate.
/// </summary>
internal interface ICpuCompiledNode
{
    void Run(CpuThreadPool pool);
}

/// <summary>A CPU kernel that runs from its definition's <typeparamref name="TParams"/>.</summary>
internal abstract class CpuKernel<TParams> : ICpuKernel where TParams : OpParams
{
    public abstract IReadOnlyList<OpId> Ops { get; }

    public virtual IReadOnlyList<TensorType> Types => [TensorType.Float32];

    public NodeSupport Supports(DelegateNode node) =>
        node.ParamsAtInvoke ? SupportsParamsAtInvoke(node) : Supports(node, node.ParamsAs<TParams>());

    /// <summary>
    /// A node whose params are resolved at Invoke compiles to a <see cref="ParamsAtInvokeCpuNode{TParams}"/>, which
    /// resolves them and compiles the node for them (again only when they change).
    /// </summary>
    public ICpuCompiledNode Compile(DelegateNode node) => Compile(node, weights: null);

    /// <inheritdoc cref="ICpuKernel.Compile(DelegateNode, PackedWeightMemory?)"/>
    public ICpuCompiledNode Compile(DelegateNode node, PackedWeightMemory? weights) =>
        node.ParamsAtInvoke ? new ParamsAtInvokeCpuNode<TParams>(node, this) : Compile(node, node.ParamsAs<TParams>(), weights);

    /// <summary>What this backend cannot run of a node the definition accepted; supported unless overridden.</summary>
    protected virtual NodeSupport Supports(DelegateNode node, TParams parameters) => NodeSupport.Supported;

    /// <summary>
    /// What this backend cannot run of a node whose params are resolved at Invoke (<see cref="DelegateNode.ParamsAtInvoke"/>),
    /// judged from what is known before Invoke (dtypes, constants, input shapes); whatever the params turn out to be,
    /// <see cref="Compile(DelegateNode, TParams)"/> must then run them. Refused unless overridden.
    /// </summary>
    protected virtual NodeSupport SupportsParamsAtInvoke(DelegateNode node) =>
        NodeSupport.Refuse($"its output shape depends on a run-time input value (params resolved at Invoke); the CPU kernel of {node.Op.Name} compiles only from params fixed at AllocateTensors");

    protected abstract ICpuCompiledNode Compile(DelegateNode node, TParams parameters);

    /// <summary>The compile step with the partition's packed-weight memory; kernels that pack large weights override it.</summary>
    protected virtual ICpuCompiledNode Compile(DelegateNode node, TParams parameters, PackedWeightMemory? weights) => Compile(node, parameters);

    /// <summary>Compiles a node whose params were resolved at Invoke (by <see cref="ParamsAtInvokeCpuNode{TParams}"/>).</summary>
    internal ICpuCompiledNode CompileResolved(DelegateNode node, TParams parameters) => Compile(node, parameters);
}
