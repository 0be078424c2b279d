using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// SPACE_TO_DEPTH (float32 NHWC): out[b, h, w, (dy·bs + dx)·C_in + c] = in[b, h·bs + dy, w·bs + dx, c], the reference's
/// order, block size from the definition's params; a pure copy, bits unchanged.
/// </summary>
[OpCodes(BuiltinOperator.SpaceToDepth)]
internal sealed class SpaceToDepthKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.SpaceToDepth];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var inputTensor = node.Inputs[0]!;
        var outputTensor = node.Outputs[0];
        var shape = new SpaceToDepthShape(node.ParamsAs<SpaceToDepthParams>().BlockSize, outputTensor.Dim(1), outputTensor.Dim(2),
            inputTensor.Dim(2), inputTensor.Dim(3));
        var input = c.View(inputTensor);
        var output = c.View(outputTensor);
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, SpaceToDepthShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, shape, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, SpaceToDepthShape s,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        int outputDepth = s.InputDepth * s.BlockSize * s.BlockSize;
        for (int i = start; i < end; i++)
        {
            int d = i % outputDepth;
            int rest = i / outputDepth;
            int w = rest % s.OutputWidth;
            rest /= s.OutputWidth;
            int h = rest % s.OutputHeight;
            int b = rest / s.OutputHeight;
            int c = d % s.InputDepth;
            int block = d / s.InputDepth;
            int dy = block / s.BlockSize, dx = block - dy * s.BlockSize;
            int inputHeight = s.OutputHeight * s.BlockSize;
            output[i] = input[((b * inputHeight + h * s.BlockSize + dy) * s.InputWidth + w * s.BlockSize + dx) * s.InputDepth + c];
        }
    }
}

/// <summary>SPACE_TO_DEPTH geometry for the kernel.</summary>
internal readonly struct SpaceToDepthShape(int blockSize, int outputHeight, int outputWidth, int inputWidth, int inputDepth)
{
    public readonly int BlockSize = blockSize;
    public readonly int OutputHeight = outputHeight;
    public readonly int OutputWidth = outputWidth;
    public readonly int InputWidth = inputWidth;
    public readonly int InputDepth = inputDepth;
}
