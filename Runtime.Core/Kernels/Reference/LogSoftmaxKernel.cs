using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOG_SOFTMAX, float32 (docs/numerics.md §LOG_SOFTMAX). Mirrors TFLite's <c>reference_ops::LogSoftmax</c> per row
/// of the last dimension: m = the row's maximum (NaN wins, as SOFTMAX); sum = Exp(x_0 − m) + Exp(x_1 − m) + … in order
/// from +0; out_i = (x_i − m) − Log(sum). TFLite uses the platform's exp and log: a few ulps apart.
/// </summary>
[OpCodes(BuiltinOperator.LogSoftmax)]
internal sealed class LogSoftmaxKernel : ReferenceKernel<RowNormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];

    protected override void Invoke(KernelContext context, RowNormalizationParams p)
    {
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
}
