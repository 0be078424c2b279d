using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// The int8/uint8 paths of the OpenCL kernels (Cl/quant.cl; docs/numerics.md §Quantized execution), recorded from the
/// params the definitions computed at AllocateTensors: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED, ADD, SUB and
/// MUL, MAX_POOL_2D and AVERAGE_POOL_2D, LOGISTIC and HARD_SWISH (the definition's 256-entry tables), PAD,
/// RESIZE_BILINEAR, QUANTIZE and DEQUANTIZE. Integer arithmetic only (the 64-bit product of the rounding multiply in
/// OpenCL's long), so every device gives the reference's bits; the operation sequence of Delegates.Vulkan's shaders.
/// </summary>
internal static class QuantizedKernels
{
    /// <summary>The 8-bit dtypes these paths run; the kernels add them to their <see cref="IOpKernel.Types"/>.</summary>
    public static readonly TensorType[] Types = [TensorType.Int8, TensorType.UInt8];

    /// <summary>Whether the node's data (input 0) is an 8-bit quantized tensor.</summary>
    public static bool IsQuantized(DelegateNode node) => node.Inputs[0]?.Type is TensorType.Int8 or TensorType.UInt8;

    /// <summary>1 for int8 (sign-extend), 0 for uint8.</summary>
    private static int Signed(Tensor tensor) => tensor.Type == TensorType.Int8 ? 1 : 0;

    /// <summary>CONV_2D: conv_q8 in mode 0 over the definition's geometry and groups.</summary>
    public static void Conv2D(DelegateNode node, Conv2DParams p, QuantizedConvParams q, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!, output = node.Outputs[0];
        var g = p.Geometry;
        var args = new ConvArgs
        {
            N = input.Dim(0), H = input.Dim(1), W = input.Dim(2), C = input.Dim(3),
            ON = output.Dim(0), OH = output.Dim(1), OW = output.Dim(2), OC = output.Dim(3),
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            FilterDepth = filter.Dim(3), FiltersPerGroup = p.FiltersPerGroup, Mode = 0,
        };
        RecordConv(node, builder, q, p.HasBias ? node.Inputs[2] : null, args);
    }

    /// <summary>DEPTHWISE_CONV_2D: conv_q8 in mode 1 (FilterDepth carries the depth multiplier).</summary>
    public static void DepthwiseConv2D(DelegateNode node, DepthwiseConv2DParams p, QuantizedConvParams q, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!, output = node.Outputs[0];
        var g = p.Geometry;
        var args = new ConvArgs
        {
            N = input.Dim(0), H = input.Dim(1), W = input.Dim(2), C = input.Dim(3),
            ON = output.Dim(0), OH = output.Dim(1), OW = output.Dim(2), OC = output.Dim(3),
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            FilterDepth = p.DepthMultiplier, FiltersPerGroup = 1, Mode = 1,
        };
        RecordConv(node, builder, q, p.HasBias ? node.Inputs[2] : null, args);
    }

    /// <summary>
    /// FULLY_CONNECTED: the [batch, depth] rows as one image row of batch pixels under a 1x1 window with the [units,
    /// depth] weights as the filter (conv_q8 mode 0); keep_num_dims only changes the output's shape.
    /// </summary>
    public static void FullyConnected(DelegateNode node, FullyConnectedParams p, QuantizedConvParams q, OpenClPartitionBuilder builder)
    {
        var args = new ConvArgs
        {
            N = 1, H = 1, W = p.Batch, C = p.Depth,
            ON = 1, OH = 1, OW = p.Batch, OC = p.Units,
            KH = 1, KW = 1, StrideH = 1, StrideW = 1, DilationH = 1, DilationW = 1,
            FilterDepth = p.Depth, FiltersPerGroup = p.Units, Mode = 0,
        };
        RecordConv(node, builder, q, p.HasBias ? node.Inputs[2] : null, args);
    }

    private static void RecordConv(DelegateNode node, OpenClPartitionBuilder builder, QuantizedConvParams q, Tensor? bias, ConvArgs args)
    {
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int c = 0; c < q.Multipliers.Length; c++)
            (multipliers[2 * c], multipliers[2 * c + 1]) = (q.Multipliers[c].Multiplier, q.Multipliers[c].Shift);
        args.InputOffset = q.InputOffset;
        args.FilterOffset = q.FilterOffset;
        args.OutputOffset = q.OutputOffset;
        args.ActivationMin = q.ActivationMin;
        args.ActivationMax = q.ActivationMax;
        args.IsSigned = Signed(node.Inputs[0]!);
        args.HasBias = bias is null ? 0 : 1;
        var multiplierTable = builder.Table<int>(multipliers);
        // Without a bias the kernel never reads its bias argument: the multiplier table stands in for it.
        builder.Dispatch("conv_q8",
            [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), bias is null ? multiplierTable : builder.Buffer(bias), multiplierTable,
             builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "quant");
    }

    /// <summary>ADD, SUB, MUL: binary_q8 with the definition's broadcast (rank ≤ 6) and multipliers.</summary>
    public static unsafe void Binary(DelegateNode node, BinaryArithmeticParams p, OpenClPartitionBuilder builder)
    {
        var plan = p.Broadcast;
        var args = new BinaryArgs { IsSigned = Signed(node.Inputs[0]!) };
        if (p.QuantizedMul is { } mul)
        {
            args.Operation = 2;
            (args.Input1Offset, args.Input2Offset, args.OutputOffset) = (mul.Input1Offset, mul.Input2Offset, mul.OutputOffset);
            (args.OutputMultiplier, args.OutputShift) = (mul.OutputMultiplier.Multiplier, mul.OutputMultiplier.Shift);
            (args.ActivationMin, args.ActivationMax) = (mul.ActivationMin, mul.ActivationMax);
        }
        else
        {
            var add = p.QuantizedAdd ?? throw new InvalidOperationException($"{node}: no quantized params");
            args.Operation = node.Builtin == BuiltinOperator.Sub ? 1 : 0;
            (args.Input1Offset, args.Input2Offset, args.OutputOffset, args.LeftShift) = (add.Input1Offset, add.Input2Offset, add.OutputOffset, add.LeftShift);
            (args.Input1Multiplier, args.Input1Shift) = (add.Input1Multiplier.Multiplier, add.Input1Multiplier.Shift);
            (args.Input2Multiplier, args.Input2Shift) = (add.Input2Multiplier.Multiplier, add.Input2Multiplier.Shift);
            (args.OutputMultiplier, args.OutputShift) = (add.OutputMultiplier.Multiplier, add.OutputMultiplier.Shift);
            (args.ActivationMin, args.ActivationMax) = (add.ActivationMin, add.ActivationMax);
        }
        int pad = BinaryArgs.MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < BinaryArgs.MaxRank; d++)
        {
            bool padded = d < pad;
            args.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            args.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
            args.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        builder.Dispatch("binary_q8", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "quant");
    }

    /// <summary>MAX_POOL_2D (<paramref name="average"/> false) and AVERAGE_POOL_2D: pool_q8.</summary>
    public static void Pool(DelegateNode node, Pool2DParams p, bool average, OpenClPartitionBuilder builder)
    {
        var q = p.Quantized ?? throw new InvalidOperationException($"{node}: no quantized params");
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        var g = p.Geometry;
        var args = new PoolArgs
        {
            N = input.Dim(0), H = input.Dim(1), W = input.Dim(2), C = input.Dim(3),
            ON = output.Dim(0), OH = output.Dim(1), OW = output.Dim(2), OC = output.Dim(3),
            FilterH = g.FilterH, FilterW = g.FilterW, StrideH = g.StrideH, StrideW = g.StrideW,
            PadTop = g.PadTop, PadLeft = g.PadLeft, ActivationMin = q.ActivationMin, ActivationMax = q.ActivationMax,
            Average = average ? 1 : 0, IsSigned = Signed(input),
        };
        builder.Dispatch("pool_q8", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount, file: "quant");
    }

    /// <summary>
    /// The tabulated 8-bit activations (LOGISTIC, HARD_SWISH, TANH, ELU, GELU, LEAKY_RELU, RELU, RELU6, RELU_N1_TO_1,
    /// RELU_0_TO_1): lookup_q8 with the definition's 256-entry table (output byte = table[input byte]).
    /// </summary>
    public static void Lookup(DelegateNode node, ReadOnlyMemory<byte> table, OpenClPartitionBuilder builder) =>
        builder.Dispatch("lookup_q8", [builder.Buffer(node.Inputs[0]!), builder.Table(table.Span), builder.Buffer(node.Outputs[0])], 0,
            node.Outputs[0].ElementCount, file: "quant");

    /// <summary>
    /// LOGISTIC and TANH on int16: lookup_q16 with the 65,536-entry table <see cref="Int16SigmoidParams.Tabulate"/>
    /// builds by running the reference kernel over every int16 value (output = table[(ushort)input]).
    /// </summary>
    public static void Lookup16(DelegateNode node, short[] table, OpenClPartitionBuilder builder) =>
        builder.Dispatch("lookup_q16", [builder.Buffer(node.Inputs[0]!), builder.Table<short>(table), builder.Buffer(node.Outputs[0])],
            0, node.Outputs[0].ElementCount, file: "quant");

    /// <summary>
    /// Quantized SQRT and RSQRT: the reference's input check (every element at least the zero point, else its error
    /// naming the first offender; none is recorded when the type's minimum is the zero point), then the table lookup —
    /// int16 the reference's step over every int16 value, 8-bit the definition's table.
    /// </summary>
    public static void NonNegativeLookup(DelegateNode node, ElementwiseParams p, OpenClPartitionBuilder builder)
    {
        var input = node.Inputs[0]!;
        int minimum = p.QuantizedInputMinimum!.Value;
        int typeMinimum = input.Type == TensorType.Int16 ? short.MinValue : sbyte.MinValue;
        if (minimum > typeMinimum)
            builder.CheckInput(input, InputCondition.Below, minimum, (index, value) => InputDomain.BelowZeroPoint(node, index, value, minimum));
        if (p.TabulateInt16(node.Builtin) is { } table16) Lookup16(node, table16, builder);
        else Lookup(node, p.QuantizedTable, builder);
    }

    /// <summary>
    /// The 8-bit comparisons, SQUARED_DIFFERENCE, DIV, MAXIMUM and MINIMUM: pair_table_q8 with the node's 65,536-entry
    /// <see cref="BytePairTables"/> table (output byte = table[a · 256 + b]) and its broadcast (rank ≤ 6).
    /// </summary>
    public static void PairTable(DelegateNode node, BroadcastPlan plan, OpenClPartitionBuilder builder) =>
        builder.Dispatch("pair_table_q8",
            [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Table<byte>(BytePairTables.Build(node)), builder.Buffer(node.Outputs[0])],
            Broadcast(plan, 0), node.Outputs[0].ElementCount, file: "quant");

    /// <summary>MAXIMUM and MINIMUM on int16: binary_q16 (the stored integers compared) with the node's broadcast.</summary>
    public static void MaximumMinimum16(DelegateNode node, BroadcastPlan plan, OpenClPartitionBuilder builder) =>
        builder.Dispatch("binary_q16", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Buffer(node.Outputs[0])],
            Broadcast(plan, node.Builtin == BuiltinOperator.Maximum ? 0 : 1), node.Outputs[0].ElementCount, file: "quant");

    /// <summary>DIV on int16 (zero points 0): div_q16, the reference's fixed-point quotient per element, with the node's broadcast.</summary>
    public static void Divide16(DelegateNode node, BroadcastPlan plan, OpenClPartitionBuilder builder)
    {
        var q = node.ParamsAs<BinaryArithmeticParams>().QuantizedDiv!;
        var args = new Div16Args
        {
            Broadcast = Broadcast(plan, 0), Multiplier = q.OutputMultiplier.Multiplier, Shift = q.OutputMultiplier.Shift,
            Lo = q.ActivationMin, Hi = q.ActivationMax,
        };
        builder.Dispatch("div_q16", [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "quant");
    }

    /// <summary>div_q16's arguments (Cl/quant.cl Div16Args).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Div16Args
    {
        public BroadcastArgs Broadcast;
        public int Multiplier, Shift, Lo, Hi;
    }

    private static unsafe BroadcastArgs Broadcast(BroadcastPlan plan, int operation)
    {
        var args = new BroadcastArgs { Operation = operation };
        int pad = BinaryArgs.MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < BinaryArgs.MaxRank; d++)
        {
            bool padded = d < pad;
            args.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            args.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
            args.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        return args;
    }

    /// <summary>pair_table_q8's and binary_q16's arguments (Cl/quant.cl BroadcastArgs).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct BroadcastArgs
    {
        public fixed int Dims[BinaryArgs.MaxRank];
        public fixed int StrideA[BinaryArgs.MaxRank];
        public fixed int StrideB[BinaryArgs.MaxRank];
        public int Operation;
    }

    /// <summary>PAD on 8-bit data, rank ≤ 4 right-aligned in four slots: pad_q8 with the definition's pad byte.</summary>
    public static void Pad(DelegateNode node, PadParams p, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        int lead = 4 - input.Rank;
        int In(int d) => d >= lead ? input.Dim(d - lead) : 1;
        int Out(int d) => d >= lead ? output.Dim(d - lead) : 1;
        int Before(int d) => d >= lead ? p.Before[d - lead] : 0;
        var args = new PadArgs
        {
            I0 = In(0), I1 = In(1), I2 = In(2), I3 = In(3),
            O0 = Out(0), O1 = Out(1), O2 = Out(2), O3 = Out(3),
            B0 = Before(0), B1 = Before(1), B2 = Before(2), B3 = Before(3),
            PadByte = p.PadByte,
        };
        builder.Dispatch("pad_q8", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount, file: "quant");
    }

    /// <summary>RESIZE_BILINEAR on 8-bit data: resize_bilinear_q8 with the definition's Q10 steps.</summary>
    public static void ResizeBilinear(DelegateNode node, ResizeBilinearParams p, QuantizedResizeParams q, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        var args = new ResizeArgs
        {
            N = input.Dim(0), H = input.Dim(1), W = input.Dim(2), C = input.Dim(3),
            ON = output.Dim(0), OH = output.Dim(1), OW = output.Dim(2), OC = output.Dim(3),
            HeightStep = q.HeightScale10, WidthStep = q.WidthScale10, IsSigned = Signed(input), HalfPixelCenters = p.HalfPixelCenters ? 1 : 0,
        };
        builder.Dispatch("resize_bilinear_q8", [builder.Buffer(input), builder.Buffer(output)], args, output.ElementCount, file: "quant");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ConvArgs
    {
        public int N, H, W, C;
        public int ON, OH, OW, OC;
        public int KH, KW, StrideH, StrideW;
        public int DilationH, DilationW, PadTop, PadLeft;
        public int FilterDepth, FiltersPerGroup;
        public int InputOffset, FilterOffset, OutputOffset;
        public int ActivationMin, ActivationMax;
        public int Mode, IsSigned, HasBias;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct BinaryArgs
    {
        public const int MaxRank = 6;
        public fixed int Dims[MaxRank];
        public fixed int StrideA[MaxRank];
        public fixed int StrideB[MaxRank];
        public int Input1Offset, Input2Offset, OutputOffset, LeftShift;
        public int Input1Multiplier, Input1Shift, Input2Multiplier, Input2Shift, OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
        public int Operation, IsSigned;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PoolArgs
    {
        public int N, H, W, C;
        public int ON, OH, OW, OC;
        public int FilterH, FilterW, StrideH, StrideW;
        public int PadTop, PadLeft;
        public int ActivationMin, ActivationMax;
        public int Average, IsSigned;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PadArgs
    {
        public int I0, I1, I2, I3;
        public int O0, O1, O2, O3;
        public int B0, B1, B2, B3;
        public int PadByte;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResizeArgs
    {
        public int N, H, W, C;
        public int ON, OH, OW, OC;
        public int HeightStep, WidthStep;
        public int IsSigned, HalfPixelCenters;
    }
}

/// <summary>
/// QUANTIZE to int8/uint8 (Cl/quant.cl): from float32, round(x / scale) with the correctly rounded division (specDivide)
/// and halves away from zero, + zero point, clamped; from int8/uint8, MultiplyByQuantizedMultiplier of the centred value
/// with the definition's multiplier (docs/numerics.md §Quantized execution). int16 outputs and inputs are refused.
/// </summary>
[OpCodes(BuiltinOperator.Quantize)]
internal sealed class QuantizeKernel : OpenClKernel<QuantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Quantize];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int8, TensorType.UInt8];

    protected override NodeSupport Supports(DelegateNode node, QuantizeParams p, OpenClDeviceInfo device)
    {
        var output = node.Outputs[0];
        return output.Type is TensorType.Int8 or TensorType.UInt8
            ? NodeSupport.Supported
            : NodeSupport.Refuse($"QUANTIZE: output '{output.Name}' is {output.Type.ToDisplayName()}; only int8 and uint8 outputs are supported");
    }

    protected override void Build(DelegateNode node, QuantizeParams p, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        var args = new Args
        {
            OutputScale = p.OutputScale, OutputZeroPoint = p.OutputZeroPoint, OutputMin = p.OutputMin, OutputMax = p.OutputMax,
            InputZeroPoint = p.InputZeroPoint, Multiplier = p.Requantize.Multiplier, Shift = p.Requantize.Shift,
            FromFloat = input.Type == TensorType.Float32 ? 1 : 0, IsSignedInput = input.Type == TensorType.Int8 ? 1 : 0,
        };
        // The kernel reads the input as floats or as bytes (FromFloat): the same buffer goes to both arguments.
        var source = builder.Buffer(input);
        builder.Dispatch("quantize_q8", [source, source, builder.Buffer(output)], args, output.ElementCount, file: "quant");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public float OutputScale;
        public int OutputZeroPoint, OutputMin, OutputMax;
        public int InputZeroPoint, Multiplier, Shift;
        public int FromFloat, IsSignedInput;
    }
}

/// <summary>
/// DEQUANTIZE int8/uint8 → float32 (Cl/quant.cl): scale · (float)(q − zero point), one rounded multiply, per tensor or
/// per channel with the definition's layout (docs/numerics.md §Dequantize). float16 and int16 inputs are refused
/// (<see cref="IOpKernel.Types"/>).
/// </summary>
[OpCodes(BuiltinOperator.Dequantize)]
internal sealed class DequantizeKernel : OpenClKernel<DequantizeParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Dequantize];

    public override IReadOnlyList<TensorType> Types => QuantizedKernels.Types;

    protected override NodeSupport Supports(DelegateNode node, DequantizeParams p, OpenClDeviceInfo device) =>
        p.Scales.Length == 0 ? NodeSupport.Refuse("DEQUANTIZE: the input has no affine quantization")
        // q − zero point must be exact in float32 (|value| <= 2^24), as it is in the reference's long arithmetic.
        : p.ZeroPoints.Any(z => Math.Abs(z) > (1 << 24) - 256) ? NodeSupport.Refuse("DEQUANTIZE: a zero point beyond ±(2^24 − 256) is not supported")
        : NodeSupport.Supported;

    protected override void Build(DelegateNode node, DequantizeParams p, OpenClPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, output = node.Outputs[0];
        var zeroPoints = p.ZeroPoints.Select(z => (int)z).ToArray();
        var args = new Args { Channels = p.Channels, Inner = Math.Max(1, p.InnerSize), IsSigned = input.Type == TensorType.Int8 ? 1 : 0 };
        builder.Dispatch("dequantize_q8",
            [builder.Buffer(input), builder.Table<float>(p.Scales.AsSpan()), builder.Table<int>(zeroPoints), builder.Buffer(output)],
            args, output.ElementCount, file: "quant");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Args
    {
        public int Channels, Inner, IsSigned;
    }
}
