using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// TRANSPOSE_CONV (builtin, float32; inputs output_shape (read by the definition), weights OHWI, input, optional bias)
/// as the reference's gather (<see cref="TransposeConvolution"/>): per output, for ky, for kx, when
/// (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) / stride_w are exact and in range, for ci:
/// acc = fma(in, w, acc) from +0; then + bias when present; then the fused clamp. Strides, padding and clamp from the
/// definition's <see cref="TransposeConvParams"/>. int8 and uint8 (<see cref="QuantizedKernel"/>): the same taps summing
/// (x + input offset)·(w + weights offset) in wrapping int32 (exact, so TFLite's scatter order gives the same sum), + bias, the output
/// channel's MultiplyByQuantizedMultiplier (64-bit integers), + output zero point, the clamp: the reference's
/// <see cref="QuantizedTransposeConv"/> bit for bit.
/// </summary>
[OpCodes(BuiltinOperator.TransposeConv)]
internal sealed class TransposeConvKernel : IIlgpuKernel
{
    public IReadOnlyList<OpId> Ops => [BuiltinOperator.TransposeConv];

    public IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    // Input 0 is the int32 output_shape the definition read; the kernel reads inputs 1.. on the device.
    public int DeviceInputStart(DelegateNode node) => 1;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        var p = node.ParamsAs<TransposeConvParams>();
        var weightsTensor = node.Inputs[1]!;
        var inputTensor = node.Inputs[2]!;
        var outputTensor = node.Outputs[0];
        var g = new WindowShape
        {
            InputHeight = inputTensor.Dim(1), InputWidth = inputTensor.Dim(2), InputDepth = inputTensor.Dim(3),
            FilterHeight = weightsTensor.Dim(1), FilterWidth = weightsTensor.Dim(2), FilterDepth = inputTensor.Dim(3),
            OutputHeight = outputTensor.Dim(1), OutputWidth = outputTensor.Dim(2), OutputDepth = outputTensor.Dim(3),
            StrideH = p.StrideH, StrideW = p.StrideW, DilationH = 1, DilationW = 1,
            PadTop = p.PadTop, PadLeft = p.PadLeft, HasBias = p.HasBias ? 1 : 0,
        };
        if (p.Quantized is { } q)
        {
            CompileQuantized(node, c, g, q);
            return;
        }
        var input = c.View(inputTensor);
        var weights = c.View(weightsTensor);
        // Without a bias the kernel never reads this view; any valid view will do.
        var bias = p.HasBias ? c.View(node.Inputs[3]!) : weights;
        var output = c.View(outputTensor);
        var range = p.Activation;
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node) + (long)g.FilterHeight * g.FilterWidth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, WindowShape, ActivationRange, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, weights, bias, output, g, range, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> output, WindowShape g, ActivationRange range, int total, int chunkSize)
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
            float value = g.HasBias != 0 ? acc + bias[oc] : acc;
            output[i] = range.Apply(value);
        }
    }

    private static void CompileQuantized(DelegateNode node, IlgpuCompilation c, WindowShape g, QuantizedConvParams q)
    {
        var outputTensor = node.Outputs[0];
        int total = checked((int)outputTensor.ElementCount);
        if (total == 0) return;
        var input = QuantizedKernels.Bytes(c, node.Inputs[2]!);
        var weights = QuantizedKernels.Bytes(c, node.Inputs[1]!);
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int ch = 0; ch < q.Multipliers.Length; ch++)
            (multipliers[2 * ch], multipliers[2 * ch + 1]) = (q.Multipliers[ch].Multiplier, q.Multipliers[ch].Shift);
        var multiplierView = c.Upload(multipliers);
        // Without a bias the kernel never reads this view; any valid view will do.
        var bias = g.HasBias != 0 ? c.View(node.Inputs[3]!).Cast<int>() : multiplierView;
        var output = QuantizedKernels.Bytes(c, outputTensor);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node) + (long)g.FilterHeight * g.FilterWidth);
        var args = new ConvArgs(q.InputOffset, q.FilterOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax,
            node.Inputs[2]!.Type == TensorType.Int8 ? 1 : 0, total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, ArrayView<byte>, WindowShape, ConvArgs>(QuantizedKernel);
        c.Add(() => kernel(chunks, input, weights, bias, multiplierView, output, g, args), chunks);
    }

    public static void QuantizedKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> weights, ArrayView<int> bias,
        ArrayView<int> multipliers, ArrayView<byte> output, WindowShape g, ConvArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            int oc = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int acc = 0;
            for (int ky = 0; ky < g.FilterHeight; ky++)
            {
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
                        acc = unchecked(acc + (QuantizedKernels.Load(input, inputOffset + ci, q.Signed) + q.InputOffset)
                            * (QuantizedKernels.Load(weights, weightsOffset + ci, q.Signed) + q.FilterOffset));
                }
            }
            if (g.HasBias != 0) acc = unchecked(acc + bias[oc]);
            int scaled = Quantization.MultiplyByQuantizedMultiplier(acc, multipliers[2 * oc], multipliers[2 * oc + 1]);
            output[i] = QuantizedKernels.Clamp(scaled + q.OutputOffset, q.ActivationMin, q.ActivationMax);
        }
    }
}
