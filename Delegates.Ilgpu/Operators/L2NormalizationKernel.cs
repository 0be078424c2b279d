using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// L2_NORMALIZATION on int8/uint8: per row of the definition's Depth elements, the reference's integer form (Runtime.Core's
/// L2NormalizationKernel) — the int32 sum of squared differences from the zero point, TFLite's fixed-point inverse
/// square root (<see cref="InverseSqrtMultiplier"/>, Quantization.InverseSqrtMultiplier written without
/// BitOperations for the kernel compilers), each difference rescaled to the output's 1/128 scale; integer arithmetic
/// only, so every accelerator gives the reference's bits. float32 has no ILGPU kernel.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    public IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<L2NormalizationParams>();
        if (p.Rows == 0 || p.Depth == 0) return;
        var input = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        // About 8 operations per element: two loads, the square and sum, the rescale and the clamp.
        var (chunks, chunkSize) = c.Split(p.Rows, 8L * p.Depth);
        var args = new L2NormalizationArgs(p.Rows, p.Depth, p.InputZeroPoint, node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, L2NormalizationArgs>(Kernel);
        c.Add(() => kernel(chunks, input, output, args), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, L2NormalizationArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Rows ? start + q.ChunkSize : q.Rows;
        for (int row = start; row < end; row++)
        {
            int origin = row * q.Depth;
            int sum = 0;
            for (int j = 0; j < q.Depth; j++)
            {
                int d = QuantizedKernels.Load(input, origin + j, q.Signed) - q.InputZeroPoint;
                sum += d * d;
            }
            var m = InverseSqrtMultiplier(sum);
            for (int j = 0; j < q.Depth; j++)
            {
                int difference = QuantizedKernels.Load(input, origin + j, q.Signed) - q.InputZeroPoint;
                output[origin + j] = q.Signed != 0
                    ? QuantizedKernels.Clamp(Quantization.MultiplyByQuantizedMultiplier(difference, m.Multiplier, m.Shift + 7), sbyte.MinValue, sbyte.MaxValue)
                    : QuantizedKernels.Clamp(128 + Quantization.RoundingDivideByPOT(
                        Quantization.SaturatingRoundingDoublingHighMul(128 * difference, m.Multiplier), -m.Shift), 0, 255);
            }
        }
    }

    /// <summary>
    /// Quantization.InverseSqrtMultiplier (TFLite's GetInvSqrtQuantizedMultiplierExp, reverse_shift −1) with the
    /// leading-zero count as a loop: the same mantissa and shift (≤ 0).
    /// </summary>
    public static InverseSqrt InverseSqrtMultiplier(int input)
    {
        if (input <= 1) return new InverseSqrt(int.MaxValue, 0);
        int shift = 11;
        while (input >= 1 << 29)
        {
            input /= 4;
            shift++;
        }
        int leadingZeros = 0;
        while (leadingZeros < 32 && (input & (int.MinValue >>> leadingZeros)) == 0) leadingZeros++;
        int leftShiftBitPairs = (leadingZeros - 1) / 2 - 1;
        shift -= leftShiftBitPairs;
        input <<= 2 * leftShiftBitPairs;
        int halfInput = Quantization.RoundingDivideByPOT(input >> 1, 1);
        const int halfThree = (1 << 28) + (1 << 27);
        int x = 1 << 28;
        for (int i = 0; i < 5; i++)
        {
            int x3 = Quantization.SaturatingShiftLeft(
                Quantization.SaturatingRoundingDoublingHighMul(Quantization.SaturatingRoundingDoublingHighMul(x, x), x), 6);
            int difference = unchecked(Quantization.SaturatingRoundingDoublingHighMul(halfThree, x) - Quantization.SaturatingRoundingDoublingHighMul(halfInput, x3));
            x = Quantization.SaturatingShiftLeft(difference, 3);
        }
        x = Quantization.SaturatingRoundingDoublingHighMul(x, 1518500250);
        if (shift < 0)
        {
            x = unchecked(x << -shift);
            shift = 0;
        }
        return new InverseSqrt(x, -shift);
    }
}

/// <summary>An inverse square root as a quantized multiplier: the mantissa and the (≤ 0) shift.</summary>
internal readonly struct InverseSqrt(int multiplier, int shift)
{
    public readonly int Multiplier = multiplier, Shift = shift;
}

internal readonly struct L2NormalizationArgs(int rows, int depth, int inputZeroPoint, int signed, int chunkSize)
{
    public readonly int Rows = rows, Depth = depth, InputZeroPoint = inputZeroPoint, Signed = signed, ChunkSize = chunkSize;
}
