using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Accel.Delegates.Cpu.Kernels.Vectorized;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Cpu.Kernels;

/// <summary>
/// LOCAL_RESPONSE_NORMALIZATION, float32 (docs/numerics.md §LOCAL_RESPONSE_NORMALIZATION): per channel, the window's
/// rounded squares summed in channel order, out_c = x_c · Pow(bias + alpha·sum, −beta) — the reference's sequence,
/// vectorized across channels (each lane one channel's own sequential sum; VectorSpecMath.Pow per lane); rows split
/// over the pool.
/// </summary>
[OpCodes(BuiltinOperator.LocalResponseNormalization)]
internal sealed class LocalResponseNormalizationCpuKernel : CpuKernel<LocalResponseNormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LocalResponseNormalization];

    protected override ICpuCompiledNode Compile(DelegateNode node, LocalResponseNormalizationParams p) => SimdWidths.Current switch
    {
        SimdWidth.W512 => new ScalarRowsNode<LocalResponseNormalizationRow<Simd512, Vector512<float>>, LocalResponseNormalizationParams>(node, p, p.Rows, p.Depth),
        SimdWidth.W256 => new ScalarRowsNode<LocalResponseNormalizationRow<Simd256, Vector256<float>>, LocalResponseNormalizationParams>(node, p, p.Rows, p.Depth),
        SimdWidth.W128 => new ScalarRowsNode<LocalResponseNormalizationRow<Simd128, Vector128<float>>, LocalResponseNormalizationParams>(node, p, p.Rows, p.Depth),
        _ => new ScalarRowsNode<LocalResponseNormalizationRow<Scalar, float>, LocalResponseNormalizationParams>(node, p, p.Rows, p.Depth),
    };
}

/// <summary>
/// One row in two passes over the output: (1) each channel's window sum, from +0 adding x_j·x_j for j = lo … hi in
/// order — for channels whose whole window lies inside the row, one lane per channel (lane c adds x[c − r + k]² for
/// k = 0 … 2r, the reference's order), the clipped channels at both ends scalar; (2) out = x · Pow(bias + alpha·sum,
/// −beta) per lane. The output must not alias the input (the delegate's tensors never do).
/// </summary>
internal readonly unsafe struct LocalResponseNormalizationRow<TS, TV> : IRowOp<LocalResponseNormalizationParams>
    where TS : ISimd<TV> where TV : unmanaged
{
    [MethodImpl(JitHints.Hot)]
    public static void Row(ReadOnlySpan<float> x, Span<float> y, LocalResponseNormalizationParams p)
    {
        int depth = x.Length, radius = p.Radius, lanes = TS.Count;
        fixed (float* px = x, py = y)
        {
            int c = 0;
            for (; c < Math.Min(radius, depth); c++) py[c] = WindowSum(px, depth, c, radius);
            for (; (long)c + lanes - 1 + radius <= depth - 1; c += lanes)
            {
                TV sum = TS.Splat(0f);
                float* window = px + (c - radius);
                for (int k = 0; k <= 2 * radius; k++)
                {
                    TV v = TS.Load(window + k);
                    sum = TS.Add(sum, TS.Multiply(v, v));
                }
                TS.Store(py + c, sum);
            }
            for (; c < depth; c++) py[c] = WindowSum(px, depth, c, radius);

            TV alpha = TS.Splat(p.Alpha), bias = TS.Splat(p.Bias), negativeBeta = TS.Splat(-p.Beta);
            int i = 0;
            for (; i + lanes <= depth; i += lanes)
            {
                TV scaled = TS.Multiply(alpha, TS.Load(py + i));
                TS.Store(py + i, TS.Multiply(TS.Load(px + i), VectorSpecMath.Pow<TS, TV>(TS.Add(bias, scaled), negativeBeta)));
            }
            for (; i < depth; i++)
            {
                float scaled = p.Alpha * py[i];
                py[i] = px[i] * SpecMath.Pow(p.Bias + scaled, -p.Beta);
            }
        }
    }

    /// <summary>The reference's window sum of channel <paramref name="c"/> (the window clipped to the row).</summary>
    [MethodImpl(JitHints.Hot)]
    private static float WindowSum(float* x, int depth, int c, int radius)
    {
        int begin = Math.Max(0, c - radius);
        int end = (int)Math.Min(depth - 1, (long)c + radius);
        float sum = 0f;
        for (int j = begin; j <= end; j++)
        {
            float square = x[j] * x[j];
            sum += square;
        }
        return sum;
    }
}
