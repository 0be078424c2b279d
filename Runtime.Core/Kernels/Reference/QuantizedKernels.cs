using System.Runtime.CompilerServices;
using Accel.Numerics;
using Accel.Operators.Definitions;

namespace Accel.Kernels.Reference;

/// <summary>
/// The integer (int8 and uint8) paths of the reference kernels (docs/numerics.md §Quantized execution): TFLite's
/// reference_integer_ops (per-channel int8) and reference_ops (uint8) written once for both 8-bit types, since they
/// differ only in the element's signedness and in the weights' offset (0 for symmetric int8 weights). Every sum is an
/// exact int32 sum (wrapping as TFLite's int32 accumulators do), so its order is free; the rescale is
/// <see cref="Quantization.MultiplyByQuantizedMultiplier(int, QuantizedMultiplier)"/>.
/// </summary>
internal static class QuantizedKernels
{
    /// <summary>An 8-bit element as an int: int8 sign-extended, uint8 zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Load(ReadOnlySpan<byte> data, int index, bool signed) => signed ? (sbyte)data[index] : data[index];

    /// <summary>A clamped value stored as its 8-bit two's-complement (int8) or unsigned (uint8) byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Clamp(int value, int min, int max) => (byte)(value < min ? min : value > max ? max : value);

    /// <summary>acc → rescaled by the channel's multiplier, + output zero point, clamped to the activation range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Requantize(int acc, QuantizedConvParams q, int channel) =>
        Clamp(Quantization.MultiplyByQuantizedMultiplier(acc, q.Multipliers[channel]) + q.OutputOffset, q.ActivationMin, q.ActivationMax);

    /// <summary>
    /// CONV_2D (reference_integer_ops::ConvPerChannel, reference_ops::Conv for uint8): acc = Σ (w + filter offset)·(x +
    /// input offset) over the taps inside the input (padding taps are skipped, i.e. count as the input's zero point),
    /// + bias; then the channel's requantization.
    /// </summary>
    public static void Conv2D(KernelContext context, Conv2DParams p, QuantizedConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        bool signed = inputTensor.Type == TensorType.Int8;
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        ReadOnlySpan<byte> filter = filterTensor.Bytes;
        ReadOnlySpan<int> bias = biasTensor is null ? default : biasTensor.Read<int>();
        Span<byte> output = outputTensor.WritableBytes;

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
            int acc = 0;
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
                        acc = unchecked(acc + (Load(filter, filterOffset + ci, signed) + q.FilterOffset) * (Load(input, inputOffset + ci, signed) + q.InputOffset));
                }
            }
            if (!bias.IsEmpty) acc = unchecked(acc + bias[oc]);
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, q, oc);
        }
    }

    /// <summary>
    /// DEPTHWISE_CONV_2D (reference_integer_ops::DepthwiseConvPerChannel, reference_ops::DepthwiseConv for uint8):
    /// output channel oc reads input channel oc / depth multiplier; the same sum and requantization as CONV_2D.
    /// </summary>
    public static void DepthwiseConv2D(KernelContext context, DepthwiseConv2DParams p, QuantizedConvParams q)
    {
        var g = p.Geometry;
        var inputTensor = context.Input(0);
        var filterTensor = context.Input(1);
        var biasTensor = context.OptionalInput(2);
        var outputTensor = context.Output(0);
        bool signed = inputTensor.Type == TensorType.Int8;
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        ReadOnlySpan<byte> filter = filterTensor.Bytes;
        ReadOnlySpan<int> bias = biasTensor is null ? default : biasTensor.Read<int>();
        Span<byte> output = outputTensor.WritableBytes;

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
            int acc = 0;
            for (int ky = 0; ky < filterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= inputHeight) continue;
                for (int kx = 0; kx < filterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= inputWidth) continue;
                    int x = Load(input, ((b * inputHeight + iy) * inputWidth + ix) * inputDepth + ic, signed) + q.InputOffset;
                    int w = Load(filter, (ky * filterWidth + kx) * outputDepth + oc, signed) + q.FilterOffset;
                    acc = unchecked(acc + w * x);
                }
            }
            if (!bias.IsEmpty) acc = unchecked(acc + bias[oc]);
            output[((b * outputHeight + oy) * outputWidth + ox) * outputDepth + oc] = Requantize(acc, q, oc);
        }
    }

    /// <summary>
    /// FULLY_CONNECTED (reference_integer_ops::FullyConnected / FullyConnectedPerChannel, reference_ops::FullyConnected
    /// for uint8): acc = Σ_k (w + filter offset)·(x + input offset) + bias, then the unit's requantization.
    /// </summary>
    public static void FullyConnected(KernelContext context, FullyConnectedParams p, QuantizedConvParams q)
    {
        var inputTensor = context.Input(0);
        var biasTensor = context.OptionalInput(2);
        bool signed = inputTensor.Type == TensorType.Int8;
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        ReadOnlySpan<byte> weights = context.Input(1).Bytes;
        ReadOnlySpan<int> bias = biasTensor is null ? default : biasTensor.Read<int>();
        Span<byte> output = context.Output(0).WritableBytes;
        for (int b = 0; b < p.Batch; b++)
        for (int u = 0; u < p.Units; u++)
        {
            int acc = 0;
            for (int k = 0; k < p.Depth; k++)
                acc = unchecked(acc + (Load(weights, u * p.Depth + k, signed) + q.FilterOffset) * (Load(input, b * p.Depth + k, signed) + q.InputOffset));
            if (!bias.IsEmpty) acc = unchecked(acc + bias[u]);
            output[b * p.Units + u] = Requantize(acc, q, u);
        }
    }

    /// <summary>
    /// ADD and SUB (reference_integer_ops::AddElementwise / reference_ops uint8, sub.cc's SubElementwise): each input
    /// x + offset shifted left by 20 and rescaled by its multiplier, summed (SUB: the second negated), rescaled to the
    /// output, + zero point, clamped; NumPy broadcasting.
    /// </summary>
    public static void AddOrSub(KernelContext context, BinaryArithmeticParams p, QuantizedAddParams q, bool subtract)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        if (a.Type == TensorType.Int16)
        {
            Int16x8Kernels.AddOrSub(context, p, q, subtract);
            return;
        }
        p.Broadcast.Apply(a.Bytes, b.Bytes, context.Output(0).WritableBytes, new AddOp(q, a.Type == TensorType.Int8, subtract));
    }

    private readonly struct AddOp(QuantizedAddParams q, bool signed, bool subtract) : IBinaryElementOp<byte>
    {
        public byte Apply(byte a, byte b)
        {
            int x = (signed ? (sbyte)a : a) + q.Input1Offset;
            int y = (signed ? (sbyte)b : b) + q.Input2Offset;
            int scaledX = Quantization.MultiplyByQuantizedMultiplier(x * (1 << q.LeftShift), q.Input1Multiplier);
            int scaledY = Quantization.MultiplyByQuantizedMultiplier(y * (1 << q.LeftShift), q.Input2Multiplier);
            int raw = subtract ? scaledX - scaledY : scaledX + scaledY;
            int result = Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier) + q.OutputOffset;
            return Clamp(result, q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>MUL (reference_integer_ops::MulElementwise): (x + offset)·(y + offset) rescaled, + zero point, clamped.</summary>
    public static void Mul(KernelContext context, BinaryArithmeticParams p, QuantizedMulParams q)
    {
        var a = context.Input(0);
        var b = context.Input(1);
        if (a.Type == TensorType.Int16)
        {
            Int16x8Kernels.Mul(context, p, q);
            return;
        }
        p.Broadcast.Apply(a.Bytes, b.Bytes, context.Output(0).WritableBytes, new MulOp(q, a.Type == TensorType.Int8));
    }

    private readonly struct MulOp(QuantizedMulParams q, bool signed) : IBinaryElementOp<byte>
    {
        public byte Apply(byte a, byte b)
        {
            int x = (signed ? (sbyte)a : a) + q.Input1Offset;
            int y = (signed ? (sbyte)b : b) + q.Input2Offset;
            int result = Quantization.MultiplyByQuantizedMultiplier(x * y, q.OutputMultiplier) + q.OutputOffset;
            return Clamp(result, q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>
    /// MAX_POOL_2D and AVERAGE_POOL_2D (reference_integer_ops::MaxPool / AveragePool, reference_ops uint8): over the
    /// in-bounds taps, the maximum, or the exact int32 sum divided by the tap count rounding halves away from zero
    /// ((sum ± count/2) / count, C's truncating division); then the clamp. No rescaling (input and output share their
    /// quantization).
    /// </summary>
    public static void Pool(KernelContext context, Pool2DParams p, QuantizedPoolParams q, bool average)
    {
        if (context.Input(0).Type == TensorType.Int16)
        {
            Int16x8Kernels.Pool(context, p, q, average);
            return;
        }
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        bool signed = inputTensor.Type == TensorType.Int8;
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
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
                    int acc = average ? 0 : int.MinValue;
                    int count = 0;
                    for (int ky = kyStart; ky < kyEnd; ky++)
                    for (int kx = kxStart; kx < kxEnd; kx++)
                    {
                        int v = Load(input, ((b * height + iyOrigin + ky) * width + ixOrigin + kx) * depth + c, signed);
                        acc = average ? acc + v : Math.Max(acc, v);
                        count++;
                    }
                    if (average) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                    output[((b * outputHeight + oy) * outputWidth + ox) * depth + c] = Clamp(acc, q.ActivationMin, q.ActivationMax);
                }
            }
        }
    }

    /// <summary>
    /// RESIZE_BILINEAR (reference_ops::ResizeBilinearInteger): source coordinate s = o · step (half-pixel centers:
    /// o · step + step/2 − 2^9) in Q10; lower neighbour max(s / 2^10, 0), upper min((s + 2^10 − 1) / 2^10, size − 1)
    /// (C's truncating division); the four products of values and Q10 weights summed in int64, then
    /// (sum ± 2^19) / 2^20 (halves away from zero). No rescaling.
    /// </summary>
    public static void ResizeBilinear(KernelContext context, ResizeBilinearParams p, QuantizedResizeParams q)
    {
        if (context.Input(0).Type == TensorType.Int16)
        {
            Int16x8Kernels.ResizeBilinear(context, p, q);
            return;
        }
        var inputTensor = context.Input(0);
        var outputTensor = context.Output(0);
        bool signed = inputTensor.Type == TensorType.Int8;
        ReadOnlySpan<byte> input = inputTensor.Bytes;
        Span<byte> output = outputTensor.WritableBytes;
        int batches = inputTensor.Dim(0), height = inputTensor.Dim(1), width = inputTensor.Dim(2), depth = inputTensor.Dim(3);
        int outputHeight = outputTensor.Dim(1), outputWidth = outputTensor.Dim(2);
        int o = 0;
        for (int b = 0; b < batches; b++)
        for (int y = 0; y < outputHeight; y++)
        {
            var (sy, y0, y1) = Interpolation(y, q.HeightScale10, p.HalfPixelCenters, height);
            long wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;
            for (int x = 0; x < outputWidth; x++)
            {
                var (sx, x0, x1) = Interpolation(x, q.WidthScale10, p.HalfPixelCenters, width);
                long wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;
                int row0 = (b * height + y0) * width, row1 = (b * height + y1) * width;
                for (int c = 0; c < depth; c++, o++)
                {
                    long sum = Load(input, (row0 + x0) * depth + c, signed) * wy0 * wx0
                               + Load(input, (row1 + x0) * depth + c, signed) * wy1 * wx0
                               + Load(input, (row0 + x1) * depth + c, signed) * wy0 * wx1
                               + Load(input, (row1 + x1) * depth + c, signed) * wy1 * wx1;
                    long rounded = (sum + (sum > 0 ? 1L << 19 : -(1L << 19))) / (1L << 20);
                    output[o] = (byte)rounded;   // TFLite's static_cast<T>: no clamp (a convex combination stays in range)
                }
            }
        }
    }

    internal static (int Scaled, int Lower, int Upper) Interpolation(int value, int scale10, bool halfPixelCenters, int size)
    {
        int scaled = halfPixelCenters ? value * scale10 + scale10 / 2 - (1 << 9) : value * scale10;
        return (scaled, Math.Max(scaled / (1 << 10), 0), Math.Min((scaled + (1 << 10) - 1) / (1 << 10), size - 1));
    }
}
