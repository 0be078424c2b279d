using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// MAX_POOL_2D, float32 (docs/numerics.md §MAX_POOL_2D). Mirrors TFLite's <c>reference_ops::MaxPool</c>: per output
/// element, the maximum over the in-bounds taps visited in (ky, kx) order, then the fused-activation clamp.
/// The maximum starts from the first in-bounds tap and takes a later tap v when <c>v &gt; m || isNaN(v)</c>, so any
/// NaN in the window gives NaN and among equal values (−0, +0) the first wins. (TFLite starts from −FLT_MAX with
/// std::max, which ignores NaN and turns an all −∞ window into −FLT_MAX; otherwise the results are identical.)
/// </summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPool2DKernel : ReferenceKernel<Pool2DParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.MaxPool2D];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.MaxPool2D).Types;

    protected override void Invoke(KernelContext context, Pool2DParams p)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.Pool(context, p, q, average: false);
            return;
        }
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
                for (int c = 0; c < depth; c++)
                {
                    float max = float.NaN;
                    bool first = true;
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        float v = input[((b * height + iyOrigin + ky) * width + ixOrigin + kx) * depth + c];
                        if (first || v > max || float.IsNaN(v)) max = v;
                        first = false;
                    }
                    output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = g.Activation.Apply(max);
                }
            }
        }
    }
}
