using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// L2_NORMALIZATION, float32 (docs/numerics.md §L2_NORMALIZATION), TFLite's <c>reference_ops::L2Normalization</c>
/// per row of the last dimension: sum = x_0·x_0 + x_1·x_1 + … in order from +0 (each product rounded, no FMA);
/// n = sqrt(sum), raised to 1e-6 when below it; out_i = x_i / n (one IEEE division) — TFLite's bits exactly.
/// </summary>
[OpCodes(BuiltinOperator.L2Normalization)]
internal sealed class L2NormalizationKernel : ReferenceKernel<L2NormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Normalization];

    protected override void Invoke(KernelContext context, L2NormalizationParams p)
    {
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
}
