using Accel.Operators;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RESHAPE, SQUEEZE, EXPAND_DIMS on every fixed-size dtype: the output holds the input's bytes in the same order (the
/// shape input, if any, was read by the definition, never by a kernel), so the kernel copies the input's buffer as
/// whole 32-bit words (device buffers are whole words; the bytes past the tensor's end are never read back).
/// </summary>
[OpCodes(BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims)]
internal sealed class ReshapeKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Reshape, BuiltinOperator.Squeeze, BuiltinOperator.ExpandDims];

    public IReadOnlyList<TensorType> Types => ByteMoves.Types;

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)ByteMoves.Words(node.Inputs[0]!));
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, int, int>(CopyKernel);
        c.Add(() => kernel(chunks, input, output, total, chunkSize), chunks);
    }

    /// <summary>The words unchanged, in order (a plain load/store keeps every bit, NaN payloads included).</summary>
    public static void CopyKernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = input[i];
    }
}

/// <summary>
/// The dtypes of kernels that only move bytes: a device buffer holds any fixed-size tensor's bytes, in whole 32-bit words
/// (<see cref="IlgpuDelegate"/>'s BufferFor).
/// </summary>
internal static class ByteMoves
{
    public static readonly TensorType[] Types =
    [
        TensorType.Float32, TensorType.Float16, TensorType.Int32, TensorType.Int64, TensorType.Int8, TensorType.UInt8,
        TensorType.Int16, TensorType.Bool,
    ];

    /// <summary>The 32-bit words holding the tensor's bytes.</summary>
    public static long Words(Tensor tensor) => (tensor.ByteSize + 3) / 4;
}
