using Accel.Delegates.Hexagon.Transport;

namespace Accel.Delegates.Hexagon;

/// <summary>
/// One partition as a DSP graph: created once at compile (shared memory laid out, constants written, the DSP maps and
/// prepares it), executed per Invoke: the partition's inputs are copied into the shared memory, the DSP runs every node
/// there (intermediates never leave it), the outputs are copied back. Allocates nothing on the managed heap per Invoke.
/// </summary>
internal sealed class HexagonPartitionKernel : IPartitionKernel
{
    private readonly IHexagonTransport _transport;
    private readonly IDspMemory _memory;
    private readonly int _graphId;
    private readonly (Tensor Tensor, long Offset)[] _inputs;
    private readonly (Tensor Tensor, long Offset)[] _outputs;
    private readonly Action<HexagonPartitionKernel> _onDispose;
    private bool _disposed;

    private HexagonPartitionKernel(IHexagonTransport transport, IDspMemory memory, int graphId, (Tensor, long)[] inputs,
        (Tensor, long)[] outputs, Action<HexagonPartitionKernel> onDispose)
    {
        _transport = transport;
        _memory = memory;
        _graphId = graphId;
        _inputs = inputs;
        _outputs = outputs;
        _onDispose = onDispose;
    }

    public int GraphId => _graphId;

    public static HexagonPartitionKernel Create(IHexagonTransport transport, int graphId, DelegatePartition partition, HexagonGraphBuilder graph,
        Action<HexagonPartitionKernel> onDispose)
    {
        var inputs = partition.Inputs.Where(i => !i.Tensor.IsConstant && graph.Offsets.ContainsKey(i.Tensor))
            .Select(i => (i.Tensor, graph.Offsets[i.Tensor])).ToArray();
        var outputs = partition.Outputs.Select(o => (o.Tensor, graph.Offsets[o.Tensor])).ToArray();
        var memory = transport.AllocateSharedMemory(graph.Bytes);
        try
        {
            graph.WriteConstants(memory);
            transport.CreateGraph(graphId, memory, graph.Words);
            return new HexagonPartitionKernel(transport, memory, graphId, inputs, outputs, onDispose);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public void Invoke()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        foreach (var (tensor, offset) in _inputs) tensor.Bytes.CopyTo(_memory.Bytes(offset, (int)tensor.ByteSize));
        _transport.Execute(_graphId);
        foreach (var (tensor, offset) in _outputs) _memory.Bytes(offset, (int)tensor.ByteSize).CopyTo(tensor.WritableBytes);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            _transport.DestroyGraph(_graphId);
        }
        catch (HexagonDspException)
        {
            // The DSP died: its graph died with it.
        }
        _memory.Dispose();
        _onDispose(this);
    }
}
