namespace Accel.Delegates;

/// <summary>
/// How a compiled partition observes the cancellation of the Invoke running it (<see cref="Interpreter.Cancel"/> or the
/// token of <see cref="Interpreter.Invoke(CancellationToken)"/>). Handed to the delegate with the partition at compile
/// time and valid for every later Invoke (the interpreter's state behind it changes per invoke), so checking it
/// allocates nothing. A delegate checks it where it may stop cleanly — between nodes, kernel launches or command
/// submissions — waits for the device work already started, and throws <see cref="OperationCanceledException"/>;
/// the interpreter stays usable and the cancelled invoke's outputs are undefined.
/// </summary>
public sealed class PartitionCancellation
{
    private readonly InvokeCancellation? _invoke;

    internal PartitionCancellation(InvokeCancellation? invoke) => _invoke = invoke;

    /// <summary>Never cancelled: for a partition compiled outside an interpreter (tools, tests).</summary>
    public static PartitionCancellation None { get; } = new(null);

    /// <summary>True once the running Invoke was asked to stop (a volatile read and a token read).</summary>
    public bool IsCancellationRequested => _invoke?.IsRequested ?? false;

    /// <summary>Throws <see cref="OperationCanceledException"/> when the running Invoke was asked to stop.</summary>
    public void ThrowIfCancellationRequested() => _invoke?.ThrowIfRequested();
}
