using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Numerics;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The int8/uint8 paths of the Vulkan kernels (docs/numerics.md §Quantized execution), recorded from the params the
/// definitions computed at AllocateTensors: CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED (Shaders/conv_q8.comp),
/// ADD, SUB and MUL (Shaders/binary_q8.comp), MAX_POOL_2D and AVERAGE_POOL_2D (Shaders/pool_q8.comp). Pure int32
/// arithmetic with the 64-bit rounding multiply done by imulExtended (Shaders/quant.glsl), so no device feature beyond
/// Vulkan 1.1 compute is needed and every device gives the reference's bits. 8-bit tensors stay packed four per word
/// (the host's bytes); each invocation writes whole output words.
/// </summary>
internal static class QuantizedKernels
{
    /// <summary>The 8-bit dtypes these paths run; the kernels add them to their <see cref="IOpKernel.Types"/>.</summary>
    public static readonly TensorType[] Types = [TensorType.Int8, TensorType.UInt8];

    /// <summary>Whether the node's data (input 0) is an 8-bit quantized tensor.</summary>
    public static bool IsQuantized(DelegateNode node) => node.Inputs[0]?.Type is TensorType.Int8 or TensorType.UInt8;

    /// <summary>1 for int8 (sign-extend), 0 for uint8: the shaders' SIGNED specialization constant.</summary>
    private static int Signed(Tensor tensor) => tensor.Type == TensorType.Int8 ? 1 : 0;

    /// <summary>Dispatches for an output of <paramref name="elements"/> 8-bit elements: one invocation per word.</summary>
    private static void DispatchWords<TPush>(VulkanPartitionBuilder builder, string shader, ReadOnlySpan<ShaderBinding> bindings, in TPush push,
        long elements, ReadOnlySpan<int> specialization) where TPush : unmanaged =>
        builder.DispatchElements(shader, bindings, push, (elements + 3) / 4, specialization);

    /// <summary>Refuses tensors whose word-packed indices a uint cannot address (the delegate already bounds buffers by int).</summary>
    public static NodeSupport SupportsSize(DelegateNode node)
    {
        foreach (var tensor in node.Inputs.Concat(node.Outputs))
            if (tensor is not null && tensor.ElementCount > int.MaxValue)
                return NodeSupport.Refuse($"{node.Code.Name}: tensor '{tensor.Name}' has more than 2^31 − 1 elements");
        return NodeSupport.Supported;
    }

    /// <summary>CONV_2D: conv_q8.comp in mode 0 over the definition's geometry and groups.</summary>
    public static void Conv2D(DelegateNode node, Conv2DParams p, QuantizedConvParams q, VulkanPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!, output = node.Outputs[0];
        var g = p.Geometry;
        var push = new ConvPush
        {
            InputN = input.Dim(0), InputH = input.Dim(1), InputW = input.Dim(2), InputC = input.Dim(3),
            OutputN = output.Dim(0), OutputH = output.Dim(1), OutputW = output.Dim(2), OutputC = output.Dim(3),
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            FilterDepth = filter.Dim(3), FiltersPerGroup = p.FiltersPerGroup,
        };
        RecordConv(node, builder, 0, q, p.HasBias ? node.Inputs[2] : null, push);
    }

    /// <summary>DEPTHWISE_CONV_2D: conv_q8.comp in mode 1 (FilterDepth carries the depth multiplier).</summary>
    public static void DepthwiseConv2D(DelegateNode node, DepthwiseConv2DParams p, QuantizedConvParams q, VulkanPartitionBuilder builder)
    {
        Tensor input = node.Inputs[0]!, filter = node.Inputs[1]!, output = node.Outputs[0];
        var g = p.Geometry;
        var push = new ConvPush
        {
            InputN = input.Dim(0), InputH = input.Dim(1), InputW = input.Dim(2), InputC = input.Dim(3),
            OutputN = output.Dim(0), OutputH = output.Dim(1), OutputW = output.Dim(2), OutputC = output.Dim(3),
            KH = filter.Dim(1), KW = filter.Dim(2), StrideH = g.StrideH, StrideW = g.StrideW,
            DilationH = g.DilationH, DilationW = g.DilationW, PadTop = g.PadTop, PadLeft = g.PadLeft,
            FilterDepth = p.DepthMultiplier, FiltersPerGroup = 1,
        };
        RecordConv(node, builder, 1, q, p.HasBias ? node.Inputs[2] : null, push);
    }

    /// <summary>
    /// FULLY_CONNECTED: the [batch, depth] rows as one image row of batch pixels under a 1x1 window with the [units,
    /// depth] weights as the filter (conv_q8.comp mode 0); keep_num_dims only changes the output's shape.
    /// </summary>
    public static void FullyConnected(DelegateNode node, FullyConnectedParams p, QuantizedConvParams q, VulkanPartitionBuilder builder)
    {
        var push = new ConvPush
        {
            InputN = 1, InputH = 1, InputW = p.Batch, InputC = p.Depth,
            OutputN = 1, OutputH = 1, OutputW = p.Batch, OutputC = p.Units,
            KH = 1, KW = 1, StrideH = 1, StrideW = 1, DilationH = 1, DilationW = 1,
            FilterDepth = p.Depth, FiltersPerGroup = p.Units,
        };
        RecordConv(node, builder, 0, q, p.HasBias ? node.Inputs[2] : null, push);
    }

    private static void RecordConv(DelegateNode node, VulkanPartitionBuilder builder, int mode, QuantizedConvParams q, Tensor? bias, ConvPush push)
    {
        var output = node.Outputs[0];
        var multipliers = new int[q.Multipliers.Length * 2];
        for (int c = 0; c < q.Multipliers.Length; c++)
            (multipliers[2 * c], multipliers[2 * c + 1]) = (q.Multipliers[c].Multiplier, q.Multipliers[c].Shift);
        push.InputOffset = q.InputOffset;
        push.FilterOffset = q.FilterOffset;
        push.OutputOffset = q.OutputOffset;
        push.ActivationMin = q.ActivationMin;
        push.ActivationMax = q.ActivationMax;
        push.Total = (uint)output.ElementCount;
        var multiplierTable = builder.Table<int>(multipliers);
        DispatchWords(builder, "conv_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             // Without a bias the shader never reads binding 2; any buffer satisfies the layout.
             ShaderBinding.Read(bias is null ? multiplierTable : builder.Buffer(bias)), ShaderBinding.Read(multiplierTable),
             ShaderBinding.Write(builder.Buffer(output))],
            push, output.ElementCount, [mode, Signed(node.Inputs[0]!), bias is null ? 0 : 1]);
    }

    /// <summary>ADD, SUB, MUL: binary_q8.comp with the definition's broadcast and multipliers.</summary>
    public static void Binary(DelegateNode node, BinaryArithmeticParams p, VulkanPartitionBuilder builder)
    {
        var plan = p.Broadcast;
        var output = node.Outputs[0];
        var push = new BinaryPush { Total = (uint)output.ElementCount };
        int operation;
        if (p.QuantizedMul is { } mul)
        {
            operation = 2;
            (push.Input1Offset, push.Input2Offset, push.OutputOffset) = (mul.Input1Offset, mul.Input2Offset, mul.OutputOffset);
            (push.OutputMultiplier, push.OutputShift) = (mul.OutputMultiplier.Multiplier, mul.OutputMultiplier.Shift);
            (push.ActivationMin, push.ActivationMax) = (mul.ActivationMin, mul.ActivationMax);
        }
        else
        {
            var add = p.QuantizedAdd ?? throw new InvalidOperationException($"{node}: no quantized params");
            operation = node.Builtin == BuiltinOperator.Sub ? 1 : 0;
            (push.Input1Offset, push.Input2Offset, push.OutputOffset, push.LeftShift) =
                (add.Input1Offset, add.Input2Offset, add.OutputOffset, add.LeftShift);
            (push.Input1Multiplier, push.Input1Shift) = (add.Input1Multiplier.Multiplier, add.Input1Multiplier.Shift);
            (push.Input2Multiplier, push.Input2Shift) = (add.Input2Multiplier.Multiplier, add.Input2Multiplier.Shift);
            (push.OutputMultiplier, push.OutputShift) = (add.OutputMultiplier.Multiplier, add.OutputMultiplier.Shift);
            (push.ActivationMin, push.ActivationMax) = (add.ActivationMin, add.ActivationMax);
        }
        int pad = BinaryDispatch.MaxRank - plan.OutputShape.Length;
        unsafe
        {
            for (int d = 0; d < BinaryDispatch.MaxRank; d++)
            {
                bool padded = d < pad;
                push.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
                push.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
                push.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
            }
        }
        DispatchWords(builder, "binary_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(output))],
            push, output.ElementCount, [operation, Signed(node.Inputs[0]!)]);
    }

    /// <summary>The quantized params ADD/SUB/MUL carry, or a refusal for the other binary ops on 8-bit data.</summary>
    public static NodeSupport SupportsBinary(DelegateNode node, OpParams p) =>
        p is BinaryArithmeticParams { QuantizedAdd: not null } or BinaryArithmeticParams { QuantizedMul: not null }
            ? BinaryDispatch.SupportsRank(node, ((BinaryArithmeticParams)p).Broadcast)
            : NodeSupport.Refuse($"{node.Code.Name}: no Vulkan kernel for {node.Inputs[0]!.Type.ToDisplayName()} (only ADD, SUB and MUL)");

    /// <summary>MAX_POOL_2D (<paramref name="average"/> false) and AVERAGE_POOL_2D: pool_q8.comp.</summary>
    public static void Pool(DelegateNode node, Pool2DParams p, bool average, VulkanPartitionBuilder builder)
    {
        var q = p.Quantized ?? throw new InvalidOperationException($"{node}: no quantized params");
        var input = node.Inputs[0]!;
        var output = node.Outputs[0];
        var g = p.Geometry;
        var push = new PoolPush
        {
            InputN = input.Dim(0), InputH = input.Dim(1), InputW = input.Dim(2), InputC = input.Dim(3),
            OutputN = output.Dim(0), OutputH = output.Dim(1), OutputW = output.Dim(2), OutputC = output.Dim(3),
            FilterH = g.FilterH, FilterW = g.FilterW, StrideH = g.StrideH, StrideW = g.StrideW,
            PadTop = g.PadTop, PadLeft = g.PadLeft, Total = (uint)output.ElementCount,
            ActivationMin = q.ActivationMin, ActivationMax = q.ActivationMax,
        };
        DispatchWords(builder, "pool_q8", [ShaderBinding.Read(builder.Buffer(input)), ShaderBinding.Write(builder.Buffer(output))],
            push, output.ElementCount, [average ? 1 : 0, Signed(input)]);
    }

    /// <summary>
    /// The tabulated 8-bit activations (LOGISTIC, HARD_SWISH, TANH, ELU, GELU, LEAKY_RELU, RELU, RELU6, RELU_N1_TO_1,
    /// RELU_0_TO_1): lookup_q8.comp with the definition's 256-entry table (output byte = table[input byte]).
    /// </summary>
    public static void Lookup(DelegateNode node, ReadOnlyMemory<byte> table, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        builder.DispatchElements("lookup_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table(table.Span)),
             ShaderBinding.Write(builder.Buffer(output))],
            (uint)output.ElementCount, (output.ElementCount + 3) / 4);
    }

    /// <summary>
    /// LOGISTIC, TANH, EXP and ABS on int16: lookup_q16.comp with the 65,536-entry table
    /// <see cref="ElementwiseParams.TabulateInt16"/> builds by running the reference's step over every int16 value
    /// (output = table[(ushort)input]).
    /// </summary>
    public static void Lookup16(DelegateNode node, short[] table, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        builder.DispatchElements("lookup_q16",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Table<short>(table)),
             ShaderBinding.Write(builder.Buffer(output))],
            (uint)output.ElementCount, (output.ElementCount + 1) / 2);
    }

    /// <summary>
    /// Quantized SQRT and RSQRT: the reference's input check (every element at least the zero point, else its error
    /// naming the first offender; none is recorded when the type's minimum is the zero point), then the table lookup —
    /// int16 the reference's step over every int16 value, 8-bit the definition's table.
    /// </summary>
    public static void NonNegativeLookup(DelegateNode node, ElementwiseParams p, VulkanPartitionBuilder builder)
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
    /// The 8-bit comparisons, SQUARED_DIFFERENCE, DIV, MAXIMUM and MINIMUM: pair_table_q8.comp with the node's
    /// 65,536-entry <see cref="BytePairTables"/> table (output byte = table[a · 256 + b]) and its broadcast.
    /// </summary>
    public static void PairTable(DelegateNode node, BroadcastPlan plan, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        var push = Broadcast(plan, output);
        DispatchWords(builder, "pair_table_q8",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Read(builder.Table<byte>(BytePairTables.Build(node))), ShaderBinding.Write(builder.Buffer(output))],
            push, output.ElementCount, []);
    }

    /// <summary>MAXIMUM and MINIMUM on int16: binary_q16.comp (the stored integers compared) with the node's broadcast.</summary>
    public static void MaximumMinimum16(DelegateNode node, BroadcastPlan plan, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        builder.DispatchElements("binary_q16",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(output))],
            Broadcast(plan, output), (output.ElementCount + 1) / 2, [node.Builtin == BuiltinOperator.Maximum ? 0 : 1]);
    }

    /// <summary>DIV on int16 (zero points 0): div_q16.comp, the reference's fixed-point quotient per element, with the node's broadcast.</summary>
    public static void Divide16(DelegateNode node, BroadcastPlan plan, VulkanPartitionBuilder builder)
    {
        var output = node.Outputs[0];
        var q = node.ParamsAs<BinaryArithmeticParams>().QuantizedDiv!;
        var push = new Div16Push
        {
            Broadcast = Broadcast(plan, output), Multiplier = q.OutputMultiplier.Multiplier, Shift = q.OutputMultiplier.Shift,
            Lo = q.ActivationMin, Hi = q.ActivationMax,
        };
        builder.DispatchElements("div_q16",
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(output))],
            push, (output.ElementCount + 1) / 2, []);
    }

    /// <summary>div_q16.comp's push constants (std430: three int[6], the total, multiplier, shift, lo, hi; 92 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Div16Push
    {
        public BroadcastPush Broadcast;
        public int Multiplier, Shift, Lo, Hi;
    }

    private static unsafe BroadcastPush Broadcast(BroadcastPlan plan, Tensor output)
    {
        var push = new BroadcastPush { Total = (uint)output.ElementCount };
        int pad = BinaryDispatch.MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < BinaryDispatch.MaxRank; d++)
        {
            bool padded = d < pad;
            push.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            push.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
            push.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        return push;
    }

    /// <summary>pair_table_q8.comp's and binary_q16.comp's push constants (std430: three int[6], the total; 76 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct BroadcastPush
    {
        public fixed int Dims[BinaryDispatch.MaxRank];
        public fixed int StrideA[BinaryDispatch.MaxRank];
        public fixed int StrideB[BinaryDispatch.MaxRank];
        public uint Total;
    }

    /// <summary>conv_q8.comp's push constants (std430: four ivec4, then seven ints and the total; 96 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ConvPush
    {
        public int InputN, InputH, InputW, InputC;
        public int OutputN, OutputH, OutputW, OutputC;
        public int KH, KW, StrideH, StrideW;
        public int DilationH, DilationW, PadTop, PadLeft;
        public int FilterDepth, FiltersPerGroup;
        public int InputOffset, FilterOffset, OutputOffset;
        public int ActivationMin, ActivationMax;
        public uint Total;
    }

    /// <summary>binary_q8.comp's push constants (std430: three int[6], the total, then twelve ints; 124 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct BinaryPush
    {
        public fixed int Dims[BinaryDispatch.MaxRank];
        public fixed int StrideA[BinaryDispatch.MaxRank];
        public fixed int StrideB[BinaryDispatch.MaxRank];
        public uint Total;
        public int Input1Offset, Input2Offset, OutputOffset, LeftShift;
        public int Input1Multiplier, Input1Shift, Input2Multiplier, Input2Shift, OutputMultiplier, OutputShift;
        public int ActivationMin, ActivationMax;
    }

    /// <summary>pool_q8.comp's push constants (std430: three ivec4, padTop, padLeft, total, min, max; 68 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct PoolPush
    {
        public int InputN, InputH, InputW, InputC;
        public int OutputN, OutputH, OutputW, OutputC;
        public int FilterH, FilterW, StrideH, StrideW;
        public int PadTop, PadLeft;
        public uint Total;
        public int ActivationMin, ActivationMax;
    }
}
