using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// LOCAL_RESPONSE_NORMALIZATION, float32 (docs/numerics.md §LOCAL_RESPONSE_NORMALIZATION), per channel c of each row:
/// sum = Σ x_j·x_j over j = max(0, c − r) … min(depth − 1, c + r) in increasing j from +0 (each product rounded, no
/// FMA); out_c = x_c · Pow(bias + alpha·sum, −beta) (SpecMath Pow). The symmetric window is TensorFlow's definition
/// and TFLite's optimized kernel's.
/// </summary>
[OpCodes(BuiltinOperator.LocalResponseNormalization)]
internal sealed class LocalResponseNormalizationKernel : ReferenceKernel<LocalResponseNormalizationParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.LocalResponseNormalization];

    protected override void Invoke(KernelContext context, LocalResponseNormalizationParams p)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        int depth = p.Depth;
        float negativeBeta = -p.Beta;
        for (int row = 0; row < p.Rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
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
                float multiplier = SpecMath.Pow(p.Bias + scaled, negativeBeta);
                y[c] = x[c] * multiplier;
            }
        }
    }
}
