using Accel.Kernels;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates;

/// <summary>
/// A node as a delegate sees it: operator, options and tensors with their final shapes (except the dynamic outputs of
/// a node whose params are resolved at Invoke, <see cref="ParamsAtInvoke"/>).
/// </summary>
public sealed class DelegateNode
{
    /// <summary>The node's context in the interpreter (null for a node built outside one): resolves params at Invoke.</summary>
    private readonly KernelContext? _context;

    internal DelegateNode(int index, OperatorCode code, OperatorOptions? options, ReadOnlyMemory<byte> customOptions,
        OpParams parameters, Tensor?[] inputs, Tensor[] outputs, KernelContext? context = null)
    {
        _context = context;
        Params = parameters;
        Index = index;
        Code = code;
        Options = options;
        CustomOptions = customOptions;
        Inputs = inputs;
        Outputs = outputs;
    }

    public int Index { get; }
    public OperatorCode Code { get; }
    public BuiltinOperator Builtin => Code.Builtin;
    public OperatorOptions? Options { get; }
    public ReadOnlyMemory<byte> CustomOptions { get; }

    /// <summary>The operator's identity (version aside), the key of every kernel registry.</summary>
    public OpId Op => OpId.From(Code);

    /// <summary>
    /// What the operator's definition computed at AllocateTensors: validated options, geometry, cost. For a node whose
    /// <see cref="ParamsAtInvoke"/> is true, only a cost estimate (every input read and written once): its params are
    /// <see cref="ResolveParams"/>'s.
    /// </summary>
    public OpParams Params { get; }

    /// <summary>
    /// True when the node's params and output shapes depend on the value of an input computed at run time (a
    /// shape-determining parameter input such as TRANSPOSE_CONV's output_shape; TFLite's SetTensorToDynamic in Prepare):
    /// its outputs are dynamic (<see cref="TensorStorage.Dynamic"/>, sized at Invoke), its other inputs' shapes are
    /// final. The planner offers such a node only to delegates declaring
    /// <see cref="DelegateCapabilities.RunTimeParameters"/>; their Supports judges it from its tensors (dtypes,
    /// constants, input shapes), since <see cref="Params"/> does not say which form (float, hybrid, quantized) it is.
    /// </summary>
    public bool ParamsAtInvoke => Params is RunTimeParameterParams;

    /// <summary>
    /// Invoke, for a node whose <see cref="ParamsAtInvoke"/> is true: runs the operator's definition on the values now
    /// in its run-time parameter inputs — the reference executor's own path — so bad values throw the reference's
    /// <see cref="KernelException"/> naming the node, and every dynamic output is resized (its buffer, outside the
    /// arena, grows only when needed); returns the params. While the values are unchanged it returns the same instance
    /// and allocates nothing, so a compiled kernel can keep what it built for that instance. Returns
    /// <see cref="Params"/> for any other node.
    /// </summary>
    /// <exception cref="KernelException">The values are invalid for the node (as the reference reports them).</exception>
    public OpParams ResolveParams()
    {
        if (Params is not RunTimeParameterParams deferred) return Params;
        var context = _context ?? throw new InvalidOperationException($"{this} was built outside an interpreter: its params cannot be resolved");
        return deferred.Resolve(context);
    }

    /// <summary>The params as <typeparamref name="T"/>; an error naming the node when they are of another type.</summary>
    public T ParamsAs<T>() where T : OpParams =>
        Params as T ?? throw new InvalidOperationException($"{this} has params {Params.GetType().Name}, not {typeof(T).Name}");

    /// <summary>The node's work, from its definition.</summary>
    public OpCost Cost => Params.Cost;

    /// <summary>Input tensors; null where the model omits an optional input (-1).</summary>
    public IReadOnlyList<Tensor?> Inputs { get; }
    public IReadOnlyList<Tensor> Outputs { get; }

    public override string ToString() => $"node {Index} ({Code})";
}

/// <summary>A tensor crossing into a partition and where its current value lives.</summary>
public readonly record struct PartitionInput(Tensor Tensor, bool OnDeviceFromSameDelegate);

/// <summary>A tensor leaving a partition and whether anything outside the delegate's memory reads it.</summary>
public readonly record struct PartitionOutput(Tensor Tensor, bool NeededOnHost);

/// <summary>
/// A maximal group of nodes claimed by one delegate, with its boundary. Inputs produced by an earlier partition of
/// the same (device-memory) delegate are flagged <see cref="PartitionInput.OnDeviceFromSameDelegate"/>: they were
/// never downloaded, and the delegate must find them in its own buffers. Outputs read only by later partitions of the
/// same delegate are not <see cref="PartitionOutput.NeededOnHost"/>.
/// </summary>
public sealed class DelegatePartition
{
    internal DelegatePartition(int index, int threads, DelegateNode[] nodes, PartitionInput[] inputs,
        PartitionOutput[] outputs, Tensor[] constants, Tensor[] intermediates, PartitionCancellation? cancellation = null)
    {
        Cancellation = cancellation ?? PartitionCancellation.None;
        _outputs = outputs;
        Index = index;
        Threads = threads;
        Nodes = nodes;
        Inputs = inputs;
        Outputs = outputs;
        Constants = constants;
        Intermediates = intermediates;
    }

    public int Index { get; }

    /// <summary>Threads the interpreter's options allow.</summary>
    public int Threads { get; }
    public IReadOnlyList<DelegateNode> Nodes { get; }
    public IReadOnlyList<PartitionInput> Inputs { get; }
    public IReadOnlyList<PartitionOutput> Outputs { get; }

    private readonly PartitionOutput[] _outputs;

    /// <summary>
    /// Whether <paramref name="tensor"/> is one of <see cref="Outputs"/> (read on the array: interface calls on an
    /// array of this struct from a delegate's assembly are JIT-compiled at start-up even in a ReadyToRun build).
    /// </summary>
    public bool IsOutput(Tensor tensor)
    {
        foreach (var output in _outputs)
            if (ReferenceEquals(output.Tensor, tensor)) return true;
        return false;
    }

    /// <summary>Constant tensors the nodes read (model constants and folded constants).</summary>
    public IReadOnlyList<Tensor> Constants { get; }

    /// <summary>Tensors produced and consumed only inside the partition.</summary>
    public IReadOnlyList<Tensor> Intermediates { get; }

    /// <summary>
    /// The cancellation of the interpreter's running Invoke, for the compiled kernel to keep and check while a long
    /// partition runs (see <see cref="PartitionCancellation"/>).
    /// </summary>
    public PartitionCancellation Cancellation { get; }
}
