using System.Buffers.Binary;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// MediaPipe's custom Convolution2DTransposeBias (float32; weights OHWI [Cout, KH, KW, Cin], bias [Cout]; 12-byte
/// TfLiteTransposeConvParams {padding, stride_w, stride_h}), as the reference's gather: per output, for ky, for kx,
/// when (oy + pad_top − ky) / stride_h and (ox + pad_left − kx) / stride_w are exact and in range, for ci:
/// acc = fma(in, w, acc) from +0; then acc + bias. Output size and padding are MediaPipe's.
/// </summary>
internal sealed class TransposeConvBiasOperator : IIlgpuOperator
{
    public const string CustomCode = "Convolution2DTransposeBias";

    private const int PaddingUnknown = 0, PaddingSame = 1, PaddingValid = 2;

    public NodeSupport Supports(DelegateNode node) =>
        GeometryOf(node, out _) is { } refusal ? NodeSupport.Refuse(refusal) : NodeSupport.Supported;

    public void Compile(DelegateNode node, IlgpuCompilation c)
    {
        GeometryOf(node, out var g);
        var input = c.View(node.Inputs[0]!);
        var weights = c.View(node.Inputs[1]!);
        var bias = c.View(node.Inputs[2]!);
        var output = c.View(node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        // Each output gathers about (KH / stride_h)·(KW / stride_w) taps of Cin products.
        long taps = (long)((g.FilterHeight + g.StrideH - 1) / g.StrideH) * ((g.FilterWidth + g.StrideW - 1) / g.StrideW);
        var (chunks, chunkSize) = c.Split(total, taps * g.InputDepth + g.FilterHeight * g.FilterWidth);
        var kernel = c.Load<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry, int, int>(
            c.UsesPtx ? Kernel<PtxArithmetic> : Kernel<HostArithmetic>);
        c.Add(() => kernel(chunks, input, weights, bias, output, g, total, chunkSize), chunks);
    }

    public static void Kernel<TArithmetic>(Index1D chunk, ArrayView<float> input, ArrayView<float> weights, ArrayView<float> bias,
        ArrayView<float> output, ConvGeometry g, int total, int chunkSize)
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

    /// <summary>The reference's Prepare checks and MediaPipe's geometry; null when supported.</summary>
    private static string? GeometryOf(DelegateNode node, out ConvGeometry g)
    {
        g = default;
        if (node.Inputs.Count != 3 || node.Outputs.Count != 1 || node.Inputs.Any(t => t is null))
            return $"{CustomCode} needs input, weights, bias and one output";
        var options = node.CustomOptions.Span;
        if (options.Length != 12)
            return $"{CustomCode}: custom options must be 12 bytes (TfLiteTransposeConvParams), got {options.Length}";
        int padding = BinaryPrimitives.ReadInt32LittleEndian(options);
        int strideW = BinaryPrimitives.ReadInt32LittleEndian(options[4..]);
        int strideH = BinaryPrimitives.ReadInt32LittleEndian(options[8..]);
        if (padding is not (PaddingUnknown or PaddingSame or PaddingValid)) return $"{CustomCode}: padding {padding} is not a TfLitePadding value";
        if (strideW <= 0 || strideH <= 0) return $"{CustomCode}: strides must be positive";
        var input = node.Inputs[0]!;
        var weights = node.Inputs[1]!;
        var bias = node.Inputs[2]!;
        var output = node.Outputs[0];
        if (input.Rank != 4 || weights.Rank != 4 || output.Rank != 4 || weights.Sparsity is not null)
            return $"{CustomCode}: input, dense weights and output must have rank 4";
        if (weights.Dim(3) != input.Dim(3)) return $"{CustomCode}: weights' input depth differs from the input's";
        if (bias.ElementCount != weights.Dim(0)) return $"{CustomCode}: bias size differs from the output depth";
        int inputHeight = input.Dim(1), inputWidth = input.Dim(2);
        if (inputHeight <= 0 || inputWidth <= 0) return $"{CustomCode}: empty input";
        int filterHeight = weights.Dim(1), filterWidth = weights.Dim(2);
        int totalPadH = padding == PaddingSame ? Math.Max(0, filterHeight - (inputHeight - 1) % strideH - 1) : 0;
        int totalPadW = padding == PaddingSame ? Math.Max(0, filterWidth - (inputWidth - 1) % strideW - 1) : 0;
        int outputHeight = strideH * (inputHeight - 1) + filterHeight - totalPadH;
        int outputWidth = strideW * (inputWidth - 1) + filterWidth - totalPadW;
        if (output.Dim(0) != input.Dim(0) || output.Dim(1) != outputHeight || output.Dim(2) != outputWidth || output.Dim(3) != weights.Dim(0))
            return $"{CustomCode}: output {FusedClamp.Format(output.Shape)} does not match the transposed convolution";
        g = new ConvGeometry
        {
            InputHeight = inputHeight, InputWidth = inputWidth, InputDepth = input.Dim(3),
            FilterHeight = filterHeight, FilterWidth = filterWidth, FilterDepth = input.Dim(3),
            OutputHeight = outputHeight, OutputWidth = outputWidth, OutputDepth = weights.Dim(0),
            StrideH = strideH, StrideW = strideW, DilationH = 1, DilationW = 1,
            PadTop = totalPadH / 2, PadLeft = totalPadW / 2, HasBias = 1,
        };
        return null;
    }
}
