using Accel.Operators;

namespace Accel.Delegates;

/// <summary>A node as a delegate sees it: operator, options and tensors with their final shapes.</summary>
public sealed class DelegateNode
{
    internal DelegateNode(int index, OperatorCode code, OperatorOptions? options, ReadOnlyMemory<byte> customOptions,
        OpParams parameters, Tensor?[] inputs, Tensor[] outputs)
    {
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

    /// <summary>What the operator's definition computed at AllocateTensors: validated options, geometry, cost.</summary>
    public OpParams Params { get; }

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
