using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// DEPTH_TO_SPACE (float32 NHWC, any block size): out[b, h·bs + dy, w·bs + dx, c] = in[b, h, w, (dy·bs + dx)·C_out + c],
/// the reference's (TFLite's DCR) order, block size from the definition's params; a pure copy, bits unchanged.
/// </summary>
[OpCodes(BuiltinOperator.DepthToSpace)]
internal sealed class DepthToSpaceKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.DepthToSpace];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var outputTensor = node.Outputs[0];
        var shape = new DepthToSpaceShape(node.ParamsAs<DepthToSpaceParams>().BlockSize, node.Inputs[0]!.Dim(1),
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
