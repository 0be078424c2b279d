using Accel.Operators;

namespace Accel.Delegates;

/// <summary>Where a delegate keeps the tensors it computes.</summary>
public enum DelegateMemory
{
    /// <summary>In the interpreter's host arena (a CPU delegate): no transfers at partition boundaries.</summary>
    Host,
    /// <summary>In device buffers (GPU, DSP): boundary tensors are uploaded/downloaded, intermediates stay on the device.</summary>
    Device,
}

/// <summary>What a delegate can do, declared up front.</summary>
/// <param name="HybridKernels">
/// Whether the delegate has dynamic-range (hybrid) kernels: only then does the planner offer it hybrid nodes (float32
/// input, int8 weights, <see cref="OpParams.IsHybrid"/>), which it otherwise refuses before asking, so a float kernel
/// never reads int8 weights as floats. Its Supports must still refuse the hybrid forms it lacks.
/// </param>
/// <param name="RunTimeParameters">
/// Whether the delegate resolves a node's params at Invoke (TFLite's kTfLiteDelegateFlagsAllowDynamicTensors): only
/// then does the planner offer it a node whose output shapes depend on the value of a run-time parameter input
/// (<see cref="DelegateNode.ParamsAtInvoke"/>: TRANSPOSE_CONV with a computed output_shape, …). Its compiled kernel
/// calls <see cref="DelegateNode.ResolveParams"/> for that node at every Invoke, before computing it: that validates
/// the values (the reference's typed errors), sizes the node's dynamic outputs and returns the params. Nodes that read
/// a dynamic tensor are never offered. Off by default: such nodes are refused as touching a dynamic tensor.
/// </param>
public sealed record DelegateCapabilities(IReadOnlySet<TensorType> DataTypes, bool DynamicShapes, DelegateMemory Memory, bool HybridKernels = false,
    bool RunTimeParameters = false)
{
    /// <summary>
    /// A set of <paramref name="types"/> for <see cref="DataTypes"/>. Built here rather than in each delegate's assembly:
    /// a set over this assembly's enum that another assembly builds is JIT-compiled at start-up even in a ReadyToRun
    /// build (perf/RESULTS.md, cold start).
    /// </summary>
    public static IReadOnlySet<TensorType> TypeSet(params ReadOnlySpan<TensorType> types)
    {
        var set = new HashSet<TensorType>(types.Length);
        foreach (var type in types) set.Add(type);
        return set;
    }
}

/// <summary>A delegate's answer for one node: claimed, or refused with a reason naming op, version, dtype, shape or option.</summary>
public readonly record struct NodeSupport(bool IsSupported, string Reason)
{
    public static NodeSupport Supported { get; } = new(true, "");
    public static NodeSupport Refuse(string reason) => new(false, reason);
}

/// <summary>
/// A backend that claims nodes, compiles claimed partitions into kernels and runs them. Delegates know the core,
/// never each other; the partitioner knows no delegate. Implementations are created per interpreter and disposed
/// with it (they own device resources); <see cref="Ownership"/> refuses one instance in two live interpreters.
/// </summary>
public interface IAccelDelegate : IDisposable
{
    /// <summary>Short name used on the command line (<c>cpu</c>, <c>vulkan</c>, <c>ilgpu</c>).</summary>
    string Name { get; }

    DelegateCapabilities Capabilities { get; }

    /// <summary>Null when the delegate can run here; otherwise why not ("no Vulkan loader", "no CUDA device").</summary>
    string? UnavailableReason { get; }

    /// <summary>
    /// The device the delegate runs on, for reports and benchmark records (a Vulkan device's name, type and API
    /// version; an ILGPU accelerator); null when there is nothing more to say than the host CPU, or when unavailable.
    /// </summary>
    string? DeviceDescription => null;

    /// <summary>
    /// The delegate's kernels by operator and dtype (its <see cref="KernelRegistry{TKernel}"/>): what `accel ops` and
    /// docs/ops.md show. Null for a delegate that declares none (it is then listed with no coverage).
    /// </summary>
    IKernelCatalog? Kernels => null;

    /// <summary>
    /// The record of the interpreter that owns this instance (one per instance; a wrapper that owns and disposes an
    /// inner delegate forwards the inner's). Null opts out of the check: a delegate made to be shared (one that keeps no
    /// per-interpreter state and whose Dispose does nothing).
    /// </summary>
    DelegateOwnership? Ownership => null;

    /// <summary>Whether this delegate can run <paramref name="node"/> (shapes are final; constants readable).</summary>
    NodeSupport Supports(DelegateNode node);

    /// <summary>
    /// Tensors the compiled <paramref name="partition"/> will read at a later node than the graph says: a fusion that
    /// computes a node straight from an earlier node's input (a zero PAD folded into the convolution after it reads
    /// the PAD's input while it runs the convolution). The arena keeps each such tensor alive until its node has run,
    /// so nothing the partition writes before then is placed over it. Asked once per partition, before the arena is
    /// planned, with the partition <see cref="Compile"/> then receives; none by default. Throwing here gives the
    /// partition's nodes back, as a failed compile does.
    /// </summary>
    IReadOnlyList<LaterRead> LaterReads(DelegatePartition partition) => [];

    /// <summary>
    /// Compiles a claimed partition: prepare weights (pack, upload), pipelines, buffers. Throwing here gives the
    /// partition's nodes back to the next delegate or the reference executor, with a diagnostic.
    /// </summary>
    IPartitionKernel Compile(DelegatePartition partition);

    /// <summary>Estimated seconds to run <paramref name="node"/> on this delegate (cost-aware partitioning).</summary>
    double EstimateSeconds(DelegateNode node);

    /// <summary>Estimated seconds to move <paramref name="bytes"/> between host and this delegate's memory.</summary>
    double EstimateTransferSeconds(long bytes);
}

/// <summary>
/// A read of <paramref name="Tensor"/> (not a constant) that a compiled partition makes while it runs
/// <paramref name="Node"/>, one of the partition's nodes, later than the graph's last reader of it
/// (<see cref="IAccelDelegate.LaterReads"/>).
/// </summary>
public readonly record struct LaterRead(Tensor Tensor, DelegateNode Node);

/// <summary>A compiled partition. Invoke reads the partition's host-side inputs and writes its host-side outputs.</summary>
public interface IPartitionKernel : IDisposable
{
    /// <summary>
    /// Runs the partition. Must not allocate on the managed heap. Exceptions become <see cref="DelegateInvokeException"/>,
    /// except <see cref="OperationCanceledException"/>: a long partition checks its
    /// <see cref="DelegatePartition.Cancellation"/> between units of work (nodes, launches, submissions), and on a
    /// request waits for the work it started, then throws it, leaving itself ready for the next Invoke.
    /// </summary>
    void Invoke();
}

/// <summary>
/// A compiled partition that can time the units of work it runs inside one invoke, for profiling tools
/// (<see cref="Interpreter.InvokeProfiled(bool)"/> with nodes inside partitions): the real plan, its fusions and threads
/// as they are, one row per unit. Optional; a partition without it is timed as one step.
/// </summary>
public interface INodeTimingPartitionKernel : IPartitionKernel
{
    /// <summary>
    /// Runs the partition as <see cref="IPartitionKernel.Invoke"/> does and returns, in order, each unit of work it ran:
    /// the graph indices of the nodes it covered (a fused unit covers several) and its wall time. May allocate.
    /// </summary>
    IReadOnlyList<NodeTiming> InvokeTimed();
}

/// <summary>One unit of a partition's work in <see cref="INodeTimingPartitionKernel.InvokeTimed"/>: its nodes (graph indices) and wall time.</summary>
public readonly record struct NodeTiming(int[] Nodes, TimeSpan Elapsed);

/// <summary>A delegate failed while running a partition.</summary>
public sealed class DelegateInvokeException : AccelException
{
    public DelegateInvokeException(string delegateName, int partitionIndex, int firstNode, string message, Exception? inner = null)
        : base($"delegate '{delegateName}' failed in partition {partitionIndex} (from node {firstNode}): {message}", inner ?? new AccelException(message))
    {
        DelegateName = delegateName;
        PartitionIndex = partitionIndex;
        FirstNode = firstNode;
    }

    public string DelegateName { get; }
    public int PartitionIndex { get; }
    public int FirstNode { get; }
}

/// <summary>An unknown or unavailable delegate was requested.</summary>
public sealed class DelegateUnavailableException : AccelException
{
    public DelegateUnavailableException(string message) : base(message) { }
}
