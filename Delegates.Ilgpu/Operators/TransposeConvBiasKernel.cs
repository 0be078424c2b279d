using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias (float32; weights OHWI [Cout, KH, KW, Cin], bias [Cout]), as the
/// reference's gather: per output, for ky, for kx, when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) /
/// stride_w are exact and in range, for ci: acc = fma(in, w, acc) from +0; then acc + bias. Strides and padding come
/// from the definition's <see cref="TransposeConvBiasParams"/> (MediaPipe's output size and padding).
/// </summary>
[OpCodes(CustomOps.Convolution2DTransposeBias)]
internal sealed class TransposeConvBiasKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [OpId.OfCustom(CustomOps.Convolution2DTransposeBias)];

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<TransposeConvBiasParams>();
        var inputTensor = node.Inputs[0]!;
        var weightsTensor = node.Inputs[1]!;
        var outputTensor = node.Outputs[0];
        var g = new WindowShape
        {
            InputHeight = inputTensor.Dim(1), InputWidth = inputTensor.Dim(2), InputDepth = inputTensor.Dim(3),
            FilterHeight = weightsTensor.Dim(1), FilterWidth = weightsTensor.Dim(2), FilterDepth = inputTensor.Dim(3),
            OutputHeight = outputTensor.Dim(1), OutputWidth = outputTensor.Dim(2), OutputDepth = outputTensor.Dim(3),
            StrideH = p.StrideH, StrideW = p.StrideW, DilationH = 1, DilationW = 1,
            PadTop = p.PadTop, PadLeft = p.PadLeft, HasBias = 1,
        };
        var input = c.View(inputTensor);
        var weights = c.View(weightsTensor);
        var bias = c.View(node.Inputs[2]!);
        var output = c.View(outputTensor);
        int total = checked((int)outputTensor.ElementCount);
        // Each output gathers its share of the MACs, and walks every (ky, kx) to find the taps that land on it.
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node) + (long)g.FilterHeight * g.FilterWidth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, weights, bias, output, g, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> output, WindowShape g, int total, int chunkSize)
        where TArithmetic : struct, IDeviceArithmetic
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            int oc = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            float acc = 0f;
            for (int ky = 0; ky < g.FilterHeight; ky++)
            {
                // The input row whose scatter through tap ky lands on oy: iy · stride_h − pad_top + ky == oy.
                int rowNumerator = oy + g.PadTop - ky;
                if (rowNumerator < 0 || rowNumerator % g.StrideH != 0) continue;
                int iy = rowNumerator / g.StrideH;
                if (iy >= g.InputHeight) continue;
                for (int kx = 0; kx < g.FilterWidth; kx++)
                {
                    int colNumerator = ox + g.PadLeft - kx;
                    if (colNumerator < 0 || colNumerator % g.StrideW != 0) continue;
                    int ix = colNumerator / g.StrideW;
                    if (ix >= g.InputWidth) continue;
                    int inputOffset = ((b * g.InputHeight + iy) * g.InputWidth + ix) * g.InputDepth;
                    int weightsOffset = ((oc * g.FilterHeight + ky) * g.FilterWidth + kx) * g.InputDepth;
                    for (int ci = 0; ci < g.InputDepth; ci++)
                        acc = default(TArithmetic).FusedMultiplyAdd(input[inputOffset + ci], weights[weightsOffset + ci], acc);
                }
            }
            output[i] = acc + bias[oc];
        }
    }
}
