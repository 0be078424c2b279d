using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// L2_POOL_2D, float32 (docs/numerics.md §L2_POOL_2D). Mirrors TFLite's <c>reference_ops::L2Pool</c> operation for
/// operation: per output element, sum = +0, then sum = sum + v·v over the in-bounds taps in (ky, kx) order (each
/// product and sum rounded, no FMA), then sqrt(sum / count) (IEEE division and square root), +inf lowered to FLT_MAX (TFLite's clamp bounds are finite),
/// then the fused-activation clamp.
/// </summary>
[OpCodes(BuiltinOperator.L2Pool2D)]
internal sealed class L2Pool2DKernel : ReferenceKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.L2Pool2D];

    protected override void Invoke(KernelContext context, Pool2DParams p)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        var g = p.Geometry;

        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        {
            var (kyStart, kyEnd) = Pool2DGeometry.Taps(oy, g.StrideH, g.PadTop, g.FilterH, height);
            int iyOrigin = oy * g.StrideH - g.PadTop;
            for (int ox = 0; ox < outputWidth; ox++)
            {
                var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, width);
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                int count = Math.Max(kyEnd - kyStart, 0) * Math.Max(kxEnd - kxStart, 0);
                for (int c = 0; c < depth; c++)
                {
                    float sum = 0f;
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        float v = input[((b * height + iyOrigin + ky) * width + ixOrigin + kx) * depth + c];
                        float square = v * v; // rounded on its own: no contraction into the sum
                        sum += square;
                    }
                    // The tap count converts to float as in TFLite (exactly up to 2^24 taps).
                    float result = MathF.Sqrt(sum / count);
                    // TFLite's float clamp bounds are finite (NONE and RELU clamp at FLT_MAX): an overflowed sum gives FLT_MAX.
                    if (result > float.MaxValue) result = float.MaxValue;
                    output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = g.Activation.Apply(result);
                }
            }
        }
    }
}
