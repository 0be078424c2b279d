using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SOFTMAX, float32 (docs/numerics.md §SOFTMAX). Mirrors TFLite's <c>reference_ops::Softmax</c> per row of the last
/// dimension: m = the row's maximum (NaN wins, as MAX_POOL_2D); e_i = Exp((x_i − m) · beta) with one rounded subtract
/// and one rounded multiply; sum = e_0 + e_1 + … in order from +0; out_i = e_i · SoftmaxMultiplier(sum). TFLite
/// divides by the sum and uses its own exp: a few ulps apart.
/// </summary>
internal sealed class SoftmaxKernel : ReferenceKernel<SoftmaxParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Softmax];

    protected override void Invoke(KernelContext context, SoftmaxParams p)
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
}
