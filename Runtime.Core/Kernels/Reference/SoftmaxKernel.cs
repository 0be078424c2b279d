using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SOFTMAX, float32 (docs/numerics.md §SOFTMAX). Mirrors TFLite's <c>reference_ops::Softmax</c> per row of the last
/// dimension: m = the row's maximum (NaN wins, as MAX_POOL_2D); e_i = Exp((x_i − m) · beta) with one rounded subtract
/// and one rounded multiply; sum = e_0 + e_1 + … in order from +0; out_i = e_i · SoftmaxMultiplier(sum). TFLite
/// divides by the sum and uses its own exp: a few ulps apart. int8/uint8: TFLite's float-table kernel; int16x8:
/// reference_ops::SoftmaxInt16 (<see cref="Int16x8Kernels.Softmax"/>).
/// </summary>
[OpCodes(BuiltinOperator.Softmax)]
internal sealed class SoftmaxKernel : ReferenceKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.Softmax).Types;

    protected override void Invoke(KernelContext context, SoftmaxParams p)
    {
        if (p.Int16 is { } int16)
        {
            // int16x8: TFLite's reference_ops::SoftmaxInt16 (docs/numerics.md §Quantized execution, int16x8).
            Int16x8Kernels.Softmax(context.Input(0).Read<short>(), context.Output(0).Write<short>(), p.Rows, p.Depth, int16);
            return;
        }
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
            for (int i = 0; i < depth; i++)
            {
                float e = SpecMath.Exp((x[i] - max) * p.Beta);
                y[i] = e;
                sum += e;
            }
            float multiplier = SpecMath.SoftmaxMultiplier(sum);
            for (int i = 0; i < depth; i++) y[i] *= multiplier;
        }
    }

    /// <summary>
    /// int8/uint8 (docs/numerics.md §Quantized execution), TFLite's table form per row: m = the row's largest stored
    /// value; sum = Σ table[255 − (m − x_j)] in order from +0 (binary32); r = 1 / (sum · s_out) (one multiply, one
    /// division); y_j = table[255 − (m − x_j)] · r, then int8: clamp((int)round(y_j) + z_out) with halves away from
    /// zero, uint8: clamp((int)(y_j + 0.5)) as TFLite's x86/wasm kernel (zero point 0).
    /// </summary>
    private static void Quantized<T>(KernelContext context, SoftmaxParams p) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        ReadOnlySpan<T> input = context.Input(0).Read<T>();
        Span<T> output = context.Output(0).Write<T>();
        ReadOnlySpan<float> table = p.QuantizedExpTable.Span;
        bool int8 = typeof(T) == typeof(sbyte);
        int min = int8 ? sbyte.MinValue : byte.MinValue, max = int8 ? sbyte.MaxValue : byte.MaxValue;
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
            float inverse = 1f / (sum * p.QuantizedOutput.Scale);
            for (int j = 0; j < depth; j++)
            {
                float rescaled = table[offset + int.CreateTruncating(x[j])] * inverse;
                int q = int8
                    ? (int)MathF.Round(rescaled, MidpointRounding.AwayFromZero) + p.QuantizedOutput.ZeroPoint
                    : (int)(rescaled + 0.5f);
                y[j] = T.CreateTruncating(Math.Clamp(q, min, max));
            }
        }
    }
}
