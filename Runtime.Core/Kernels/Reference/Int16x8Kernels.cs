using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// The int16x8 paths of the reference kernels (docs/numerics.md §Quantized execution, int16x8): TFLite's
/// reference_integer_ops ConvPerChannel, DepthwiseConvPerChannel and FullyConnected(PerChannel) for int16 activations,
/// int8 weights and an int64 (or int32) bias. Every activation zero point is 0, so a sum is Σ w · x with no offsets;
/// an exact integer sum has no order. The rescale is <see cref="Requantize"/>. Also TFLite's int16 Logistic, Tanh
/// (reference_integer_ops) and SoftmaxInt16 (reference_ops) on the tables their definitions build.
/// </summary>
internal static class Int16x8Kernels
{
    /// <summary>sum (exact, in int64) + bias → the channel's rescale, clamped (<see cref="Int16ConvParams.Requantize"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static short Requantize(long sum, long bias, Int16ConvParams q, int channel) => q.Requantize(sum, bias, channel);

    /// <summary>Bias of channel c as a long (int64 or int32 tensor), 0 without bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Bias(ReadOnlySpan<long> wide, ReadOnlySpan<int> narrow, int c) =>
        !wide.IsEmpty ? wide[c] : !narrow.IsEmpty ? narrow[c] : 0;

    private static ReadOnlySpan<long> WideBias(Tensor? bias) => bias is { Type: TensorType.Int64 } ? bias.Read<long>() : default;

    private static ReadOnlySpan<int> NarrowBias(Tensor? bias) => bias is { Type: TensorType.Int32 } ? bias.Read<int>() : default;

    /// <summary>
    /// RELU, RELU6, LEAKY_RELU on int16 (TFLite's ReluX and QuantizeLeakyRelu for int16): y = min(max, max(min,
    /// MultiplyByQuantizedMultiplier(x, x ≥ 0 ? non-negative : negative multiplier))), the 32-bit double-rounding form.
    /// </summary>
    public static void RescaleActivation(ReadOnlySpan<short> input, Span<short> output, Int16RescaleActivationParams p)
    {
        for (int i = 0; i < input.Length; i++)
        {
            int x = input[i];
            int y = Quantization.MultiplyByQuantizedMultiplier(x, x >= 0 ? p.NonNegative : p.Negative);
            y = Math.Max(p.Min, y);
            y = Math.Min(p.Max, y);   // TFLite's order: the upper bound wins if the bounds cross
            output[i] = (short)y;
        }
    }

    /// <summary>CONV_2D (grouped included): Σ over in-bounds taps of w · x (padding taps are skipped: they are 0).</summary>
    public static void Conv2D(KernelContext context, Conv2DParams p, Int16ConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = outputTensor.Write<short>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2), filterDepth = filterTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int inputChannelBase = oc / p.FiltersPerGroup * filterDepth;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            long acc = 0;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    int inputOffset = ((b * inputHeight + iy) * inputWidth + ix) * inputDepth + inputChannelBase;
                    int filterOffset = ((oc * filterHeight + ky) * filterWidth + kx) * filterDepth;
                    for (int ci = 0; ci < filterDepth; ci++)
                        acc += filter[filterOffset + ci] * input[inputOffset + ci];
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, Bias(biasWide, biasNarrow, oc), q, oc);
        }
    }

    /// <summary>
    /// TRANSPOSE_CONV (TFLite's reference_integer_ops::TransposeConv for int16): TFLite scatters w · x of every input
    /// element through every tap into zeroed int64 sums; Accel gathers the same products per output (the taps of
    /// <see cref="TransposeConvolution.Gather"/>), an exact int64 sum, so the bits are TFLite's. Then + the int64 bias,
    /// the 64-bit rescale and the clamp.
    /// </summary>
    public static void TransposeConv(KernelContext context, TransposeConvParams p, Int16ConvParams q)
    {
        var biasTensor = context.OptionalInput(3);
        var element = new TransposeConvElement(context.Output(0).Write<short>(), WideBias(biasTensor), NarrowBias(biasTensor), q);
        QuantizedTransposeConv.GatherSums<short, sbyte, TransposeConvElement>(context, p, ref element);
    }

    /// <summary>int16x8 TRANSPOSE_CONV: w · x (no offsets), + the bias, the 64-bit rescale, the clamp.</summary>
    private readonly ref struct TransposeConvElement(Span<short> output, ReadOnlySpan<long> biasWide, ReadOnlySpan<int> biasNarrow, Int16ConvParams q)
        : QuantizedTransposeConv.IElement<short, sbyte>
    {
        private readonly Span<short> _output = output;
        private readonly ReadOnlySpan<long> _biasWide = biasWide;
        private readonly ReadOnlySpan<int> _biasNarrow = biasNarrow;

        public long Product(short x, sbyte w) => w * x;

        public void Store(int index, int channel, long sum) => _output[index] = Requantize(sum, Bias(_biasWide, _biasNarrow, channel), q, channel);
    }

    /// <summary>DEPTHWISE_CONV_2D: output channel oc reads input channel oc / depth multiplier; CONV_2D's sum and rescale.</summary>
    public static void DepthwiseConv2D(KernelContext context, DepthwiseConv2DParams p, Int16ConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        ReadOnlySpan<sbyte> filter = filterTensor.Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = outputTensor.Write<short>();

        int batches = inputTensor.Dim(0), inputHeight = inputTensor.Dim(1), inputWidth = inputTensor.Dim(2), inputDepth = inputTensor.Dim(3);
        int filterHeight = filterTensor.Dim(1), filterWidth = filterTensor.Dim(2);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2), outputDepth = outputTensor.Dim(3);
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        for (int ox = 0; ox < outputWidth; ox++)
        for (int oc = 0; oc < outputDepth; oc++)
        {
            int ic = oc / p.DepthMultiplier;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            long acc = 0;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    acc += filter[(ky * filterWidth + kx) * outputDepth + oc] * input[((b * inputHeight + iy) * inputWidth + ix) * inputDepth + ic];
                }
            }
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, Bias(biasWide, biasNarrow, oc), q, oc);
        }
    }

    /// <summary>FULLY_CONNECTED: Σ_k w[u, k] · x[b, k], + bias, the unit's rescale.</summary>
    public static void FullyConnected(KernelContext context, FullyConnectedParams p, Int16ConvParams q)
    {
        ReadOnlySpan<short> input = context.Input(0).Read<short>();
        ReadOnlySpan<sbyte> weights = context.Input(1).Read<sbyte>();
        var biasTensor = context.OptionalInput(2);
        ReadOnlySpan<long> biasWide = WideBias(biasTensor);
        ReadOnlySpan<int> biasNarrow = NarrowBias(biasTensor);
        Span<short> output = context.Output(0).Write<short>();
        for (int b = 0; b < p.Batch; b++)
        for (int u = 0; u < p.Units; u++)
        {
            long acc = 0;
            for (int k = 0; k < p.Depth; k++)
                acc += weights[u * p.Depth + k] * input[b * p.Depth + k];
            output[b * p.Units + u] = Requantize(acc, Bias(biasWide, biasNarrow, u), q, u);
        }
    }

    /// <summary>
    /// MAX_POOL_2D and AVERAGE_POOL_2D on int16 (reference_integer_ops MaxPool / AveragePool for int16): over the
    /// in-bounds taps the maximum, or the exact int32 sum divided by the tap count with halves away from zero; then the
    /// clamp. No rescale (both tensors symmetric; TFLite takes the input's scale to be the output's).
    /// </summary>
    public static void Pool(KernelContext context, Pool2DParams p, QuantizedPoolParams q, bool average)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        Span<short> output = outputTensor.Write<short>();
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        var g = p.Geometry;
        for (int b = 0; b < batches; b++)
        for (int oy = 0; oy < outputHeight; oy++)
        {
            var (kyStart, kyEnd) = Pool2DGeometry.Taps(oy, g.StrideH, g.PadTop, g.FilterH, height);
            int iyOrigin = oy * g.StrideH - g.PadTop;
            for (int ox = 0; ox < outputWidth; ox++)
            {
                var (kxStart, kxEnd) = Pool2DGeometry.Taps(ox, g.StrideW, g.PadLeft, g.FilterW, width);
                int ixOrigin = ox * g.StrideW - g.PadLeft;
                for (int c = 0; c < depth; c++)
                {
                    int acc = average ? 0 : short.MinValue;
                    int count = 0;
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        int v = input[((b * height + iyOrigin + ky) * width + ixOrigin + kx) * depth + c];
                        acc = average ? acc + v : Math.Max(acc, v);
                        count++;
                    }
                    if (average) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = (short)Math.Clamp(acc, q.ActivationMin, q.ActivationMax);
                }
            }
        }
    }

    /// <summary>
    /// ADD and SUB on int16 (general scales): each input shifted left by 15 and rescaled by its multiplier (32-bit
    /// double-rounding MultiplyByQuantizedMultiplier), summed (SUB: the second negated), rescaled to the output,
    /// clamped; NumPy broadcasting. Zero points are 0.
    /// </summary>
    public static void AddOrSub(KernelContext context, BinaryArithmeticParams p, QuantizedAddParams q, bool subtract) =>
        p.Broadcast.Apply(context.Input(0).Read<short>(), context.Input(1).Read<short>(), context.Output(0).Write<short>(), new AddOp(q, subtract));

    /// <summary>One int16 ADD or SUB element (also the CPU delegate's scalar steps and broadcasts).</summary>
    internal readonly struct AddOp(QuantizedAddParams q, bool subtract) : IBinaryElementOp<short>
    {
        [MethodImpl(JitHints.Hot)]
        public short Apply(short a, short b)
        {
            int scaledX = Quantization.MultiplyByQuantizedMultiplier(a * (1 << q.LeftShift), q.Input1Multiplier);
            int scaledY = Quantization.MultiplyByQuantizedMultiplier(b * (1 << q.LeftShift), q.Input2Multiplier);
            int raw = subtract ? scaledX - scaledY : scaledX + scaledY;
            return (short)Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier), q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>MUL on int16: x · y (exact in int32) rescaled with the 32-bit MultiplyByQuantizedMultiplier, clamped.</summary>
    public static void Mul(KernelContext context, BinaryArithmeticParams p, QuantizedMulParams q) =>
        p.Broadcast.Apply(context.Input(0).Read<short>(), context.Input(1).Read<short>(), context.Output(0).Write<short>(), new MulOp(q));

    /// <summary>One int16 MUL element (also the CPU delegate's scalar steps and broadcasts).</summary>
    internal readonly struct MulOp(QuantizedMulParams q) : IBinaryElementOp<short>
    {
        [MethodImpl(JitHints.Hot)]
        public short Apply(short a, short b) =>
            (short)Math.Clamp(Quantization.MultiplyByQuantizedMultiplier(a * b, q.OutputMultiplier), q.ActivationMin, q.ActivationMax);
    }

    /// <summary>
    /// RESIZE_BILINEAR on int16 (reference_ops::ResizeBilinearInteger for int16): int8's Q10 interpolation on int16
    /// values, the four products summed in int64, then (sum ± 2^19) / 2^20 (halves away from zero). No rescale.
    /// </summary>
    public static void ResizeBilinear(KernelContext context, ResizeBilinearParams p, QuantizedResizeParams q)
    {
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        ReadOnlySpan<short> input = inputTensor.Read<short>();
        Span<short> output = outputTensor.Write<short>();
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        int o = 0;
        for (int b = 0; b < batches; b++)
        for (int y = 0; y < outputHeight; y++)
        {
            var (sy, y0, y1) = QuantizedKernels.Interpolation(y, q.HeightScale10, p.HalfPixelCenters, height);
            long wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;
            for (int x = 0; x < outputWidth; x++)
            {
                var (sx, x0, x1) = QuantizedKernels.Interpolation(x, q.WidthScale10, p.HalfPixelCenters, width);
                long wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;
                int row0 = (b * height + y0) * width, row1 = (b * height + y1) * width;
                for (int c = 0; c < depth; c++, o++)
                {
                    long sum = input[(row0 + x0) * depth + c] * wy0 * wx0
                               + input[(row1 + x0) * depth + c] * wy1 * wx0
                               + input[(row0 + x1) * depth + c] * wy0 * wx1
                               + input[(row1 + x1) * depth + c] * wy1 * wx1;
                    output[o] = (short)((sum + (sum > 0 ? 1L << 19 : -(1L << 19))) / (1L << 20));
                }
            }
        }
    }

    /// <summary>
    /// TFLite's reference_integer_ops::Logistic for int16: x' = (x · m + round) >> shift (3·2^12 steps per unit),
    /// |x'| split into a table index |x'| >> 9 and a 9-bit fraction, linear interpolation between two entries (in
    /// uint32), saturating at index 255; negative x' mirrors (2^25 − r); halves rounded up, then >> 10.
    /// </summary>
    public static void Logistic(ReadOnlySpan<short> input, Span<short> output, Int16SigmoidParams q)
    {
        if (q.FixedPoint)
        {
            // A power-of-two input scale: TFLite's optimized_ops::Logistic, gemmlowp on the raw value as Q3.12.
            for (int i = 0; i < input.Length; i++) output[i] = FixedPoint16.Logistic(input[i]);
            return;
        }
        ReadOnlySpan<ushort> table = q.Table.AsSpan();
        int multiplier = q.InputMultiplier, shift = q.InputLeftShift;
        int round = shift > 0 ? 1 << (shift - 1) : 0;
        for (int i = 0; i < input.Length; i++)
        {
            int x = (input[i] * multiplier + round) >> shift;
            uint magnitude = (uint)Math.Abs(x);
            uint index = magnitude >> 9;
            uint r;
            if (index >= 255) r = 0x7FFFu << 10;
            else
            {
                uint a = table[(int)index], b = table[(int)index + 1];
                r = (a << 9) + (magnitude & 0x1FF) * (b - a);
            }
            r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
            output[i] = (short)(r >> 10);
        }
    }

    /// <summary>
    /// TFLite's reference_integer_ops::Tanh for int16 (tanh x = 2 · sigmoid(2x) − 1 on the same table): x' as for
    /// <see cref="Logistic"/>, index |x'| >> 8 and an 8-bit fraction, saturating at index 255; r − 2^23 + 2^7 (negative x':
    /// −r + 2^23 + 2^7 − 1) in int32, then an arithmetic >> 8.
    /// </summary>
    public static void Tanh(ReadOnlySpan<short> input, Span<short> output, Int16SigmoidParams q)
    {
        if (q.FixedPoint)
        {
            // A power-of-two input scale: TFLite's optimized_ops::Tanh, gemmlowp on the raw value (2^-11: doubled,
            // saturating) as Q3.12.
            for (int i = 0; i < input.Length; i++)
                output[i] = FixedPoint16.Tanh(q.InputLeftShift == 0 ? input[i] : FixedPoint16.SaturatingShiftLeft(input[i], q.InputLeftShift));
            return;
        }
        ReadOnlySpan<ushort> table = q.Table.AsSpan();
        int multiplier = q.InputMultiplier, shift = q.InputLeftShift;
        int round = shift > 0 ? 1 << (shift - 1) : 0;
        for (int i = 0; i < input.Length; i++)
        {
            int x = (input[i] * multiplier + round) >> shift;
            uint magnitude = (uint)Math.Abs(x);
            uint index = magnitude >> 8;
            int r;
            if (index >= 255) r = 0xFFFF << 8;
            else
            {
                uint a = table[(int)index], b = table[(int)index + 1];
                r = (int)((a << 8) + (magnitude & 0xFF) * (b - a));
            }
            r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
            output[i] = (short)(r >> 8);
        }
    }

    /// <summary>
    /// TFLite's 513-entry int16 table lookup (lut_lookup / generic_int16_table_lookup): entry 256 + (v >> 7), plus the
    /// slope to the next entry times the 7-bit remainder, (slope · r + 64) >> 7.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short LookUp(int value, ReadOnlySpan<short> table)
    {
        int index = 256 + (value >> 7);
        int offset = value & 0x7F;
        int baseValue = table[index];
        int slope = (short)(table[index + 1] - baseValue);
        return (short)(baseValue + ((slope * offset + 64) >> 7));
    }

    /// <summary>
    /// TFLite's reference_ops::SoftmaxInt16 per row of the last dimension: m = the row's maximum; e_c = the exp table at
    /// clamp(MBQM(x_c − m) + 32767) (double-rounding MultiplyByQuantizedMultiplier); sum = Σ e_c in int32; with h = the
    /// sum's leading zeros, the 1/(1 + x) table at clamp(((sum · 2^(h−1) + 2^13) >> 14) − 3 · 2^15) gives r; then
    /// y_c = clamp((e_c · r + 2^(30−h)) >> (31 − h), 0, 32767). The exponentials wait in the output row, as TFLite's.
    /// </summary>
    public static void Softmax(ReadOnlySpan<short> input, Span<short> output, int rows, int depth, Int16SoftmaxParams q)
    {
        for (int row = 0; row < rows; row++)
        {
            var x = input.Slice(row * depth, depth);
            var y = output.Slice(row * depth, depth);
            int max = short.MinValue;
            foreach (short v in x) max = Math.Max(max, v);
            int sum = 0;
            for (int c = 0; c < depth; c++)
            {
                short e = SoftmaxExponential(x[c] - max, q);
                y[c] = e;
                sum += e;
            }
            var (reciprocal, rightShift) = SoftmaxReciprocal(sum, q);
            for (int c = 0; c < depth; c++) y[c] = SoftmaxOutput(y[c], reciprocal, rightShift);
        }
    }

    /// <summary>SOFTMAX's e for x − max (in [−65535, 0]): the exp table at clamp(MBQM(x − max) + 32767).</summary>
    internal static short SoftmaxExponential(int difference, Int16SoftmaxParams q)
    {
        int scaled = Quantization.MultiplyByQuantizedMultiplier(difference, q.InputMultiplier) + 32767;
        return LookUp(Math.Clamp(scaled, short.MinValue, short.MaxValue), q.ExpTable.AsSpan());
    }

    /// <summary>SOFTMAX's row normaliser from the row's int32 sum of e: the 1/(1 + x) table's r and the right shift 31 − h.</summary>
    [MethodImpl(JitHints.Hot)]
    internal static (int Reciprocal, int RightShift) SoftmaxReciprocal(int sum, Int16SoftmaxParams q)
    {
        int headroomPlusOne = System.Numerics.BitOperations.LeadingZeroCount((uint)sum);
        int shiftedSum = (int)((((long)sum << (headroomPlusOne - 1)) + (1 << 13)) >> 14);
        int reciprocal = LookUp(Math.Clamp(shiftedSum - ((1 << 15) + (1 << 16)), short.MinValue, short.MaxValue), q.OneOverOnePlusXTable.AsSpan());
        return (reciprocal, 31 - headroomPlusOne);
    }

    /// <summary>SOFTMAX's output for one e: clamp((e · r + 2^(shift−1)) >> shift, 0, 32767).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static short SoftmaxOutput(short e, int reciprocal, int rightShift) =>
        (short)Math.Clamp((int)(((long)e * reciprocal + (1L << (rightShift - 1))) >> rightShift), 0, short.MaxValue);
}
