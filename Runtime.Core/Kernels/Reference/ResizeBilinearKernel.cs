using Accel.Kernels.Geometry;

using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RESIZE_BILINEAR, float32 NHWC (docs/numerics.md §RESIZE_BILINEAR). Follows TFLite's
/// <c>reference_ops::ResizeBilinear</c> operation for operation: output size from the constant int32 input 1
/// [newH, newW]; scale = in/out (align_corners with out &gt; 1: (in−1)/(out−1)) as one float division here in Prepare;
/// source coordinate in = half_pixel_centers ? (o + 0.5)·scale − 0.5 : o·scale; y0 = max(floor(in), 0),
/// y1 = min(ceil(in), H−1); then four products summed left to right, every operation separately rounded, no FMA.
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearKernel : ReferenceKernel<ResizeBilinearParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.ResizeBilinear).Types;

    protected override void Invoke(KernelContext context, ResizeBilinearParams p)
    {
        if (p.Quantized is { } q)
        {
            QuantizedKernels.ResizeBilinear(context, p, q);
            return;
        }
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        var rows = p.Rows;
        var columns = p.Columns;
        int outputHeight = rows.OutputSize, outputWidth = columns.OutputSize;

        int o = 0;
        for (int b = 0; b < batches; b++)
        for (int y = 0; y < outputHeight; y++)
        {
            float inY = rows.Source[y];
            int y0 = rows.Lower[y], y1 = rows.Upper[y];
            for (int x = 0; x < outputWidth; x++)
            {
                float inX = columns.Source[x];
                int x0 = columns.Lower[x], x1 = columns.Upper[x];
                int row0 = (b * height + y0) * width, row1 = (b * height + y1) * width;
                for (int c = 0; c < depth; c++)
                {
                    float topLeft = input[(row0 + x0) * depth + c];
                    float bottomLeft = input[(row1 + x0) * depth + c];
                    float topRight = input[(row0 + x1) * depth + c];
                    float bottomRight = input[(row1 + x1) * depth + c];
                    // TFLite's expression, evaluated left to right; y0/x0 are converted to float before subtracting.
                    output[o++] = topLeft * (1f - (inY - y0)) * (1f - (inX - x0))
                                + bottomLeft * (inY - y0) * (1f - (inX - x0))
                                + topRight * (1f - (inY - y0)) * (inX - x0)
                                + bottomRight * (inY - y0) * (inX - x0);
                }
            }
        }
    }
}
