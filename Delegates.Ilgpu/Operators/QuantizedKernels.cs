using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;
using ILGPU;

namespace Accel.Delegates.Ilgpu.Operators;

/// <summary>
/// The int8/uint8 paths of the ILGPU kernels (docs/numerics.md §Quantized execution): CONV_2D, DEPTHWISE_CONV_2D,
/// FULLY_CONNECTED, ADD, SUB, MUL, MAX_POOL_2D and AVERAGE_POOL_2D, from the params the definitions computed at
/// AllocateTensors. 8-bit tensors are the host's bytes in the device buffer (each thread writes its own bytes); the
/// sums are exact wrapping int32 sums, and the requantization is the reference's own
/// <see cref="Quantization.MultiplyByQuantizedMultiplier(int, int, int)"/> (64-bit integer arithmetic, which every
/// ILGPU backend has), so every accelerator gives the reference's bits.
/// </summary>
internal static class QuantizedKernels
{
    /// <summary>The 8-bit dtypes these paths run; the kernels add them to their <see cref="IOpKernel.Types"/>.</summary>
    public static readonly TensorType[] Types = [TensorType.Int8, TensorType.UInt8];

    /// <summary>Whether the node's data (input 0) is an 8-bit quantized tensor.</summary>
    public static bool IsQuantized(DelegateNode node) => node.Inputs[0]?.Type is TensorType.Int8 or TensorType.UInt8;

    /// <summary>The tensor's device buffer as its bytes.</summary>
    public static ArrayView<byte> Bytes(IlgpuCompilation c, Tensor tensor) => c.View(tensor).Cast<byte>();

    /// <summary>An 8-bit element: sign-extended when <paramref name="signed"/> (int8), zero-extended otherwise (uint8).</summary>
    public static int Load(ArrayView<byte> data, int index, int signed) => signed != 0 ? (sbyte)data[index] : data[index];

    public static byte Clamp(int value, int min, int max) => (byte)(value < min ? min : value > max ? max : value);

    /// <summary>CONV_2D / DEPTHWISE_CONV_2D (the layout of <see cref="ConvolutionKernel"/>'s <see cref="WindowShape"/>).</summary>
    public static void Convolution(DelegateNode node, IlgpuCompilation c, WindowShape g, QuantizedConvParams q, int total) =>
        LaunchConvolution(node, c, g, q, total);

    /// <summary>
    /// FULLY_CONNECTED as a 1x1 convolution over one image row of batch pixels with the [units, depth] weights as the filter.
    /// </summary>
    public static void FullyConnected(DelegateNode node, IlgpuCompilation c, FullyConnectedParams p, QuantizedConvParams q)
    {
        var g = new WindowShape
        {
            InputHeight = 1, InputWidth = p.Batch, InputDepth = p.Depth,
            FilterHeight = 1, FilterWidth = 1, FilterDepth = p.Depth,
            OutputHeight = 1, OutputWidth = p.Batch, OutputDepth = p.Units,
            StrideH = 1, StrideW = 1, DilationH = 1, DilationW = 1,
            FiltersPerGroup = p.Units, DepthMultiplier = 1, HasBias = p.HasBias ? 1 : 0,
        };
        LaunchConvolution(node, c, g, q, checked(p.Batch * p.Units));
    }

    private static void LaunchConvolution(DelegateNode node, IlgpuCompilation c, WindowShape g, QuantizedConvParams q, int total)
    {
        var input = Bytes(c, node.Inputs[0]!);
        var filter = Bytes(c, node.Inputs[1]!);
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int ch = 0; ch < q.Multipliers.Length; ch++)
            (multipliers[2 * ch], multipliers[2 * ch + 1]) = (q.Multipliers[ch].Multiplier, q.Multipliers[ch].Shift);
        var multiplierView = c.Upload(multipliers);
        // Without a bias the kernel never reads this view; any valid view will do.
        var bias = g.HasBias != 0 ? c.View(node.Inputs[2]!).Cast<int>() : multiplierView;
        var output = Bytes(c, node.Outputs[0]);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var args = new ConvArgs(q.InputOffset, q.FilterOffset, q.OutputOffset, q.ActivationMin, q.ActivationMax,
            node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<int>, ArrayView<int>, ArrayView<byte>, WindowShape, ConvArgs>(ConvolutionKernel);
        c.Add(() => kernel(chunks, input, filter, bias, multiplierView, output, g, args), chunks);
    }

    /// <summary>
    /// acc = Σ (w + filter offset)·(x + input offset) over the in-bounds taps (wrapping int32), + bias[c], then
    /// MultiplyByQuantizedMultiplier with channel c's (mantissa, shift), + output zero point, clamped.
    /// </summary>
    public static void ConvolutionKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> filter, ArrayView<int> bias,
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
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int acc = 0;
            for (int ky = 0; ky < g.FilterHeight; ky++)
            {
                int iy = iyOrigin + ky * g.DilationH;
                if (iy < 0 || iy >= g.InputHeight) continue;
                for (int kx = 0; kx < g.FilterWidth; kx++)
                {
                    int ix = ixOrigin + kx * g.DilationW;
                    if (ix < 0 || ix >= g.InputWidth) continue;
                    int pixel = ((b * g.InputHeight + iy) * g.InputWidth + ix) * g.InputDepth;
                    if (g.Depthwise != 0)
                    {
                        int w = Load(filter, (ky * g.FilterWidth + kx) * g.OutputDepth + oc, q.Signed) + q.FilterOffset;
                        acc = unchecked(acc + w * (Load(input, pixel + oc / g.DepthMultiplier, q.Signed) + q.InputOffset));
                    }
                    else
                    {
                        int inputOffset = pixel + oc / g.FiltersPerGroup * g.FilterDepth;
                        int filterOffset = ((oc * g.FilterHeight + ky) * g.FilterWidth + kx) * g.FilterDepth;
                        for (int ci = 0; ci < g.FilterDepth; ci++)
                            acc = unchecked(acc + (Load(filter, filterOffset + ci, q.Signed) + q.FilterOffset)
                                * (Load(input, inputOffset + ci, q.Signed) + q.InputOffset));
                    }
                }
            }
            if (g.HasBias != 0) acc = unchecked(acc + bias[oc]);
            int scaled = Quantization.MultiplyByQuantizedMultiplier(acc, multipliers[2 * oc], multipliers[2 * oc + 1]);
            output[i] = Clamp(scaled + q.OutputOffset, q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>ADD, SUB, MUL with the definition's broadcast (up to rank 6) and multipliers.</summary>
    public static void Binary(DelegateNode node, IlgpuCompilation c, BinaryArithmeticParams p)
    {
        var plan = Broadcast6.Of(p.Broadcast);
        var a = Bytes(c, node.Inputs[0]!);
        var b = Bytes(c, node.Inputs[1]!);
        var output = Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 4);
        int signed = node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0;
        BinaryArgs args;
        if (p.QuantizedMul is { } mul)
        {
            args = new BinaryArgs(2, signed, mul.Input1Offset, mul.Input2Offset, mul.OutputOffset, 0, 0, 0, 0, 0,
                mul.OutputMultiplier.Multiplier, mul.OutputMultiplier.Shift, mul.ActivationMin, mul.ActivationMax, total, chunkSize);
        }
        else
        {
            var add = p.QuantizedAdd ?? throw new InvalidOperationException($"{node}: no quantized params");
            args = new BinaryArgs(node.Builtin == BuiltinOperator.Sub ? 1 : 0, signed, add.Input1Offset, add.Input2Offset, add.OutputOffset,
                add.LeftShift, add.Input1Multiplier.Multiplier, add.Input1Multiplier.Shift, add.Input2Multiplier.Multiplier,
                add.Input2Multiplier.Shift, add.OutputMultiplier.Multiplier, add.OutputMultiplier.Shift, add.ActivationMin,
                add.ActivationMax, total, chunkSize);
        }
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, Broadcast6, BinaryArgs>(BinaryKernel);
        c.Add(() => kernel(chunks, a, b, output, plan, args), chunks);
    }

    /// <summary>Refuses the binary ops other than ADD, SUB and MUL on 8-bit data.</summary>
    public static NodeSupport SupportsBinary(DelegateNode node) =>
        node.Params is BinaryArithmeticParams { QuantizedAdd: not null } or BinaryArithmeticParams { QuantizedMul: not null }
            ? ElementwiseBinaryKernel.SupportsRank(node, ((BinaryArithmeticParams)node.Params).Broadcast)
            : NodeSupport.Refuse($"{node.Code.Name}: no ILGPU kernel for {node.Inputs[0]!.Type.ToDisplayName()} (only ADD, SUB and MUL)");

    /// <summary>
    /// ADD/SUB: both centred inputs shifted left, rescaled by their multipliers, added (subtracted), rescaled to the
    /// output; MUL: the product of the centred inputs rescaled; then + zero point and the clamp.
    /// </summary>
    public static void BinaryKernel(Index1D chunk, ArrayView<byte> a, ArrayView<byte> b, ArrayView<byte> output, Broadcast6 plan, BinaryArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            int x = Load(a, ia, q.Signed) + q.Input1Offset;
            int y = Load(b, ib, q.Signed) + q.Input2Offset;
            int result;
            if (q.Operation == 2)
            {
                result = Quantization.MultiplyByQuantizedMultiplier(x * y, q.OutputMultiplier, q.OutputShift);
            }
            else
            {
                int scaledX = Quantization.MultiplyByQuantizedMultiplier(x * (1 << q.LeftShift), q.Input1Multiplier, q.Input1Shift);
                int scaledY = Quantization.MultiplyByQuantizedMultiplier(y * (1 << q.LeftShift), q.Input2Multiplier, q.Input2Shift);
                int raw = q.Operation == 1 ? scaledX - scaledY : scaledX + scaledY;
                result = Quantization.MultiplyByQuantizedMultiplier(raw, q.OutputMultiplier, q.OutputShift);
            }
            output[i] = Clamp(result + q.OutputOffset, q.ActivationMin, q.ActivationMax);
        }
    }

    /// <summary>RESIZE_BILINEAR: TFLite's integer interpolation with the definition's Q10 steps.</summary>
    public static void ResizeBilinear(DelegateNode node, IlgpuCompilation c, ResizeBilinearParams p, QuantizedResizeParams q)
    {
        Tensor inputTensor = node.Inputs[0]!, outputTensor = node.Outputs[0];
        var input = Bytes(c, inputTensor);
        var output = Bytes(c, outputTensor);
        int total = checked((int)outputTensor.ElementCount);
        var (chunks, chunkSize) = c.Split(total, 12);
        var args = new ResizeArgs(inputTensor.Dim(1), inputTensor.Dim(2), outputTensor.Dim(1), outputTensor.Dim(2), outputTensor.Dim(3),
            q.HeightScale10, q.WidthScale10, p.HalfPixelCenters ? 1 : 0, inputTensor.Type == TensorType.Int8 ? 1 : 0, total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ResizeArgs>(ResizeBilinearKernel);
        c.Add(() => kernel(chunks, input, output, args), chunks);
    }

    private static void Interpolation(int value, int step, int halfPixelCenters, int size, out int scaled, out int lower, out int upper)
    {
        scaled = halfPixelCenters != 0 ? value * step + step / 2 - (1 << 9) : value * step;
        int low = scaled / (1 << 10), high = (scaled + (1 << 10) - 1) / (1 << 10);
        lower = low > 0 ? low : 0;
        upper = high < size - 1 ? high : size - 1;
    }

    /// <summary>
    /// The reference's ResizeBilinear integer path: Q10 source coordinates and neighbours per axis, the four products
    /// of values and weights summed in int64, (sum ± 2^19) / 2^20, stored as its low byte.
    /// </summary>
    public static void ResizeBilinearKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, ResizeArgs r)
    {
        int start = chunk * r.ChunkSize;
        int end = start + r.ChunkSize < r.Total ? start + r.ChunkSize : r.Total;
        for (int i = start; i < end; i++)
        {
            int c = i % r.Depth;
            int rest = i / r.Depth;
            int x = rest % r.OutputWidth;
            rest /= r.OutputWidth;
            int y = rest % r.OutputHeight;
            int b = rest / r.OutputHeight;
            Interpolation(y, r.HeightStep, r.HalfPixelCenters, r.InputHeight, out int sy, out int y0, out int y1);
            Interpolation(x, r.WidthStep, r.HalfPixelCenters, r.InputWidth, out int sx, out int x0, out int x1);
            long wy1 = sy - (1 << 10) * y0, wy0 = (1 << 10) - wy1;
            long wx1 = sx - (1 << 10) * x0, wx0 = (1 << 10) - wx1;
            int row0 = (b * r.InputHeight + y0) * r.InputWidth, row1 = (b * r.InputHeight + y1) * r.InputWidth;
            long sum = Load(input, (row0 + x0) * r.Depth + c, r.Signed) * wy0 * wx0
                       + Load(input, (row1 + x0) * r.Depth + c, r.Signed) * wy1 * wx0
                       + Load(input, (row0 + x1) * r.Depth + c, r.Signed) * wy0 * wx1
                       + Load(input, (row1 + x1) * r.Depth + c, r.Signed) * wy1 * wx1;
            long rounded = (sum + (sum > 0 ? 1L << 19 : -(1L << 19))) / (1L << 20);
            output[i] = (byte)rounded;
        }
    }

    /// <summary>MAX_POOL_2D (<paramref name="average"/> false) and AVERAGE_POOL_2D.</summary>
    public static void Pool(DelegateNode node, IlgpuCompilation c, Pool2DParams p, bool average)
    {
        var q = p.Quantized ?? throw new InvalidOperationException($"{node}: no quantized params");
        var g = WindowShape.ForPool(node, p.Geometry);
        var input = Bytes(c, node.Inputs[0]!);
        var output = Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, IlgpuCompilation.OperationsPerElement(node));
        var args = new PoolArgs(average ? 1 : 0, node.Inputs[0]!.Type == TensorType.Int8 ? 1 : 0, q.ActivationMin, q.ActivationMax, total, chunkSize);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, WindowShape, PoolArgs>(PoolKernel);
        c.Add(() => kernel(chunks, input, output, g, args), chunks);
    }

    /// <summary>
    /// Over the in-bounds taps the maximum, or the exact sum divided by the tap count with halves away from zero
    /// ((s ± n/2) / n, truncating); then the clamp. No rescaling.
    /// </summary>
    public static void PoolKernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> output, WindowShape g, PoolArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            int c = i % g.OutputDepth;
            int rest = i / g.OutputDepth;
            int ox = rest % g.OutputWidth;
            rest /= g.OutputWidth;
            int oy = rest % g.OutputHeight;
            int b = rest / g.OutputHeight;
            int iyOrigin = oy * g.StrideH - g.PadTop;
            int ixOrigin = ox * g.StrideW - g.PadLeft;
            int kyStart = -iyOrigin > 0 ? -iyOrigin : 0;
            int kyEnd = g.FilterHeight < g.InputHeight - iyOrigin ? g.FilterHeight : g.InputHeight - iyOrigin;
            int kxStart = -ixOrigin > 0 ? -ixOrigin : 0;
            int kxEnd = g.FilterWidth < g.InputWidth - ixOrigin ? g.FilterWidth : g.InputWidth - ixOrigin;
            int acc = q.Average != 0 ? 0 : int.MinValue;
            int count = 0;
            for (int ky = kyStart; ky < kyEnd; ky++)
            for (int kx = kxStart; kx < kxEnd; kx++)
            {
                int v = Load(input, ((b * g.InputHeight + iyOrigin + ky) * g.InputWidth + ixOrigin + kx) * g.InputDepth + c, q.Signed);
                acc = q.Average != 0 ? acc + v : (v > acc ? v : acc);
                count++;
            }
            if (q.Average != 0) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            output[i] = Clamp(acc, q.ActivationMin, q.ActivationMax);
        }
    }
}

/// <summary>
/// The tabulated 8-bit activations (LOGISTIC, HARD_SWISH, TANH, ELU, GELU, LEAKY_RELU, RELU, RELU6, RELU_N1_TO_1,
/// RELU_0_TO_1 on int8/uint8): output byte = table[input byte] (the definition's 256-entry table).
/// </summary>
internal static class QuantizedLookupKernel
{
    public static bool Applies(DelegateNode node) => node.Params is ElementwiseParams { QuantizedTable.IsEmpty: false };

    public static void Compile(DelegateNode node, IlgpuCompilation c) => Compile(node, c, node.ParamsAs<ElementwiseParams>().QuantizedTable);

    public static void Compile(DelegateNode node, IlgpuCompilation c, ReadOnlyMemory<byte> quantizedTable)
    {
        var table = c.Upload(quantizedTable.ToArray());
        var input = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, table, output, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<byte> input, ArrayView<byte> table, ArrayView<byte> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = table[(int)input[i]];
    }
}

/// <summary>
/// LOGISTIC and TANH on int16 (TFLite's int16x8 forms, power-of-two scales included), EXP and quantized ABS on int16:
/// output = table[(ushort)input], the 65,536-entry table <see cref="ElementwiseParams.TabulateInt16"/> builds by running the reference kernel over every
/// int16 value, so the lookup is the reference's result by construction.
/// </summary>
internal static class Int16LookupKernel
{
    public static bool Applies(DelegateNode node) =>
        node.Params is ElementwiseParams p && (p.Int16Sigmoid is not null || !p.Int16Table.IsEmpty || p.Int16Abs is not null);

    public static void Compile(DelegateNode node, IlgpuCompilation c) => Compile(node, c, node.ParamsAs<ElementwiseParams>().TabulateInt16(node.Builtin)!);

    /// <summary>The lookup in <paramref name="int16Table"/> (RELU, RELU6, LEAKY_RELU: Int16RescaleActivationParams.Tabulate).</summary>
    public static void Compile(DelegateNode node, IlgpuCompilation c, short[] int16Table)
    {
        var table = c.Upload(int16Table);
        var input = c.View(node.Inputs[0]!).Cast<short>();
        var output = c.View(node.Outputs[0]).Cast<short>();
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 1);
        var kernel = c.Load<ArrayView<short>, ArrayView<short>, ArrayView<short>, int, int>(Kernel);
        c.Add(() => kernel(chunks, input, table, output, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<short> input, ArrayView<short> table, ArrayView<short> output, int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++) output[i] = table[(int)(ushort)input[i]];
    }
}

/// <summary>
/// The 8-bit comparisons, SQUARED_DIFFERENCE, DIV, MAXIMUM and MINIMUM: output byte = table[a · 256 + b], the node's
/// 65,536-entry <see cref="BytePairTables"/> table of the reference's element formula, with the definition's broadcast
/// (rank ≤ 6): the reference's result by construction.
/// </summary>
internal static class BytePairTableKernel
{
    public static void Compile(DelegateNode node, IlgpuCompilation c, BroadcastPlan broadcast)
    {
        var plan = Broadcast6.Of(broadcast);
        var table = c.Upload(BytePairTables.Build(node));
        var a = QuantizedKernels.Bytes(c, node.Inputs[0]!);
        var b = QuantizedKernels.Bytes(c, node.Inputs[1]!);
        var output = QuantizedKernels.Bytes(c, node.Outputs[0]);
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        var kernel = c.Load<ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, ArrayView<byte>, Broadcast6, int, int>(Kernel);
        c.Add(() => kernel(chunks, a, b, table, output, plan, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<byte> a, ArrayView<byte> b, ArrayView<byte> table, ArrayView<byte> output, Broadcast6 plan,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            output[i] = table[(int)a[ia] << 8 | b[ib]];
        }
    }
}

/// <summary>
/// MAXIMUM and MINIMUM on int16 (TFLite's maximum_minimum.cc): the stored integers compared, a &gt; b ? a : b /
/// a &lt; b ? a : b, with the definition's broadcast (rank ≤ 6); inputs and output share one quantization.
/// </summary>
internal static class Int16MaximumMinimumKernel
{
    public static void Compile(DelegateNode node, IlgpuCompilation c, BroadcastPlan broadcast)
    {
        var plan = Broadcast6.Of(broadcast);
        var a = c.View(node.Inputs[0]!).Cast<short>();
        var b = c.View(node.Inputs[1]!).Cast<short>();
        var output = c.View(node.Outputs[0]).Cast<short>();
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 2);
        int maximum = node.Builtin == BuiltinOperator.Maximum ? 1 : 0;
        var kernel = c.Load<ArrayView<short>, ArrayView<short>, ArrayView<short>, Broadcast6, int, int, int>(Kernel);
        c.Add(() => kernel(chunks, a, b, output, plan, maximum, total, chunkSize), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<short> a, ArrayView<short> b, ArrayView<short> output, Broadcast6 plan, int maximum,
        int total, int chunkSize)
    {
        int start = chunk * chunkSize;
        int end = start + chunkSize < total ? start + chunkSize : total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            short x = a[ia], y = b[ib];
            output[i] = maximum != 0 ? (x > y ? x : y) : (x < y ? x : y);
        }
    }
}

/// <summary>The integer convolution's scalars: offsets, clamp, signedness (1 = int8), and the launch's element split.</summary>
internal readonly struct ConvArgs(int inputOffset, int filterOffset, int outputOffset, int activationMin, int activationMax, int signed,
    int total, int chunkSize)
{
    public readonly int InputOffset = inputOffset, FilterOffset = filterOffset, OutputOffset = outputOffset;
    public readonly int ActivationMin = activationMin, ActivationMax = activationMax, Signed = signed;
    public readonly int Total = total, ChunkSize = chunkSize;
}

/// <summary>The integer ADD/SUB/MUL's scalars (operation 0 add, 1 sub, 2 mul) and the launch's element split.</summary>
internal readonly struct BinaryArgs(int operation, int signed, int input1Offset, int input2Offset, int outputOffset, int leftShift,
    int input1Multiplier, int input1Shift, int input2Multiplier, int input2Shift, int outputMultiplier, int outputShift,
    int activationMin, int activationMax, int total, int chunkSize)
{
    public readonly int Operation = operation, Signed = signed;
    public readonly int Input1Offset = input1Offset, Input2Offset = input2Offset, OutputOffset = outputOffset, LeftShift = leftShift;
    public readonly int Input1Multiplier = input1Multiplier, Input1Shift = input1Shift;
    public readonly int Input2Multiplier = input2Multiplier, Input2Shift = input2Shift;
    public readonly int OutputMultiplier = outputMultiplier, OutputShift = outputShift;
    public readonly int ActivationMin = activationMin, ActivationMax = activationMax;
    public readonly int Total = total, ChunkSize = chunkSize;
}

/// <summary>The integer RESIZE_BILINEAR's dimensions, Q10 steps, flags and the launch's element split.</summary>
internal readonly struct ResizeArgs(int inputHeight, int inputWidth, int outputHeight, int outputWidth, int depth, int heightStep, int widthStep,
    int halfPixelCenters, int signed, int total, int chunkSize)
{
    public readonly int InputHeight = inputHeight, InputWidth = inputWidth, OutputHeight = outputHeight, OutputWidth = outputWidth, Depth = depth;
    public readonly int HeightStep = heightStep, WidthStep = widthStep, HalfPixelCenters = halfPixelCenters, Signed = signed;
    public readonly int Total = total, ChunkSize = chunkSize;
}

/// <summary>The integer pools' scalars (average 1 = AVERAGE_POOL_2D) and the launch's element split.</summary>
internal readonly struct PoolArgs(int average, int signed, int activationMin, int activationMax, int total, int chunkSize)
{
    public readonly int Average = average, Signed = signed, ActivationMin = activationMin, ActivationMax = activationMax;
    public readonly int Total = total, ChunkSize = chunkSize;
}

/// <summary>
/// DIV on int16 (zero points 0; Runtime.Core's Quantization.Divide, TFLite's DivElementwise): per element, after
/// <see cref="InputDomainKernel"/>'s check of the denominator against 0, x = a and y = b (both negated when y &lt; 0), the
/// Q0.31 reciprocal of y by gemmlowp's three Newton–Raphson steps, x scaled by its leading sign bits, two rounding
/// doubling high multiplies and the rounding shift with C#'s shift counts (the mask from 64 bits, the shift mod 32: the
/// reference's arithmetic when the count leaves [0, 31]), then the activation clamp. The leading-zero counts are loops
/// (no BitOperations for the kernel compilers); integer arithmetic only, so every accelerator gives the reference's bits.
/// </summary>
internal static class Int16DivideKernel
{
    public static void Compile(DelegateNode node, IlgpuCompilation c, BroadcastPlan broadcast)
    {
        var q = node.ParamsAs<BinaryArithmeticParams>().QuantizedDiv!;
        var plan = Broadcast6.Of(broadcast);
        var a = c.View(node.Inputs[0]!).Cast<short>();
        var b = c.View(node.Inputs[1]!).Cast<short>();
        var output = c.View(node.Outputs[0]).Cast<short>();
        int total = checked((int)node.Outputs[0].ElementCount);
        var (chunks, chunkSize) = c.Split(total, 40);
        var args = new Int16DivideArgs(q.OutputMultiplier.Multiplier, q.OutputMultiplier.Shift, q.ActivationMin, q.ActivationMax, total, chunkSize);
        var kernel = c.Load<ArrayView<short>, ArrayView<short>, ArrayView<short>, Broadcast6, Int16DivideArgs>(Kernel);
        c.Add(() => kernel(chunks, a, b, output, plan, args), chunks);
    }

    public static void Kernel(Index1D chunk, ArrayView<short> a, ArrayView<short> b, ArrayView<short> output, Broadcast6 plan, Int16DivideArgs q)
    {
        int start = chunk * q.ChunkSize;
        int end = start + q.ChunkSize < q.Total ? start + q.ChunkSize : q.Total;
        for (int i = start; i < end; i++)
        {
            plan.Offsets(i, out int ia, out int ib);
            int value = Divide(a[ia], b[ib], q.Multiplier, q.Shift);
            output[i] = (short)(value < q.ActivationMin ? q.ActivationMin : value > q.ActivationMax ? q.ActivationMax : value);
        }
    }

    /// <summary>Quantization.Divide with offsets 0, before the clamp; y ≠ 0 (checked before).</summary>
    public static int Divide(int x, int y, int multiplier, int shift)
    {
        if (y < 0)
        {
            x = -x;
            y = -y;
        }
        if (y == 0) return 0; // unreachable: the invoke has already failed on the denominator check
        int reciprocal = Reciprocal(y, out int bitsOverUnit);
        int headroom = LeadingSignBits(x);
        int unscaled = Quantization.SaturatingRoundingDoublingHighMul(unchecked(x << headroom), reciprocal);
        int exponent = bitsOverUnit + headroom - shift;
        return RoundingShift(Quantization.SaturatingRoundingDoublingHighMul(unscaled, multiplier), exponent);
    }

    /// <summary>Quantization.RoundingDivideByPOT with C#'s shift counts for any exponent: mask (1L &lt;&lt; (e mod 64)) − 1, shift e mod 32.</summary>
    private static int RoundingShift(int x, int exponent)
    {
        int k = exponent & 63;
        int mask = k >= 32 ? -1 : (int)((1u << k) - 1u);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> (exponent & 31)) + (remainder > threshold ? 1 : 0);
    }

    private static int LeadingZeros(uint x)
    {
        int n = 0;
        while (n < 32 && (x & (0x80000000u >> n)) == 0) n++;
        return n;
    }

    /// <summary>TFLite's CountLeadingSignBits (0 → 31, −1 → 31, int.MinValue → 0).</summary>
    private static int LeadingSignBits(int x) =>
        x >= 0 ? LeadingZeros((uint)x) - 1 : x != int.MinValue ? LeadingZeros(2 * (uint)-x - 1) : 0;

    /// <summary>Quantization's GetReciprocal(y, 31, &amp;n) for y &gt; 0 (gemmlowp's one_over_one_plus_x_for_x_in_0_1).</summary>
    private static int Reciprocal(int y, out int bitsOverUnit)
    {
        int headroomPlusOne = LeadingZeros((uint)y);
        bitsOverUnit = 31 - headroomPlusOne;
        // shifted − 1 in Q0.31 lies in [0, 2^31): the half-sum with One() = 2^31 − 1 is non-negative, (s + 1) / 2 as a uint.
        uint shiftedMinusOne = unchecked(((uint)y << headroomPlusOne) - 0x80000000u);
        int halfDenominator = (int)((shiftedMinusOne + 0x80000000u) >> 1);
        const int constant48Over17 = 1515870810, constantMinus32Over17 = -1010580540, oneQ2 = 1 << 29;
        int estimate = unchecked(constant48Over17 + Quantization.SaturatingRoundingDoublingHighMul(halfDenominator, constantMinus32Over17));
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = Quantization.SaturatingRoundingDoublingHighMul(halfDenominator, estimate);
            int oneMinus = unchecked(oneQ2 - halfDenominatorTimesX);
            estimate = unchecked(estimate + Quantization.SaturatingShiftLeft(Quantization.SaturatingRoundingDoublingHighMul(estimate, oneMinus), 2));
        }
        return Quantization.SaturatingShiftLeft(estimate, 1);
    }
}

/// <summary>int16 DIV's scalars: the output multiplier and shift, the clamp, the launch's element split.</summary>
internal readonly struct Int16DivideArgs(int multiplier, int shift, int activationMin, int activationMax, int total, int chunkSize)
{
    public readonly int Multiplier = multiplier, Shift = shift, ActivationMin = activationMin, ActivationMax = activationMax;
    public readonly int Total = total, ChunkSize = chunkSize;
}
