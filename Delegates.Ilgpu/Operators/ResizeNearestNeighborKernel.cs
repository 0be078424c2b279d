using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RESIZE_NEAREST_NEIGHBOR (float32 NHWC): out[b, y, x, c] = in[b, row[y], col[x], c] with the source-index tables the
/// definition computed (TFLite's GetNearestNeighbor on the host), uploaded once; a pure copy, bits unchanged.
/// </summary>
[OpCodes(BuiltinOperator.ResizeNearestNeighbor)]
internal sealed class ResizeNearestNeighborKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeNearestNeighbor];

    // Input 1 is the int32 size the definition read.
    public int DeviceInputCount(DelegateNode node) => 1;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ResizeNearestNeighborParams>();
        var inputTensor = node.Inputs[0]!;
        var outputTensor = node.Outputs[0];
        var shape = new ResizeNearestShape(inputTensor.Dim(1), inputTensor.Dim(2), outputTensor.Dim(1), outputTensor.Dim(2), outputTensor.Dim(3));
        var rows = c.Upload(p.SourceRows.ToArray());
        var columns = c.Upload(p.SourceColumns.ToArray());
        var input = c.View(inputTensor);
        var output = c.View(outputTensor);
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, ResizeNearestShape, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, output, rows, columns, shape, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<float> input, ArrayView<float> output, ArrayView<int> rows,
        ArrayView<int> columns, ResizeNearestShape s, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int c = i % s.Depth;
            int rest = i / s.Depth;
            int x = rest % s.OutputWidth;
            rest /= s.OutputWidth;
            int y = rest % s.OutputHeight;
            int b = rest / s.OutputHeight;
            output[i] = input[((b * s.InputHeight + rows[y]) * s.InputWidth + columns[x]) * s.Depth + c];
        }
    }
}

/// <summary>RESIZE_NEAREST_NEIGHBOR's sizes for the kernel.</summary>
internal readonly struct ResizeNearestShape(int inputHeight, int inputWidth, int outputHeight, int outputWidth, int depth)
{
    public readonly int InputHeight = inputHeight;
    public readonly int InputWidth = inputWidth;
    public readonly int OutputHeight = outputHeight;
    public readonly int OutputWidth = outputWidth;
    public readonly int Depth = depth;
}
