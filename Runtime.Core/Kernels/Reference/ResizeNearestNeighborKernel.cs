using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR, NHWC (docs/numerics.md §RESIZE_NEAREST_NEIGHBOR). Mirrors TFLite's
/// <c>reference_ops::ResizeNearestNeighbor</c>: out[b, y, x, :] = in[b, row[y], column[x], :] with the source indices
/// computed in Prepare; a byte move of whole pixels, for every dtype alike.
/// </summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborKernel : ReferenceKernel<ResizeNearestNeighborParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeNearestNeighbor];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.ResizeNearestNeighbor).Types;

    protected override void Invoke(KernelContext context, ResizeNearestNeighborParams p)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
        ReadOnlySpan<int> rows = p.SourceRows.Span, columns = p.SourceColumns.Span;
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2);
        int pixelBytes = inputTensor.Dim(3) * p.ElementSize;

        int o = 0;
        for (int b = 0; b < batches; b++)
        for (int y = 0; y < rows.Length; y++)
        {
            int rowStart = (b * height + rows[y]) * width;
            for (int x = 0; x < columns.Length; x++)
            {
                input.Slice((rowStart + columns[x]) * pixelBytes, pixelBytes).CopyTo(output.Slice(o, pixelBytes));
                o += pixelBytes;
            }
        }
    }
}
