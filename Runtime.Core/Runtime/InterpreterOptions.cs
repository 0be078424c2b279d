using Accel.Delegates;
using Accel.Kernels;

namespace Accel;

/// <summary>Options for an <see cref="Interpreter"/>, after TFLite's InterpreterOptions.</summary>
public sealed class InterpreterOptions
{
    /// <summary>Threads kernels may use. The reference executor runs on the calling thread; delegates use this.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>The kernels to run with; null means <see cref="OpResolver.CreateReference"/>.</summary>
    public OpResolver? OpResolver { get; set; }

    /// <summary>
    /// Largest activation arena plus folded constants AllocateTensors may allocate; beyond it a typed error is thrown
    /// instead of exhausting memory (a corrupt or hostile shape cannot take the process down).
    /// </summary>
    public long MaxMemoryBytes { get; set; } = 8L << 30;

    /// <summary>
    /// Largest single tensor (an activation, a graph input after a resize, a folded constant), in bytes; checked when
    /// AllocateTensors prepares the node that reads or writes it, before any memory is allocated for it.
    /// </summary>
    public long MaxTensorBytes { get; set; } = 4L << 30;

    /// <summary>Most nodes the main subgraph may have; checked when the interpreter is built.</summary>
    public int MaxNodeCount { get; set; } = 100_000;

    /// <summary>
    /// Most work one node may imply (<see cref="Operators.OpCost.Operations"/>: multiply-accumulates plus element
    /// operations) from its declared shapes; a node over it is refused at AllocateTensors rather than run for hours.
    /// The default (2^40, about 10^12) is a hundred times the largest convolution of common vision models.
    /// </summary>
    public long MaxOperationsPerNode { get; set; } = 1L << 40;

    /// <summary>
    /// Most bytes of constants AllocateTensors may compute (float16 weights widened, DENSIFY, other folded nodes), all
    /// together; also counted with the arena against <see cref="MaxMemoryBytes"/>.
    /// </summary>
    public long MaxConstantExpansionBytes { get; set; } = 2L << 30;

    /// <summary>Delegates in priority order: the first that claims a node gets it; the rest runs on the reference kernels.</summary>
    public IList<DelegateSelection> Delegates { get; } = new List<DelegateSelection>();

    /// <summary>Default keeps TFLite's behaviour; CostAware also drops partitions not worth their boundary transfers.</summary>
    public PartitionPolicy PartitionPolicy { get; set; } = PartitionPolicy.Default;

    /// <summary>
    /// When a delegate fails during Invoke, re-run the whole graph on the reference kernels (and keep using them),
    /// like TFLite's InvokeWithCPUFallback; otherwise a <see cref="DelegateInvokeException"/> is thrown.
    /// </summary>
    public bool FallbackToReferenceOnInvokeFailure { get; set; }

    /// <summary>
    /// 1 while a live interpreter owns these options' delegates (they are disposed with it): a second interpreter
    /// built on the same options while the first lives is refused instead of sharing — and later double-disposing —
    /// per-interpreter delegate state.
    /// </summary>
    private int _delegatesOwned;

    internal bool TryOwnDelegates() => Delegates.Count == 0 || Interlocked.CompareExchange(ref _delegatesOwned, 1, 0) == 0;

    internal void ReleaseDelegates() => Volatile.Write(ref _delegatesOwned, 0);

    /// <summary>Receives diagnostics (compile failures given back, fallbacks); they are also kept in Interpreter.Diagnostics.</summary>
    public Action<string>? DiagnosticSink { get; set; }
}

/// <summary>What a caller needs to feed or read a tensor (TFLite's get_input_details entries).</summary>
public sealed record TensorDetails(
    string Name, int Index, int[] Shape, int[] ShapeSignature, TensorType Type, QuantizationParameters Quantization);

/// <summary>
/// Time spent in one step of a profiled invoke: a reference node, a delegate partition (several nodes), or, profiled
/// inside partitions, one unit of a partition's work (a node, or the nodes fused into one pass).
/// </summary>
/// <param name="Executor">The reference executor or the delegate's name.</param>
/// <param name="Nodes">The graph nodes the step covers.</param>
/// <param name="Milliseconds">Its wall time.</param>
/// <param name="InsidePartition">A unit of work timed inside a partition (several nodes: fused into one pass).</param>
public sealed record StepTiming(string Executor, int[] Nodes, double Milliseconds, bool InsidePartition = false);
