using System.Runtime.InteropServices;

namespace Accel;

/// <summary>
/// The buffers of tensors whose shape is known only at Invoke (<see cref="TensorStorage.Dynamic"/>, TFLite's
/// kTfLiteDynamic): one native buffer per tensor, outside the planned arena, owned by the interpreter. A buffer grows
/// only when a shape needs more bytes than it has, so Invokes with unchanged shapes allocate nothing; buffers survive
/// AllocateTensors (a re-plan re-attaches them) and are freed with the interpreter.
/// </summary>
internal sealed unsafe class DynamicTensorMemory(int tensorCount, long maxBytes)
{
    private readonly NativeBuffer?[] _buffers = new NativeBuffer?[tensorCount];
    private readonly long[] _capacities = new long[tensorCount];

    /// <summary>Bytes held by every dynamic buffer (limited, all together, to InterpreterOptions.MaxMemoryBytes).</summary>
    public long Bytes { get; private set; }

    /// <summary>Marks <paramref name="tensor"/> dynamic: no bytes until its producer sets the shape at Invoke.</summary>
    public void MarkDynamic(Tensor tensor)
    {
        tensor.Storage = TensorStorage.Dynamic;
        tensor.Data = _buffers[tensor.Index] is { } buffer ? buffer.Pointer : null;
        tensor.DataLength = 0;
    }

    /// <summary>Points a dynamic tensor at a buffer of at least its current shape's bytes (growing it if needed).</summary>
    /// <exception cref="KernelException">The bytes exceed InterpreterOptions.MaxMemoryBytes (naming the node).</exception>
    public void Fit(Tensor tensor, Accel.Kernels.KernelContext context)
    {
        int elementSize = tensor.Type.ElementSize();
        long elements = tensor.ElementCount;
        if (elements > int.MaxValue)
            throw context.Error($"output '{tensor.Name}' would have {elements} elements at Invoke, over the 2^31-1 limit");
        long bytes = elements * elementSize;
        int index = tensor.Index;
        if (bytes > _capacities[index])
        {
            long total = Bytes - _capacities[index] + bytes;
            if (total > maxBytes)
                throw context.Error(
                    $"output '{tensor.Name}' needs {bytes} bytes at Invoke ({total} in all dynamic tensors), over InterpreterOptions.MaxMemoryBytes = {maxBytes}");
            _buffers[index]?.Dispose();
            Bytes -= _capacities[index];
            _buffers[index] = null;
            _capacities[index] = 0;
            _buffers[index] = new NativeBuffer(bytes);
            _capacities[index] = bytes;
            Bytes += bytes;
        }
        tensor.Data = _buffers[index] is { } buffer ? buffer.Pointer : null;
        tensor.DataLength = bytes;
        tensor.ByteSize = bytes;
    }

    /// <summary>Frees every buffer (tensors pointing at them must be re-bound before use).</summary>
    public void Release()
    {
        for (int i = 0; i < _buffers.Length; i++)
        {
            _buffers[i]?.Dispose();
            _buffers[i] = null;
            _capacities[i] = 0;
        }
        Bytes = 0;
    }
}
