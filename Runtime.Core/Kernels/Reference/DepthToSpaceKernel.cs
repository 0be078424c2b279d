namespace Accel.Kernels.Reference;

/// <summary>
/// DEPTH_TO_SPACE, NHWC (docs/numerics.md §DEPTH_TO_SPACE). Mirrors TFLite's <c>reference_ops::DepthToSpace</c>:
/// out[b, h·bs + dy, w·bs + dx, c] = in[b, h, w, (dy·bs + dx)·C_out + c] with C_out = C_in / bs². A byte move for any
/// fixed-size dtype.
/// </summary>
public sealed class DepthToSpaceKernel : IKernel
{
    private int _blockSize;
    private int _elementSize;

    public void Prepare(KernelContext context)
    {
        context.ExpectArity(1, 1, 1);
        var options = context.OptionsAs<DepthToSpaceOptions>();
        var input = context.Input(0);
        var output = context.Output(0);
        context.ExpectRank(input, 4, "input");
        context.ExpectType(output, input.Type, "output");
        _elementSize = input.Type.ElementSize();
        if (_elementSize == 0)
            throw context.Error($"input '{input.Name}' has dtype {input.Type.ToDisplayName()}, which DEPTH_TO_SPACE does not support");
        _blockSize = options.BlockSize;
        if (_blockSize < 1) throw context.Error($"block_size must be at least 1, is {_blockSize}");
        int blockArea = _blockSize * _blockSize;
        if (input.Dim(3) % blockArea != 0)
            throw context.Error($"input depth {input.Dim(3)} is not divisible by block_size² = {blockArea}");
        context.SetOutputShape(0, [input.Dim(0), input.Dim(1) * _blockSize, input.Dim(2) * _blockSize, input.Dim(3) / blockArea]);
    }

    public void Invoke(KernelContext context)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int bs = _blockSize, outputDepth = outputTensor.Dim(3), outputWidth = outputTensor.Dim(2);
        int runBytes = outputDepth * _elementSize; // the C_out channels of one (dy, dx) are contiguous on both sides

        for (int b = 0; b < batches; b++)
        for (int h = 0; h < height; h++)
        for (int w = 0; w < width; w++)
        for (int dy = 0; dy < bs; dy++)
        for (int dx = 0; dx < bs; dx++)
        {
            int inputOffset = ((b * height + h) * width + w) * inputDepth + (dy * bs + dx) * outputDepth;
            int outputOffset = ((b * height * bs + h * bs + dy) * outputWidth + w * bs + dx) * outputDepth;
            input.Slice(inputOffset * _elementSize, runBytes).CopyTo(output.Slice(outputOffset * _elementSize, runBytes));
        }
    }
}
