using Accel.Numerics;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// AVERAGE_POOL_2D, float32 (docs/numerics.md §AVERAGE_POOL_2D). Mirrors TFLite's <c>reference_ops::AveragePool</c>:
/// per output element, sum = +0, then sum = sum + v over the in-bounds taps in (ky, kx) order (plain rounded adds),
/// then sum · R(count) with R(count) = RN(1/count) computed here in Prepare (TFLite divides by count: ≤ 1 ulp apart,
/// identical when count is a power of two), then the fused-activation clamp.
/// </summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePool2DKernel : ReferenceKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.AveragePool2D];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.AveragePool2D).Types;

    protected override void Invoke(KernelContext context, Pool2DParams p)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.Pool(context, p, q, average: true);
            return;
        }
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        var g = p.Geometry;
        ReadOnlySpan<float> reciprocalOfCount = p.ReciprocalOfCount.Span;

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
                float reciprocal = reciprocalOfCount[count];
                for (int c = 0; c < depth; c++)
                {
                    float sum = 0f;
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                        sum += input[((b * height + iyOrigin + ky) * width + ixOrigin + kx) * depth + c];
                    output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = g.Activation.Apply(sum * reciprocal);
                }
            }
        }
    }
}
