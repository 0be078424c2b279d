using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// LOG_SOFTMAX on int8/uint8: TFLite's builtin float-table form as Runtime.Core's LogSoftmaxKernel, one row per
/// element of the launch: m = the row's largest stored value; sum = Σ table[255 − (m − x_j)] in order from +0 (binary32
/// adds through the device arithmetic, never contracted); ls = SpecMath.Log(sum) (the reference's own log, its FMAs
/// from <see cref="IDeviceArithmetic"/>); c = (s_in · m + ls) / s_out with one correctly rounded division; y_j =
/// (s_in / s_out) · x_j − c (the ratio divided on the host in binary32, as the reference); out_j = clamp(round half
/// to even of clamp(y_j, ±1000) + z_out), a NaN giving z_out as .NET's (int)NaN = 0. Refused on CUDA: SpecMath.Log's
/// plain products and sums compile to mul.f32/add.f32, which ptxas may contract into fma (IlgpuPtxTests). float32 has
/// no ILGPU kernel.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxKernel : IIlgpuKernel
{
    /// <summary>TFLite's fixed output scale of the 8-bit LOG_SOFTMAX (LogSoftmaxDefinition.QuantizedOutputScale).</summary>
    private const float OutputScale = 16f / 256;

    public IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];

    public IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    public string? PtxRefusal(DelegateNode node) =>
        "LOG_SOFTMAX: the 8-bit LOG_SOFTMAX's SpecMath.Log has plain float products and sums that ptxas may contract into fma on CUDA";

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<LogSoftmaxParams>();
        if (p.Rows == 0 || p.Depth == 0) return;
        var input = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        var table = c.Upload(p.QuantizedExpTable.ToArray());
        // About 8 operations per element (two loads, the max, the add, the rescale and rounding) plus a Log per row.
        var (chunks, chunkSize) = c.Split(p.Rows, 8L * p.Depth + 40);
        var args = new LogSoftmaxArgs(p.Rows, p.Depth, node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
            p.InputScale, p.InputScale / OutputScale, p.OutputZeroPoint, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<float>, ArrayView<byte>, LogSoftmaxArgs>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, table, output, args), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<byte> input, ArrayView<float> table, ArrayView<byte> output,
        LogSoftmaxArgs q) where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Rows ? start + q.ChunkSize : q.Rows;
        int min = q.Signed != 0 ? sbyte.MinValue : byte.MinValue, max = q.Signed != 0 ? sbyte.MaxValue : byte.MaxValue;
        for (int row = start; row < end; row++)
        {
            int origin = row * q.Depth;
            int largest = SoftmaxKernel.RowLargest(input, origin, q.Depth, q.Signed, min);
            int offset = 255 - largest;
            float sum = SoftmaxKernel.RowTableSum<TArithmetic>(input, table, origin, q.Depth, q.Signed, offset);
            float logSum = SpecMath.Log<TArithmetic>(sum);
            float precomputed = a.Add(a.Multiply(q.InputScale, largest), logSum) / OutputScale;
            for (int j = 0; j < q.Depth; j++)
            {
                float logProbability = a.Subtract(a.Multiply(q.Scale, QuantizedKernels.Load(input, origin + j, q.Signed)), precomputed);
                float bounded = logProbability < -1000f ? -1000f : logProbability > 1000f ? 1000f : logProbability;
                int value = float.IsNaN(bounded) ? 0 : (int)a.RoundToEven(bounded);
                output[origin + j] = QuantizedKernels.Clamp(value + q.OutputZeroPoint, min, max);
            }
        }
    }
}

internal readonly struct LogSoftmaxArgs(int rows, int depth, int signed, float inputScale, float scale, int outputZeroPoint, int chunkSize)
{
    public readonly int Rows = rows, Depth = depth, Signed = signed;
    public readonly float InputScale = inputScale, Scale = scale;
    public readonly int OutputZeroPoint = outputZeroPoint, ChunkSize = chunkSize;
}
