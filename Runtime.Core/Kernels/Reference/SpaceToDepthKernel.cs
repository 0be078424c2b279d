using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// SPACE_TO_DEPTH, NHWC (docs/numerics.md §SPACE_TO_DEPTH), TFLite's <c>reference_ops::SpaceToDepth</c>:
/// out[b, h, w, (dy·bs + dx)·C + c] = in[b, h·bs + dy, w·bs + dx, c], the inverse of DEPTH_TO_SPACE. A byte move for any
/// fixed-size dtype.
/// </summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthKernel : ReferenceKernel<SpaceToDepthParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.SpaceToDepth];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.SpaceToDepth).Types;

    protected override void Invoke(KernelContext context, SpaceToDepthParams p)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
        int batches = outputTensor.Dim(0), height = outputTensor.Dim(1), width = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int bs = p.BlockSize, inputDepth = inputTensor.Dim(3), inputWidth = inputTensor.Dim(2);
        int runBytes = inputDepth * p.ElementSize; // the C_in channels of one (dy, dx) are contiguous on both sides

        for (int b = 0; b < batches; b++)
        for (int h = 0; h < height; h++)
        for (int w = 0; w < width; w++)
        for (int dy = 0; dy < bs; dy++)
        for (int dx = 0; dx < bs; dx++)
        {
            int outputOffset = ((b * height + h) * width + w) * outputDepth + (dy * bs + dx) * inputDepth;
            int inputOffset = ((b * height * bs + h * bs + dy) * inputWidth + w * bs + dx) * inputDepth;
            input.Slice(inputOffset * p.ElementSize, runBytes).CopyTo(output.Slice(outputOffset * p.ElementSize, runBytes));
        }
    }
}
