using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MAX_POOL_2D (float32 NHWC, SAME/VALID, any stride/window, fused clamps) as the reference: taps clipped to the
/// input, row-major over the window; the first tap seeds the maximum, a larger tap or a NaN (v != v) replaces it, so
/// NaN sticks; an empty window gives NaN; then the clamp.
/// </summary>
[OpCodes(BuiltinOperator.MaxPool2D)]
internal sealed class MaxPoolKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.MaxPool2D];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        if (node.ParamsAs<Pool2DParams>().Quantized is not null)
        {
            QuantizedKernels.Pool(node, c, node.ParamsAs<Pool2DParams>(), average: false);
            return;
        }
        var geometry = node.ParamsAs<Pool2DParams>().Geometry;
        var g = WindowShape.ForPool(node, geometry);
        var range = geometry.Activation;
        var input = c.View(node.Inputs[0]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, WindowShape, ActivationRange, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, g, range, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, WindowShape g,
        ActivationRange range, int total, int chunkSize)
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
            float max = float.NaN;
            bool first = true;
            for (int ky = kyStart; ky < kyEnd; ky++)
            for (int kx = kxStart; kx < kxEnd; kx++)
            {
                float v = input[((b * g.InputHeight + iyOrigin + ky) * g.InputWidth + ixOrigin + kx) * g.InputDepth + c];
#pragma warning disable CS1718 // v != v is the IsNaN test, written as a comparison every backend compiles
                if (first || v > max || v != v) max = v;
#pragma warning restore CS1718
                first = false;
            }
            output[i] = range.Apply(max);
        }
    }
}
