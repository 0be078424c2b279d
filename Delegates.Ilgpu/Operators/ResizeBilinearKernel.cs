using Accel.Kernels.Geometry;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// RESIZE_BILINEAR (float32 NHWC, constant int32 size, align_corners or half_pixel_centers or neither). The
/// definition computed, with the reference's own float operations, per output row and column (its
/// <see cref="ResizeBilinearParams.Rows"/> and <see cref="ResizeBilinearParams.Columns"/>): the source coordinate in,
/// the neighbours lower = max(floor(in), 0) and upper = min(ceil(in), size − 1), and the weights d = in − lower and
/// 1 − d; these tables are uploaded at compile time. Per output element the kernel evaluates the reference's
/// ((tl·(1−dy))·(1−dx) + (bl·dy)·(1−dx)) + (tr·(1−dy))·dx + (br·dy)·dx left to right, every product and sum rounded
/// separately (explicit non-contractible multiplies and adds on CUDA).
/// </summary>
[OpCodes(BuiltinOperator.ResizeBilinear)]
internal sealed class ResizeBilinearKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.ResizeBilinear];

    public int DeviceInputCount(DelegateNode node) => Math.Min(1, node.Inputs.Count);

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, .. QuantizedKernels.Types];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<ResizeBilinearParams>();
        if (p.Quantized is { } q)
        {
            QuantizedKernels.ResizeBilinear(node, c, p, q);
            return;
        }
        var inputTensor = node.Inputs[0]!;
        var outputTensor = node.Outputs[0];
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        // Tables: rows then columns; weights [1 − d (lower), d (upper)] and neighbours [lower, upper] per output index.
        var weights = new float[2 * outputHeight + 2 * outputWidth];
        var neighbours = new int[2 * outputHeight + 2 * outputWidth];
        Write(p.Rows, weights, neighbours, 0);
        Write(p.Columns, weights, neighbours, 2 * outputHeight);
        var shape = new ResizeShape(inputTensor.Dim(1), inputTensor.Dim(2), outputHeight, outputWidth, outputTensor.Dim(3));
        var input = c.View(inputTensor);
        var output = c.View(outputTensor);
        var weightsView = c.Upload(weights);
        var neighboursView = c.Upload(neighbours);
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, 12);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ResizeShape, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, weightsView, neighboursView, output, shape, total, chunkSize), chunks);
    }

    /// <summary>
    /// One dimension's interpolation values (the reference's own floats) written into the tables at <paramref name="at"/>:
    /// weights[at + o] = 1 − d, weights[at + n + o] = d, and the neighbours likewise.
    /// </summary>
    private static void Write(ResizeBilinearAxis axis, float[] weights, int[] neighbours, int at)
    {
        int n = axis.OutputSize;
        axis.LowerWeight.CopyTo(weights.AsSpan(at, n));
        axis.UpperWeight.CopyTo(weights.AsSpan(at + n, n));
        axis.Lower.CopyTo(neighbours.AsSpan(at, n));
        axis.Upper.CopyTo(neighbours.AsSpan(at + n, n));
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<int> neighbours,
        ArrayView<float> output, ResizeShape s, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        var a = default(TArithmetic);
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        int columns = 2 * s.OutputHeight;
        for (int i = start; i < end; i++)
        {
            int c = i % s.Depth;
            int rest = i / s.Depth;
            int x = rest % s.OutputWidth;
            rest /= s.OutputWidth;
            int y = rest % s.OutputHeight;
            int b = rest / s.OutputHeight;
            float wy0 = weights[y], dy = weights[s.OutputHeight + y];
            float wx0 = weights[columns + x], dx = weights[columns + s.OutputWidth + x];
            int y0 = neighbours[y], y1 = neighbours[s.OutputHeight + y];
            int x0 = neighbours[columns + x], x1 = neighbours[columns + s.OutputWidth + x];
            int row0 = (b * s.InputHeight + y0) * s.InputWidth, row1 = (b * s.InputHeight + y1) * s.InputWidth;
            float t1 = a.Multiply(a.Multiply(input[(row0 + x0) * s.Depth + c], wy0), wx0);
            float t2 = a.Multiply(a.Multiply(input[(row1 + x0) * s.Depth + c], dy), wx0);
            float t3 = a.Multiply(a.Multiply(input[(row0 + x1) * s.Depth + c], wy0), dx);
            float t4 = a.Multiply(a.Multiply(input[(row1 + x1) * s.Depth + c], dy), dx);
            output[i] = a.Add(a.Add(a.Add(t1, t2), t3), t4);
        }
    }
}

/// <summary>RESIZE_BILINEAR geometry for the kernel.</summary>
internal readonly struct ResizeShape(int inputHeight, int inputWidth, int outputHeight, int outputWidth, int depth)
{
    public readonly int InputHeight = inputHeight;
    public readonly int InputWidth = inputWidth;
    public readonly int OutputHeight = outputHeight;
    public readonly int OutputWidth = outputWidth;
    public readonly int Depth = depth;
}
