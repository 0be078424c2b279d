using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// The dynamic-range (hybrid) kernels: float32 activations quantized per batch row on the fly, int8 weights, int32
/// accumulation, a float rescale. The operation order is TFLite's (fully_connected.cc EvalHybrid and
/// portable_tensor_utils.cc SymmetricQuantizeFloats / AsymmetricQuantizeFloats / MatrixBatchVectorMultiplyAccumulate),
/// written down in docs/numerics.md §Hybrid kernels.
/// </summary>
internal static class HybridKernels
{
    /// <summary>
    /// FULLY_CONNECTED with int8 weights [Units, Depth]: output = bias (or +0); unless the whole input is zero, each
    /// row is quantized and output[u] += (float)dot · scale; then the fused activation (TFLite's ActivationFunctor).
    /// </summary>
    public static void FullyConnected(KernelContext context, FullyConnectedParams p, HybridWeightsParams h)
    {
        ReadOnlySpan<float> input = context.Input(0).Read<float>();
        ReadOnlySpan<sbyte> weights = context.Input(1).Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = context.Output(0).Write<float>();
        int units = p.Units, depth = p.Depth, batch = p.Batch;
        var activation = context.OptionsAs<FullyConnectedOptions>().FusedActivation;

        for (int b = 0; b < batch; b++)
        for (int u = 0; u < units; u++)
            output[b * units + u] = bias.IsEmpty ? 0f : bias[u];

        // TFLite skips the products when every input is zero (IsZeroVector: -0 counts as zero), keeping bias bits.
        if (!IsZeroVector(input[..(batch * depth)]))
        {
            Span<sbyte> quantized = h.Scratch.QuantizedRow.AsSpan(0, depth);
            Span<int> rowSums = h.Scratch.RowSums.AsSpan(0, units);
            if (h.AsymmetricInputs) RowSums(weights, units, depth, rowSums);
            for (int b = 0; b < batch; b++)
            {
                context.ThrowIfCancellationRequested();
                var row = input.Slice(b * depth, depth);
                int offset = 0;
                float scalingFactor = h.AsymmetricInputs
                    ? AsymmetricQuantize(row, quantized, out offset)
                    : SymmetricQuantize(row, quantized);
                // Per tensor, the weights' scale is folded into the row's factor first (scaling_factors[b] *= scale).
                if (!h.PerChannel) scalingFactor *= h.Scales[0];
                for (int u = 0; u < units; u++)
                {
                    var w = weights.Slice(u * depth, depth);
                    int dot = 0;
                    for (int k = 0; k < depth; k++) dot = unchecked(dot + w[k] * quantized[k]);
                    if (h.AsymmetricInputs) dot = unchecked(dot - rowSums[u] * offset);
                    float scale = h.PerChannel ? scalingFactor * h.Scales[u] : scalingFactor;
                    float product = dot * scale;
                    output[b * units + u] += product;
                }
            }
        }

        for (int i = 0; i < batch * units; i++) output[i] = Activate(activation, output[i]);
    }

    /// <summary>
    /// CONV_2D with int8 per-channel filters (TFLite's conv.cc EvalHybridPerChannel with optimized_ops::HybridConvPerChannel,
    /// its default kernel): each batch image quantized asymmetrically as one row; per output element the exact int32
    /// acc = Σ w·(q − z) over the taps inside the input (im2col pads with z, so outside taps add 0); then
    /// (float)acc · (s_c · f) + bias, clamped with min then max to the activation's float range (±FLT_MAX for NONE).
    /// </summary>
    public static void Conv2D(KernelContext context, Conv2DParams p, HybridWeightsParams h)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int imageSize = inputHeight * inputWidth * depth;
        var (min, max) = ClampRange(context.OptionsAs<Conv2DOptions>().FusedActivation);
        Span<sbyte> quantized = h.Scratch.QuantizedRow.AsSpan(0, imageSize);

        for (int b = 0; b < batches; b++)
        {
            float factor = AsymmetricQuantize(input.Slice(b * imageSize, imageSize), quantized, out int zero);
            for (int oy = 0; oy < outputHeight; oy++)
            {
                context.ThrowIfCancellationRequested();
                for (int ox = 0; ox < outputWidth; ox++)
                for (int oc = 0; oc < outputDepth; oc++)
                {
                    int acc = ConvTapSum(quantized, filter, g, inputHeight, inputWidth, depth, filterHeight, filterWidth, oy, ox, oc, zero);
                    float scale = h.Scales[oc] * factor;
                    float value = acc * scale;
                    if (!bias.IsEmpty) value += bias[oc];
                    value = max < value ? max : value;   // cwiseMin(max), then cwiseMax(min)
                    value = value < min ? min : value;
                    output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = value;
                }
            }
        }
    }

    /// <summary>
    /// CONV_2D with an int8 per-tensor filter (or per-channel scales all equal), TFLite's conv.cc EvalHybrid with
    /// optimized_ops::HybridConv: each batch image quantized symmetrically as one row, its factor times the filter scale;
    /// the output zero-filled, then out += (float)acc · factor (acc the exact int32 sum over the taps inside the input,
    /// im2col pads with 0), then + bias and the clamp max(·, min) then min(·, max) (BiasAndClamp).
    /// </summary>
    public static void Conv2DPerTensor(KernelContext context, Conv2DParams p, HybridWeightsParams h)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int imageSize = inputHeight * inputWidth * depth;
        var (min, max) = ClampRange(context.OptionsAs<Conv2DOptions>().FusedActivation);
        Span<sbyte> quantized = h.Scratch.QuantizedRow.AsSpan(0, imageSize);

        for (int b = 0; b < batches; b++)
        {
            float factor = SymmetricQuantize(input.Slice(b * imageSize, imageSize), quantized);
            factor *= h.Scales[0];   // scaling_factors_ptr[b] *= filter->params.scale
            for (int oy = 0; oy < outputHeight; oy++)
            {
                context.ThrowIfCancellationRequested();
                for (int ox = 0; ox < outputWidth; ox++)
                for (int oc = 0; oc < outputDepth; oc++)
                {
                    int acc = ConvTapSum(quantized, filter, g, inputHeight, inputWidth, depth, filterHeight, filterWidth, oy, ox, oc, zero: 0);
                    float product = acc * factor;
                    float value = 0f + product;   // the zero-filled output accumulates (−0 becomes +0)
                    if (!bias.IsEmpty) value += bias[oc];
                    value = value < min ? min : value;   // std::max(x, min), then std::min(x, max)
                    value = max < value ? max : value;
                    output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = value;
                }
            }
        }
    }

    /// <summary>
    /// CONV_2D's exact int32 Σ w·(q − zero) for output (oy, ox, oc) over the taps inside the input (im2col pads with the
    /// zero point, so outside taps add 0), wrapping as TFLite's int32 accumulator does; zero 0 for the symmetric form.
    /// </summary>
    private static int ConvTapSum(
        ReadOnlySpan<sbyte> quantized, ReadOnlySpan<sbyte> filter, ConvGeometry g, int inputHeight, int inputWidth, int depth,
        int filterHeight, int filterWidth, int oy, int ox, int oc, int zero)
    {
        int acc = 0;
        for (int ky = 0; ky < filterHeight; ky++)
        {
            int iy = oy * g.StrideH - g.PadTop + ky;
            if (iy < 0 || iy >= inputHeight) continue;
            for (int kx = 0; kx < filterWidth; kx++)
            {
                int ix = ox * g.StrideW - g.PadLeft + kx;
                if (ix < 0 || ix >= inputWidth) continue;
                var q = quantized.Slice((iy * inputWidth + ix) * depth, depth);
                var w = filter.Slice(((oc * filterHeight + ky) * filterWidth + kx) * depth, depth);
                for (int c = 0; c < depth; c++) acc = unchecked(acc + w[c] * (q[c] - zero));
            }
        }
        return acc;
    }

    /// <summary>
    /// DEPTHWISE_CONV_2D with an int8 per-channel filter [1, KH, KW, Cout], TFLite's depthwise_conv.cc
    /// EvalHybridPerChannel with its default kernel optimized_integer_ops::DepthwiseConvHybridPerChannel (the generic
    /// path): each batch image quantized asymmetrically as one row; acc = Σ w·(q − z) over the taps inside the input
    /// (dilation honoured); ((float)acc · f) · s_c, + bias, then max(·, min) and min(·, max).
    /// </summary>
    public static void DepthwiseConv2D(KernelContext context, DepthwiseConv2DParams p, HybridWeightsParams h)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int multiplier = p.DepthMultiplier;
        int imageSize = inputHeight * inputWidth * inputDepth;
        var (min, max) = ClampRange(context.OptionsAs<DepthwiseConv2DOptions>().FusedActivation);
        Span<sbyte> quantized = h.Scratch.QuantizedRow.AsSpan(0, imageSize);

        for (int b = 0; b < batches; b++)
        {
            float factor = AsymmetricQuantize(input.Slice(b * imageSize, imageSize), quantized, out int zero);
            for (int oy = 0; oy < outputHeight; oy++)
            {
                context.ThrowIfCancellationRequested();
                for (int ox = 0; ox < outputWidth; ox++)
                for (int oc = 0; oc < outputDepth; oc++)
                {
                    int ic = oc / multiplier;
                    int acc = 0;
                    for (int ky = 0; ky < filterHeight; ky++)
                    {
                        int iy = oy * g.StrideH - g.PadTop + ky * g.DilationH;
                        if (iy < 0 || iy >= inputHeight) continue;
                        for (int kx = 0; kx < filterWidth; kx++)
                        {
                            int ix = ox * g.StrideW - g.PadLeft + kx * g.DilationW;
                            if (ix < 0 || ix >= inputWidth) continue;
                            int w = filter[(ky * filterWidth + kx) * outputDepth + oc];
                            acc = unchecked(acc + w * (quantized[(iy * inputWidth + ix) * inputDepth + ic] - zero));
                        }
                    }
                    float value = acc * factor * h.Scales[oc];   // acc * input_scale * per_channel_scales[c], left to right
                    if (!bias.IsEmpty) value += bias[oc];
                    value = value < min ? min : value;   // std::max(x, min), then std::min(x, max)
                    value = max < value ? max : value;
                    output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = value;
                }
            }
        }
    }

    /// <summary>
    /// TRANSPOSE_CONV with int8 weights OHWI [Cout, KH, KW, Cin] (one scale per output channel), TFLite's
    /// transpose_conv.cc EvalHybrid with reference_ops::HybridTransposeConv: each batch image quantized asymmetrically as
    /// one row; every product is rescaled on its own, t = ((float)((q − z)·w) · s_c) · f, and summed in binary32 into a
    /// zeroed output in the scatter's order (input row, column, channel ascending), then + bias, then max(·, min) and
    /// min(·, max). Gathered here: for one output, the input rows through the taps ky (descending) ascend, likewise the
    /// columns, so the order of the float additions is TFLite's.
    /// </summary>
    public static void TransposeConv(KernelContext context, TransposeConvParams p, HybridWeightsParams h)
    {
        var weightsTensor = context.Input(1);
        var inputTensor = context.Input(2);
        var biasTensor = context.OptionalInput(3);
        var outputTensor = context.Output(0);
        ReadOnlySpan<float> input = inputTensor.Read<float>();
        ReadOnlySpan<sbyte> weights = weightsTensor.Read<sbyte>();
        ReadOnlySpan<float> bias = biasTensor is null ? default : biasTensor.Read<float>();
        Span<float> output = outputTensor.Write<float>();
        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = weightsTensor.Dim(1), filterWidth = weightsTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        int imageSize = inputHeight * inputWidth * inputDepth;
        var (min, max) = ClampRange(context.OptionsAs<TransposeConvOptions>().FusedActivation);
        Span<sbyte> quantized = h.Scratch.QuantizedRow.AsSpan(0, imageSize);

        for (int b = 0; b < batches; b++)
        {
            float factor = AsymmetricQuantize(input.Slice(b * imageSize, imageSize), quantized, out int zero);
            for (int oy = 0; oy < outputHeight; oy++)
            {
                context.ThrowIfCancellationRequested();
                for (int ox = 0; ox < outputWidth; ox++)
                for (int oc = 0; oc < outputDepth; oc++)
                {
                    float scale = h.Scales[oc];
                    float acc = 0f;
                    for (int ky = filterHeight - 1; ky >= 0; ky--)
                    {
                        // The input row whose scatter through tap ky lands on oy: iy * stride_h - pad_top + ky == oy.
                        int rowNumerator = oy + p.PadTop - ky;
                        if (rowNumerator < 0 || rowNumerator % p.StrideH != 0) continue;
                        int iy = rowNumerator / p.StrideH;
                        if (iy >= inputHeight) continue;
                        for (int kx = filterWidth - 1; kx >= 0; kx--)
                        {
                            int colNumerator = ox + p.PadLeft - kx;
                            if (colNumerator < 0 || colNumerator % p.StrideW != 0) continue;
                            int ix = colNumerator / p.StrideW;
                            if (ix >= inputWidth) continue;
                            int inputOffset = (iy * inputWidth + ix) * inputDepth;
                            int weightsOffset = ((oc * filterHeight + ky) * filterWidth + kx) * inputDepth;
                            for (int ci = 0; ci < inputDepth; ci++)
                            {
                                int product = (quantized[inputOffset + ci] - zero) * weights[weightsOffset + ci];
                                float term = (float)product * scale;   // acc * per_channel_scale[c] * scaling_factor, left to right
                                term *= factor;
                                acc += term;
                            }
                        }
                    }
                    float value = bias.IsEmpty ? acc : acc + bias[oc];
                    value = value < min ? min : value;   // std::max(x, min), then std::min(x, max)
                    value = max < value ? max : value;
                    output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = value;
                }
            }
        }
    }

    /// <summary>
    /// BATCH_MATMUL with a constant int8 rhs, TFLite's batch_matmul.cc EvalHybrid with reference_ops::BatchMatMul
    /// (int8 × int8 → float): every lhs row quantized (BatchQuantizeFloats: symmetric, or asymmetric with
    /// asymmetric_quantize_inputs), per tensor its factor times the rhs scale; per output element the exact int32
    /// total = Σ_k R[k, j]·q[k], then total −= rowsum_j · z in binary32 (truncated back to int32), then
    /// out = 0 + scale · total with scale = f (per tensor) or f · s_j (per channel).
    /// </summary>
    public static void BatchMatMul(KernelContext context, BatchMatMulParams p, HybridWeightsParams h)
    {
        ReadOnlySpan<float> lhs = context.Input(0).Read<float>();
        ReadOnlySpan<sbyte> rhs = context.Input(1).Read<sbyte>();
        Span<float> output = context.Output(0).Write<float>();
        ReadOnlySpan<int> lhsMatrix = p.LhsMatrix.Span, rhsMatrix = p.RhsMatrix.Span;
        int m = p.Rows, k = p.Depth, n = p.Columns;
        var scratch = h.Scratch;
        Span<sbyte> quantized = scratch.QuantizedRow;
        Span<float> factors = scratch.Factors.AsSpan(0, p.LhsRows);
        Span<int> offsets = scratch.Offsets.AsSpan(0, p.LhsRows);
        Span<float> row = scratch.FloatRow.AsSpan(0, k);
        int rhsDepthStride = p.AdjY ? 1 : n, rhsColumnStride = p.AdjY ? k : 1;

        // Every stored lhs row (with adj_x, every column of each stored matrix: TFLite transposes first).
        for (int r = 0; r < p.LhsRows; r++)
        {
            ReadOnlySpan<float> values;
            if (p.AdjX)
            {
                int matrix = r / m, i = r % m;
                for (int kk = 0; kk < k; kk++) row[kk] = lhs[matrix * m * k + kk * m + i];
                values = row;
            }
            else values = lhs.Slice(r * k, k);
            var q = quantized.Slice(r * k, k);
            offsets[r] = 0;
            factors[r] = h.AsymmetricInputs ? AsymmetricQuantize(values, q, out offsets[r]) : SymmetricQuantize(values, q);
            if (!h.PerChannel) factors[r] *= h.Scales[0];
        }

        // The rhs column sums (TFLite's ReductionSumVector over its transposed weights), one set per stored matrix.
        Span<int> rowSums = scratch.RowSums;
        int rhsMatrices = rowSums.Length / Math.Max(n, 1);
        for (int matrix = 0; matrix < rhsMatrices; matrix++)
        for (int j = 0; j < n; j++)
        {
            int sum = 0;
            for (int kk = 0; kk < k; kk++) sum = unchecked(sum + rhs[matrix * k * n + kk * rhsDepthStride + j * rhsColumnStride]);
            rowSums[matrix * n + j] = sum;
        }

        for (int b = 0; b < p.Batches; b++)
        {
            int rhsBase = rhsMatrix[b] * k * n, outputBase = b * m * n;
            for (int i = 0; i < m; i++)
            {
                context.ThrowIfCancellationRequested(); // once per output row
                int r = lhsMatrix[b] * m + i;
                var q = quantized.Slice(r * k, k);
                float factor = factors[r];
                float offset = offsets[r];
                for (int j = 0; j < n; j++)
                {
                    int total = 0;
                    for (int kk = 0; kk < k; kk++)
                        total = unchecked(total + rhs[rhsBase + kk * rhsDepthStride + j * rhsColumnStride] * q[kk]);
                    // total -= row_sum * batch_offset: an int32 minus a binary32 product, computed in binary32, truncated.
                    float correction = rowSums[rhsMatrix[b] * n + j] * offset;
                    total = (int)(total - correction);
                    float scale = h.PerChannel ? factor * h.Scales[j] : factor;
                    output[outputBase + i * n + j] = 0f + scale * total;
                }
            }
        }
    }

    /// <summary>TFLite's CalculateActivationRange for float: NONE clamps to ±FLT_MAX (so ±∞ become ±MaxValue).</summary>
    private static (float Min, float Max) ClampRange(ActivationFunctionType activation) => activation switch
    {
        ActivationFunctionType.Relu => (0f, float.MaxValue),
        ActivationFunctionType.Relu6 => (0f, 6f),
        ActivationFunctionType.ReluN1To1 => (-1f, 1f),
        _ => (float.MinValue, float.MaxValue),
    };

    /// <summary>True when no element differs from zero (TFLite's IsZeroVector).</summary>
    public static bool IsZeroVector(ReadOnlySpan<float> values) => HybridQuantization.IsZeroVector(values);

    /// <summary>The sum of each weight row (TFLite's ReductionSumVector), for the asymmetric inputs' zero-point term.</summary>
    public static void RowSums(ReadOnlySpan<sbyte> weights, int rows, int depth, Span<int> sums) =>
        HybridQuantization.RowSums(weights, rows, depth, sums);

    /// <summary>TFLite's SymmetricQuantizeFloats (<see cref="HybridQuantization.SymmetricQuantize"/>).</summary>
    public static float SymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized) =>
        HybridQuantization.SymmetricQuantize(values, quantized);

    /// <summary>TFLite's AsymmetricQuantizeFloats (<see cref="HybridQuantization.AsymmetricQuantize"/>).</summary>
    public static float AsymmetricQuantize(ReadOnlySpan<float> values, Span<sbyte> quantized, out int offset) =>
        HybridQuantization.AsymmetricQuantize(values, quantized, out offset);

    /// <summary>TFLite's ActivationFunctor (<see cref="HybridQuantization.Activate"/>).</summary>
    public static float Activate(ActivationFunctionType activation, float a) => HybridQuantization.Activate(activation, a);
}
