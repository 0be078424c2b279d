using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// L2_NORMALIZATION, float32 (docs/numerics.md §L2_NORMALIZATION), TFLite's <c>reference_ops::L2Normalization</c>
/// per row of the last dimension: sum = x_0·x_0 + x_1·x_1 + … in order from +0 (each product rounded, no FMA);
/// n = sqrt(sum), raised to 1e-6 when below it; out_i = x_i / n (one IEEE division) — TFLite's bits exactly. int8
/// (reference_integer_ops::L2Normalization) and uint8 (reference_ops::L2Normalization): the int32 sum of (x − zp)²,
/// its inverse square root as a quantized multiplier (<see cref="Quantization.InverseSqrtMultiplier"/>), each
/// difference rescaled by it to the output's 1/128 scale, clamped.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationKernel : ReferenceKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.L2Normalization).Types;

    protected override void Invoke(KernelContext context, L2NormalizationParams p)
    {
        switch (context.Input(0).Type)
        {
            case TensorType.Int8: Int8(context.Input(0).Read<sbyte>(), context.Output(0).Write<sbyte>(), p); return;
            case TensorType.UInt8: UInt8(context.Input(0).Read<byte>(), context.Output(0).Write<byte>(), p); return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        int depth = p.Depth;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            float sum = 0f;
            for (int i = 0; i < depth; i++)
            {
                float square = x[i] * x[i];
                sum += square;
            }
            float norm = MathF.Sqrt(sum);
            if (norm < p.Epsilon) norm = p.Epsilon;
            for (int i = 0; i < depth; i++) y[i] = x[i] / norm;
        }
    }

    /// <summary>The int32 sum of a row's squared differences from the zero point (exact: the definition bounds the depth).</summary>
    private static int SumOfSquares<T>(ReadOnlySpan<T> row, int zeroPoint) where T : System.Numerics.IBinaryInteger<T>
    {
        int sum = 0;
        foreach (var v in row)
        {
            int d = int.CreateTruncating(v) - zeroPoint;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>reference_integer_ops::L2Normalization: y = clamp(MBQM(x − zp, m, shift + 7), −128, 127).</summary>
    private static void Int8(ReadOnlySpan<sbyte> input, Span<sbyte> output, L2NormalizationParams p)
    {
        int depth = p.Depth;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            var (m, shift) = Quantization.InverseSqrtMultiplier(SumOfSquares(x, p.InputZeroPoint));
            for (int i = 0; i < depth; i++)
            {
                int v = Quantization.MultiplyByQuantizedMultiplier(x[i] - p.InputZeroPoint, m, shift + 7);
                y[i] = (sbyte)Math.Clamp(v, sbyte.MinValue, sbyte.MaxValue);
            }
        }
    }

    /// <summary>reference_ops::L2Normalization (uint8): y = clamp(128 + RoundingDivideByPOT(SRDHM(128 · (x − zp), m), −shift), 0, 255).</summary>
    private static void UInt8(ReadOnlySpan<byte> input, Span<byte> output, L2NormalizationParams p)
    {
        int depth = p.Depth;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            var (m, shift) = Quantization.InverseSqrtMultiplier(SumOfSquares(x, p.InputZeroPoint));
            for (int i = 0; i < depth; i++)
            {
                // MultiplyByQuantizedMultiplierSmallerThanOneExp: the shift is ≤ 0 here.
                int v = 128 + Quantization.RoundingDivideByPOT(Quantization.SaturatingRoundingDoublingHighMul(128 * (x[i] - p.InputZeroPoint), m), -shift);
                y[i] = (byte)Math.Clamp(v, 0, 255);
            }
        }
    }
}
