using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// DEPTH_TO_SPACE, NHWC (docs/numerics.md §DEPTH_TO_SPACE). Mirrors TFLite's <c>reference_ops::DepthToSpace</c>:
/// out[b, h·bs + dy, w·bs + dx, c] = in[b, h, w, (dy·bs + dx)·C_out + c] with C_out = C_in / bs². A byte move for any
/// fixed-size dtype.
/// </summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceKernel : ReferenceKernel<DepthToSpaceParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthToSpace];
    public override IReadOnlyList<TensorType> Types => OpDefinitions.Get(BuiltinOperator.DepthToSpace).Types;

    protected override void Invoke(KernelContext context, DepthToSpaceParams p)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int bs = p.BlockSize, outputDepth = outputTensor.Dim(3), outputWidth = outputTensor.Dim(2);
        int runBytes = outputDepth * p.ElementSize; // the C_out channels of one (dy, dx) are contiguous on both sides

        for (int b = 0; b < batches; b++)
        for (int h = 0; h < height; h++)
        for (int w = 0; w < width; w++)
        for (int dy = 0; dy < bs; dy++)
        for (int dx = 0; dx < bs; dx++)
        {
            int inputOffset = ((b * height + h) * width + w) * inputDepth + (dy * bs + dx) * outputDepth;
            int outputOffset = ((b * height * bs + h * bs + dy) * outputWidth + w * bs + dx) * outputDepth;
            input.Slice(inputOffset * p.ElementSize, runBytes).CopyTo(output.Slice(outputOffset * p.ElementSize, runBytes));
        }
    }
}
