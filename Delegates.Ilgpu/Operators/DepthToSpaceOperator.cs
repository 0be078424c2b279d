using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DEPTH_TO_SPACE (float32 NHWC, any block size): out[b, h·bs + dy, w·bs + dx, c] = in[b, h, w, (dy·bs + dx)·C_out + c],
/// the reference's (TFLite's DCR) order; a pure copy, bits unchanged.
/// </summary>
internal sealed class DepthToSpaceOperator : IIlgpuOperator
{
    public NodeSupport Supports(DelegateNode node)
    {
        if (node.Inputs.Count != 1 || node.Outputs.Count != 1 || node.Inputs[0] is null)
            return NodeSupport.Refuse("DEPTH_TO_SPACE needs one input and one output");
        if (node.Options is not DepthToSpaceOptions { BlockSize: >= 1 } options)
            return NodeSupport.Refuse("DEPTH_TO_SPACE needs options with block_size ≥ 1");
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || output.Rank != 4) return NodeSupport.Refuse("DEPTH_TO_SPACE needs rank-4 NHWC input and output");
        int bs = options.BlockSize;
        if (input.Dim(3) % (bs * bs) != 0)
            return NodeSupport.Refuse($"DEPTH_TO_SPACE: input depth {input.Dim(3)} is not divisible by block_size² = {bs * bs}");
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != input.Dim(1) * bs || output.Dim(2) != input.Dim(2) * bs ||
            output.Dim(3) != input.Dim(3) / (bs * bs))
            return NodeSupport.Refuse($"DEPTH_TO_SPACE: output {FusedClamp.Format(output.Shape)} does not match the input {FusedClamp.Format(input.Shape)}");
        return NodeSupport.Supported;
    }

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var outputTensor = node.Outputs[0];
        var shape = new DepthToSpaceShape(((DepthToSpaceOptions)node.Options!).BlockSize, node.Inputs[0]!.Dim(1),
            node.Inputs[0]!.Dim(2), outputTensor.Dim(2), outputTensor.Dim(3));
        var input = c.View(node.Inputs[0]!);
        var output = c.View(outputTensor);
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, DepthToSpaceShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, DepthToSpaceShape s,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int c = i % s.OutputDepth;
            int rest = i / s.OutputDepth;
            int ox = rest % s.OutputWidth;
            rest /= s.OutputWidth;
            int oy = rest % (s.InputHeight * s.BlockSize);
            int b = rest / (s.InputHeight * s.BlockSize);
            int h = oy / s.BlockSize, dy = oy - h * s.BlockSize;
            int w = ox / s.BlockSize, dx = ox - w * s.BlockSize;
            int inputDepth = s.OutputDepth * s.BlockSize * s.BlockSize;
            output[i] = input[((b * s.InputHeight + h) * s.InputWidth + w) * inputDepth + (dy * s.BlockSize + dx) * s.OutputDepth + c];
        }
    }
}

/// <summary>DEPTH_TO_SPACE geometry for the kernel.</summary>
internal readonly struct DepthToSpaceShape(int blockSize, int inputHeight, int inputWidth, int outputWidth, int outputDepth)
{
    public readonly int BlockSize = blockSize;
    public readonly int InputHeight = inputHeight;
    public readonly int InputWidth = inputWidth;
    public readonly int OutputWidth = outputWidth;
    public readonly int OutputDepth = outputDepth;
}
