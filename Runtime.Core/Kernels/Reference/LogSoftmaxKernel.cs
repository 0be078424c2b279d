using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOG_SOFTMAX, float32 (docs/numerics.md §LOG_SOFTMAX). Mirrors TFLite's <c>reference_ops::LogSoftmax</c> per row
/// of the last dimension: m = the row's maximum (NaN wins, as SOFTMAX); sum = Exp(x_0 − m) + Exp(x_1 − m) + … in order
/// from +0; out_i = (x_i − m) − Log(sum). TFLite uses the platform's exp and log: a few ulps apart. int8/uint8:
/// TFLite's builtin (kGenericOptimized) float-table form, <c>optimized_ops::LogSoftmax</c>.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxKernel : ReferenceKernel<LogSoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.LogSoftmax).Types;

    protected override void Invoke(KernelContext context, LogSoftmaxParams p)
    {
        if (!p.QuantizedExpTable.IsEmpty)
        {
            if (context.Input(0).Type == TensorType.Int8) Quantized<sbyte>(context, p);
            else Quantized<byte>(context, p);
            return;
        }
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        int depth = p.Depth;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            float max = x[0];
            for (int i = 1; i < depth; i++)
                if (x[i] > max || float.IsNaN(x[i])) max = x[i];
            float sum = 0f;
            for (int i = 0; i < depth; i++) sum += SpecMath.Exp(x[i] - max);
            float logSum = SpecMath.Log(sum);
            for (int i = 0; i < depth; i++) y[i] = x[i] - max - logSum;
        }
    }

    /// <summary>
    /// int8/uint8 (docs/numerics.md §LOG_SOFTMAX), TFLite's <c>optimized_ops::LogSoftmax</c> per row: m = the row's
    /// largest stored value; sum = Σ table[255 − (m − x_j)] in order from +0 (binary32); ls = Log(sum);
    /// c = (s_in · m + ls) / s_out; y_j = (s_in / s_out) · x_j − c; out_j = clamp(RoundHalfEven(clamp(y_j, ±1000)) + z_out).
    /// </summary>
    private static void Quantized<T>(KernelContext context, LogSoftmaxParams p) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        ReadOnlySpan<T> input = context.Input(0).Read<T>();
        Span<T> output = context.Output(0).Write<T>();
        ReadOnlySpan<float> table = p.QuantizedExpTable.Span;
        bool int8 = typeof(T) == typeof(sbyte);
        int min = int8 ? sbyte.MinValue : byte.MinValue, max = int8 ? sbyte.MaxValue : byte.MaxValue;
        const float outputScale = LogSoftmaxDefinition.QuantizedOutputScale;
        float scale = p.InputScale / outputScale;
        int depth = p.Depth;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            int largest = min;
            for (int j = 0; j < depth; j++) largest = Math.Max(largest, int.CreateTruncating(x[j]));
            int offset = 255 - largest;
            float sum = 0f;
            for (int j = 0; j < depth; j++) sum += table[offset + int.CreateTruncating(x[j])];
            float logSum = SpecMath.Log(sum);
            float precomputed = (p.InputScale * largest + logSum) / outputScale;
            for (int j = 0; j < depth; j++)
            {
                float logProbability = scale * int.CreateTruncating(x[j]) - precomputed;
                // Bounded first so a huge s_in (y = ±inf) cannot overflow the int; the clamp below gives the same byte.
                // A NaN (inf − inf) converts to 0, as .NET's (int)NaN.
                float bounded = Math.Clamp(logProbability, -1000f, 1000f);
                int q = (int)MathF.Round(bounded, MidpointRounding.ToEven) + p.OutputZeroPoint;
                y[j] = T.CreateTruncating(Math.Clamp(q, min, max));
            }
        }
    }
}
