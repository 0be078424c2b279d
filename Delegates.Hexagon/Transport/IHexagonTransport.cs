namespace Accel.Delegates.Hexagon.Transport;

/// <summary>
/// How the host reaches the DSP runtime (the FastRPC analogue). <see cref="QemuTransport"/> starts the DSP program under
/// qemu-hexagon and talks over pipes, with a /dev/shm file as the shared memory; a device transport would call the same
/// DSP entry points through FastRPC (libcdsprpc) with rpcmem buffers (README.md §A device port). The delegate logic
/// (claims, graph building, invoke) sees only this interface. Calls are serialised by the implementation.
/// </summary>
internal interface IHexagonTransport : IDisposable
{
    /// <summary>What the DSP runtime said about itself at start-up.</summary>
    string DspDescription { get; }

    /// <summary>Null while the DSP answers; after a crash or timeout, what happened (every later call then fails at once).</summary>
    string? Failure { get; }

    /// <summary>Memory of <paramref name="bytes"/> bytes that both the host and the DSP address (zeroed).</summary>
    IDspMemory AllocateSharedMemory(long bytes);

    /// <summary>Sends a graph (its node table addresses <paramref name="memory"/>), which the DSP maps, checks and prepares.</summary>
    void CreateGraph(int graphId, IDspMemory memory, ReadOnlySpan<int> nodeWords);

    /// <summary>Runs the graph once; returns when the DSP has written every output into the shared memory.</summary>
    void Execute(int graphId);

    /// <summary>Frees the graph's DSP-side state and mapping (no-op once the DSP is gone).</summary>
    void DestroyGraph(int graphId);
}

/// <summary>A region both sides address: the host writes inputs and reads outputs through <see cref="Bytes"/>.</summary>
internal interface IDspMemory : IDisposable
{
    long Length { get; }

    Span<byte> Bytes(long offset, int length);
}
