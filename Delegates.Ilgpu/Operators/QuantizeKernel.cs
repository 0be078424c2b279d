using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// QUANTIZE to int8/uint8 (docs/numerics.md §Quantized execution): from float32, round(x / scale) with one IEEE
/// division (.NET's on the CPU accelerator, <c>div.rn.f32</c> on CUDA) and halves away from zero, + zero point,
/// clamped (a NaN quotient counts as 0, magnitudes ≥ 1e9 saturate, as the reference); from int8/uint8,
/// MultiplyByQuantizedMultiplier of the centred value. int16 inputs and outputs are refused.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<QuantizeParams>();
        var input = node.Inputs[0]!;
        var source = c.View(input);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 4);
        int sourceKind = input.Type switch { TensorType.Float32 => 0, TensorType.Int8 => 1, _ => 2 };
        var args = new QuantizeArgs(sourceKind, p.OutputScale, p.OutputZeroPoint, p.OutputMin, p.OutputMax, p.InputZeroPoint,
            p.Requantize.Multiplier, p.Requantize.Shift, total, chunkSize);
        var kernel = c.Load<ArrayView<float>, ArrayView<byte>, ArrayView<byte>, QuantizeArgs>(Kernel);
        c.Add(() => kernel(chunks, source, source.Cast<byte>(), output, args), chunks);
    }

    /// <summary>Source 0: float32 (<paramref name="floats"/>); 1: int8, 2: uint8 (<paramref name="bytes"/>).</summary>
    public static void Kernel(Index1D chunk, ArrayView<float> floats, ArrayView<byte> bytes, ArrayView<byte> output, QuantizeArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            int value;
            if (q.Source == 0)
            {
                float quotient = floats[i] / q.OutputScale;
#pragma warning disable CS1718 // quotient != quotient is the IsNaN test, written as a comparison every backend compiles
                if (quotient != quotient) value = q.OutputZeroPoint;
#pragma warning restore CS1718
                else if (quotient >= 1e9f) value = int.MaxValue / 2;
                else if (quotient <= -1e9f) value = int.MinValue / 2;
                else
                {
                    // |quotient| < 2^30: the truncation is exact, and so is the fraction (halves away from zero).
                    int truncated = (int)quotient;
                    float fraction = quotient - truncated;
                    value = truncated + (fraction >= 0.5f ? 1 : fraction <= -0.5f ? -1 : 0) + q.OutputZeroPoint;
                }
            }
            else
            {
                int x = QuantizedKernels.Load(bytes, i, q.Source == 1 ? 1 : 0);
                value = Quantization.MultiplyByQuantizedMultiplier(x - q.InputZeroPoint, q.Multiplier, q.Shift) + q.OutputZeroPoint;
            }
            output[i] = QuantizedKernels.Clamp(value, q.OutputMin, q.OutputMax);
        }
    }
}

/// <summary>QUANTIZE's scalars (source 0 float32, 1 int8, 2 uint8) and the launch's element split.</summary>
internal readonly struct QuantizeArgs(int source, float outputScale, int outputZeroPoint, int outputMin, int outputMax, int inputZeroPoint,
    int multiplier, int shift, int total, int chunkSize)
{
    public readonly int Source = source;
    public readonly float OutputScale = outputScale;
    public readonly int OutputZeroPoint = outputZeroPoint, OutputMin = outputMin, OutputMax = outputMax, InputZeroPoint = inputZeroPoint;
    public readonly int Multiplier = multiplier, Shift = shift, Total = total, ChunkSize = chunkSize;
}
