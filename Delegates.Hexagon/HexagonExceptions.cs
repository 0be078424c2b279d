namespace Accel.Delegates.Hexagon;

/// <summary>What went wrong between the host and the DSP.</summary>
public enum HexagonFailure
{
    /// <summary>The DSP process could not be started, or exited (crashed) while the host waited for it.</summary>
    ProcessDied,
    /// <summary>The DSP did not answer within the timeout; its process was stopped.</summary>
    Timeout,
    /// <summary>The DSP speaks another protocol version than this host.</summary>
    ProtocolVersionMismatch,
    /// <summary>The DSP answered with an error status (a graph it refused, shared memory it could not map …).</summary>
    DspError,
    /// <summary>The DSP's answer was malformed (wrong magic, truncated).</summary>
    ProtocolError,
}

/// <summary>
/// The Hexagon DSP failed: which failure, at which step (command and graph), and the DSP process's last diagnostic
/// output. After <see cref="HexagonFailure.ProcessDied"/> or <see cref="HexagonFailure.Timeout"/> the DSP process is
/// gone and every later call on the same delegate fails with this type at once (no hang).
/// </summary>
public sealed class HexagonDspException : AccelException
{
    public HexagonDspException(HexagonFailure failure, string message, Exception? inner = null)
        : base($"Hexagon DSP: {message}", inner ?? new AccelException(message))
    {
        Failure = failure;
    }

    public HexagonFailure Failure { get; }
}

/// <summary>
/// A partition with fewer nodes than the delegate's <see cref="HexagonDelegate.MinNodesPerPartition"/>: not worth a
/// DSP graph (transfers and a round trip per invoke for too little work), so <see cref="HexagonDelegate.Compile"/>
/// refuses it and the interpreter runs its nodes on the reference, with this message in its diagnostics.
/// </summary>
public sealed class HexagonPartitionTooSmallException : AccelException
{
    public HexagonPartitionTooSmallException(int partitionIndex, int nodes, int minimum)
        : base($"Hexagon delegate: partition {partitionIndex} has {nodes} node{(nodes == 1 ? "" : "s")}, below the delegate's MinNodesPerPartition = {minimum} " +
               "(a small DSP graph costs more in transfers and round trips than it saves); its nodes run on the reference")
    {
        PartitionIndex = partitionIndex;
        Nodes = nodes;
        Minimum = minimum;
    }

    public int PartitionIndex { get; }

    public int Nodes { get; }

    public int Minimum { get; }
}
