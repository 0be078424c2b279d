using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// LOCAL_RESPONSE_NORMALIZATION, float32 (docs/numerics.md §LOCAL_RESPONSE_NORMALIZATION): per channel, the window's
/// rounded squares summed in channel order, out_c = x_c · Pow(bias + alpha·sum, −beta) — the reference's sequence;
/// rows split over the pool.
/// </summary>
internal sealed class LocalResponseNormalizationCpuKernel : CpuKernel<LocalResponseNormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LocalResponseNormalization];

    protected override ICpuCompiledNode Compile(DelegateNode node, LocalResponseNormalizationParams p) =>
        new ScalarRowsNode<LocalResponseNormalizationRow, LocalResponseNormalizationParams>(node, p, p.Rows, p.Depth);
}

internal readonly struct LocalResponseNormalizationRow : IRowOp<LocalResponseNormalizationParams>
{
    public static void Row(ReadOnlySpan<float> x, Span<float> y, LocalResponseNormalizationParams p)
    {
        int depth = x.Length;
        float negativeBeta = -p.Beta;
        for (int c = 0; c < depth; c++)
        {
            int begin = Math.Max(0, c - p.Radius);
            int end = Math.Min(depth - 1, c + p.Radius);
            float sum = 0f;
            for (int j = begin; j <= end; j++)
            {
                float square = x[j] * x[j];
                sum += square;
            }
            float scaled = p.Alpha * sum;
            y[c] = x[c] * SpecMath.Pow(p.Bias + scaled, negativeBeta);
        }
    }
}
