using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// SOFTMAX (float32, the last dimension): one row per thread (on the CPU accelerator a chunk of rows), the reference's
/// sequence in its order: the row's maximum (NaN wins); e_i = <see cref="SpecMath.Exp{TArithmetic}"/>((x_i − m)·beta)
/// stored in the output; sum = e_0 + e_1 + … from +0; out_i = e_i · <see cref="SpecMath.SoftmaxMultiplier{TArithmetic}"/>(sum).
/// The subtract, the multiply by beta and the sum's adds go through the device arithmetic: on CUDA Exp's last product
/// (p · 2^k, rounded on a subnormal e_i) must not be contracted into the sum's add. int8/uint8: the reference's
/// float-table form on the definition's 256-entry exp table (<see cref="QuantizedKernel{TArithmetic}"/>).
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<SoftmaxParams>();
        if (!p.QuantizedExpTable.IsEmpty)
        {
            CompileQuantized(node, c, p);
            return;
        }
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        // About 35 operations per element: an Exp, the subtract and multiply before it, the sum's add, the final multiply.
        var (chunks, chunkSize) = c.Split(p.Rows, 35L * p.Depth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, SoftmaxShape, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        var shape = new SoftmaxShape { Rows = p.Rows, Depth = p.Depth, Beta = p.Beta };
        c.Add(() => kernel(chunks, input, output, shape, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> output, SoftmaxShape s, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < s.Rows ? start + chunkSize : s.Rows;
        for (int row = start; row < end; row++)
        {
            long origin = (long)row * s.Depth;
            float m = input[origin];
            for (int i = 1; i < s.Depth; i++)
            {
                float v = input[origin + i];
                if (v > m || float.IsNaN(v)) m = v;
            }
            float sum = 0f;
            for (int i = 0; i < s.Depth; i++)
            {
                float e = SpecMath.Exp<TArithmetic>(a.Multiply(a.Subtract(input[origin + i], m), s.Beta));
                output[origin + i] = e;
                sum = a.Add(sum, e);
            }
            float r = SpecMath.SoftmaxMultiplier<TArithmetic>(sum);
            for (int i = 0; i < s.Depth; i++) output[origin + i] = a.Multiply(output[origin + i], r);
        }
    }

    private static void CompileQuantized(DelegateNode node, IlgpuCompilation c, SoftmaxParams p)
    {
        var input = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        var table = c.Upload(p.QuantizedExpTable.ToArray());
        // About 6 operations per element: two loads and the max, the sum's add, the multiply and the rounding.
        var (chunks, chunkSize) = c.Split(p.Rows, 6L * p.Depth);
        var args = new QuantizedSoftmaxArgs(p.Rows, p.Depth, node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0,
            p.QuantizedOutput.Scale, p.QuantizedOutput.ZeroPoint, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<float>, ArrayView<byte>, QuantizedSoftmaxArgs>(
            c.UsesPtx ? QuantizedKernel<PtxArithmetic> : QuantizedKernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, table, output, args), chunks);
    }

    /// <summary>
    /// The reference's 8-bit form per row: m = the largest stored value; sum = Σ table[255 − (m − x_j)] in order from +0;
    /// r = 1 / (sum · s_out) (IEEE division: .NET's on the CPU accelerator, div.rn.f32 on CUDA); y_j = table[…] · r, then
    /// int8: halves away from zero + z_out, uint8: (int)(y_j + 0.5); the conversion saturates (NaN gives 0) as .NET's;
    /// clamped. Adds and multiplies go through the device arithmetic, so nothing contracts into an fma.
    /// </summary>
    public static void QuantizedKernel<TArithmetic>(Index1D chunk, ArrayView<byte> input, ArrayView<float> table, ArrayView<byte> output,
        QuantizedSoftmaxArgs q) where TArithmetic : struct, IDeviceArithmetic
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
            float inverse = 1f / a.Multiply(sum, q.OutputScale);
            for (int j = 0; j < q.Depth; j++)
            {
                float rescaled = a.Multiply(table[offset + QuantizedKernels.Load(input, origin + j, q.Signed)], inverse);
                int value = q.Signed != 0 ? SaturatingInt(RoundHalfAway<TArithmetic>(rescaled)) + q.OutputZeroPoint : SaturatingInt(a.Add(rescaled, 0.5f));
                output[origin + j] = QuantizedKernels.Clamp(value, min, max);
            }
        }
    }

    /// <summary>The 8-bit row's largest stored value (from the type's lowest) — SOFTMAX's and LOG_SOFTMAX's first pass.</summary>
    public static int RowLargest(ArrayView<byte> input, int origin, int depth, int signed, int lowest)
    {
        int largest = lowest;
        for (int j = 0; j < depth; j++)
        {
            int v = QuantizedKernels.Load(input, origin + j, signed);
            largest = v > largest ? v : largest;
        }
        return largest;
    }

    /// <summary>
    /// Σ table[offset + x_j] over the 8-bit row in order from +0, each add through the device arithmetic (never
    /// contracted) — SOFTMAX's and LOG_SOFTMAX's sum of the exp table (offset = 255 − the row's largest value).
    /// </summary>
    public static float RowTableSum<TArithmetic>(ArrayView<byte> input, ArrayView<float> table, int origin, int depth, int signed, int offset)
        where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        float sum = 0f;
        for (int j = 0; j < depth; j++) sum = a.Add(sum, table[offset + QuantizedKernels.Load(input, origin + j, signed)]);
        return sum;
    }

    /// <summary>(int)value in .NET: toward zero, saturating at the int range, NaN to 0.</summary>
    private static int SaturatingInt(float value) =>
        float.IsNaN(value) ? 0 : value >= 2147483648f ? int.MaxValue : value <= -2147483648f ? int.MinValue : (int)value;

    /// <summary>MathF.Round(value, MidpointRounding.AwayFromZero): below 2^23 the truncation and its remainder are exact.</summary>
    private static float RoundHalfAway<TArithmetic>(float value) where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        if (!(MathF.Abs(value) < 8388608f)) return value;
        float t = (int)value;
        float fraction = a.Subtract(value, t);
        return fraction >= 0.5f ? a.Add(t, 1f) : fraction <= -0.5f ? a.Subtract(t, 1f) : t;
    }
}

/// <summary>The 8-bit SOFTMAX's rows, signedness (1 = int8), output quantization and the launch's row split.</summary>
internal readonly struct QuantizedSoftmaxArgs(int rows, int depth, int signed, float outputScale, int outputZeroPoint, int chunkSize)
{
    public readonly int Rows = rows, Depth = depth, Signed = signed;
    public readonly float OutputScale = outputScale;
    public readonly int OutputZeroPoint = outputZeroPoint, ChunkSize = chunkSize;
}

/// <summary>SOFTMAX's rows of Depth elements and beta (the definition's <see cref="SoftmaxParams"/>).</summary>
internal struct SoftmaxShape
{
    public int Rows, Depth;
    public float Beta;
}
