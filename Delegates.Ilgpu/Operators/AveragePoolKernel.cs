using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// AVERAGE_POOL_2D (float32 NHWC, SAME/VALID, any stride/window, fused clamps) as the reference: taps clipped to the
/// input, a sequential sum from +0 in row-major window order, times the reciprocal of the tap count (the definition's
/// table R[0] = +∞, R[n] = SpecMath.ReciprocalOfCount(n), uploaded at compile), then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.AveragePool2D)]
internal sealed class AveragePoolKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.AveragePool2D];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<Pool2DParams>();
        if (p.Quantized is not null)
        {
            QuantizedKernels.Pool(node, c, p, average: true);
            return;
        }
        var g = WindowShape.ForPool(node, p.Geometry);
        var range = p.Geometry.Activation;
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        // An empty window gives 0 · +∞ = NaN, as the reference.
        var table = c.Upload(p.ReciprocalOfCount.ToArray());
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, ActivationRange, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, table, output, g, range, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> reciprocalOfCount,
        ArrayView<float> output, WindowShape g, ActivationRange range, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int c = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int kyStart = -iyOrigin > 0 ? -iyOrigin : 0;
            int kyEnd = g.FilterHeight < g.InputHeight - iyOrigin ? g.FilterHeight : g.InputHeight - iyOrigin;
            int kxStart = -ixOrigin > 0 ? -ixOrigin : 0;
            int kxEnd = g.FilterWidth < g.InputWidth - ixOrigin ? g.FilterWidth : g.InputWidth - ixOrigin;
            int rows = kyEnd - kyStart > 0 ? kyEnd - kyStart : 0;
            int cols = kxEnd - kxStart > 0 ? kxEnd - kxStart : 0;
            float sum = 0f;
            for (int ky = kyStart; ky < kyEnd; ky++)
            for (int kx = kxStart; kx < kxEnd; kx++)
                sum += input[((b * g.InputHeight + iyOrigin + ky) * g.InputWidth + ixOrigin + kx) * g.InputDepth + c];
            output[i] = range.Apply(sum * reciprocalOfCount[rows * cols]);
        }
    }
}
