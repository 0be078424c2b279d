using System.Numerics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// L2_NORMALIZATION, float32 (docs/numerics.md §L2_NORMALIZATION): per row, the sequential sum of rounded squares,
/// n = max(sqrt(sum), 1e-6), out_i = x_i / n (vectorised: each division is correctly rounded) — the reference's bits;
/// rows split over the pool.
/// </summary>
internal sealed class L2NormalizationCpuKernel : CpuKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    protected override ICpuCompiledNode Compile(DelegateNode node, L2NormalizationParams p) =>
        new ScalarRowsNode<L2NormalizationRow, L2NormalizationParams>(node, p, p.Rows, p.Depth);
}

internal readonly struct L2NormalizationRow : IRowOp<L2NormalizationParams>
{
    public static void Row(ReadOnlySpan<float> x, Span<float> y, L2NormalizationParams p)
    {
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float square = x[i] * x[i];
            sum += square;
        }
        float norm = MathF.Sqrt(sum);
        if (norm < p.Epsilon) norm = p.Epsilon;
        // The divisions are independent and correctly rounded in every lane: vectorised; the sum above is not.
        var divisor = new Vector<float>(norm);
        int j = 0;
        for (; j <= x.Length - Vector<float>.Count; j += Vector<float>.Count) (new Vector<float>(x.Slice(j)) / divisor).CopyTo(y.Slice(j));
        for (; j < x.Length; j++) y[j] = x[j] / norm;
    }
}
