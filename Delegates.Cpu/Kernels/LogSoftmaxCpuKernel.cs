using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// LOG_SOFTMAX, float32 (docs/numerics.md §LOG_SOFTMAX): per row, m = the maximum (NaN wins), sum of Exp(x_i − m) in
/// order, out_i = (x_i − m) − Log(sum) — the reference's sequence; rows split over the pool.
/// </summary>
internal sealed class LogSoftmaxCpuKernel : CpuKernel<RowNormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LogSoftmax];

    protected override ICpuCompiledNode Compile(DelegateNode node, RowNormalizationParams p) =>
        new ScalarRowsNode<LogSoftmaxRow, RowNormalizationParams>(node, p, p.Rows, p.Depth);
}

internal readonly struct LogSoftmaxRow : IRowOp<RowNormalizationParams>
{
    public static void Row(ReadOnlySpan<float> x, Span<float> y, RowNormalizationParams p)
    {
        float max = x[0];
        for (int i = 1; i < x.Length; i++)
            if (x[i] > max || float.IsNaN(x[i])) max = x[i];
        float sum = 0f;
        for (int i = 0; i < x.Length; i++) sum += SpecMath.Exp(x[i] - max);
        float logSum = SpecMath.Log(sum);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] - max - logSum;
    }
}
