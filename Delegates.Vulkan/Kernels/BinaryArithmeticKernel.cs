using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// The binary element-wise ops with NumPy broadcasting up to rank 6, float32 (Shaders/binary.comp) and int32
/// (Shaders/binary_int32.comp): ADD, SUB, MUL (one rounded operation — int32: wrapping — then the fused-activation
/// clamp), MAXIMUM, MINIMUM (the reference's operand-ordered selection <c>a &gt; b ? a : b</c> / <c>a &lt; b ? a : b</c>)
/// and SQUARED_DIFFERENCE (d = a − b, then d · d, each rounded, no fma; int32 wrapping). The definition's BroadcastPlan
/// gives the strides (a dimension of 1 against another size has stride 0); the operation is a specialization constant.
/// int64 (MAXIMUM, MINIMUM) is refused by the delegate (<see cref="IOpKernel.Types"/>).
/// </summary>
[OpCodes(BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul)]
internal sealed class BinaryArithmeticKernel : VulkanKernel<OpParams>
{
    // MAXIMUM, MINIMUM and SQUARED_DIFFERENCE are BinaryElementwiseKernel's (the same shaders, no 8-bit path).
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, VulkanDeviceInfo device) =>
        QuantizedKernels.IsQuantized(node) ? QuantizedKernels.SupportsBinary(node, p) : BinaryDispatch.SupportsRank(node, Operands(p).Plan);

    protected override void Build(DelegateNode node, OpParams p, VulkanPartitionBuilder builder)
    {
        if (QuantizedKernels.IsQuantized(node))
        {
            QuantizedKernels.Binary(node, (BinaryArithmeticParams)p, builder);
            return;
        }
        BuildFloatOrInt32(node, p, builder);
    }

    /// <summary>The float32 and int32 ops of this kernel and of <see cref="BinaryElementwiseKernel"/>.</summary>
    internal static void BuildFloatOrInt32(DelegateNode node, OpParams p, VulkanPartitionBuilder builder)
    {
        var (plan, range, intRange) = Operands(p);
        // binary.comp's / binary_int32.comp's OPERATION.
        int operation = node.Builtin switch
        {
            BuiltinOperator.Add => 0,
            BuiltinOperator.Sub => 1,
            BuiltinOperator.Mul => 2,
            BuiltinOperator.Maximum => 3,
            BuiltinOperator.Minimum => 4,
            BuiltinOperator.SquaredDifference => 5,
            _ => throw new InvalidOperationException($"{node.Code.Name} is not a binary arithmetic op"),
        };
        if (node.Inputs[0]!.Type == TensorType.Int32)
            BinaryDispatch.Build(node, builder, "binary_int32", operation, plan, (uint)intRange.Min, (uint)intRange.Max);
        else
            BinaryDispatch.Build(node, builder, "binary", operation, plan,
                BitConverter.SingleToUInt32Bits(range.Min), BitConverter.SingleToUInt32Bits(range.Max));
    }

    /// <summary>
    /// The broadcast and the clamps: ADD/SUB/MUL's fused activation; MAXIMUM, MINIMUM and SQUARED_DIFFERENCE have none,
    /// and the clamp to the whole range passes every value (NaN and −0 included) unchanged.
    /// </summary>
    internal static (BroadcastPlan Plan, ActivationRange Range, Int32ActivationRange IntRange) Operands(OpParams p) => p switch
    {
        BinaryArithmeticParams arithmetic => (arithmetic.Broadcast, arithmetic.FloatActivation, arithmetic.Int32Activation),
        BinaryElementwiseParams elementwise => (elementwise.Broadcast, new ActivationRange(float.NegativeInfinity, float.PositiveInfinity),
            new Int32ActivationRange(int.MinValue, int.MaxValue)),
        _ => throw new InvalidOperationException($"unexpected params {p.GetType().Name}"),
    };
}

/// <summary>The dispatch binary.comp and binary_int32.comp share: the broadcast as rank-6 push constants.</summary>
internal static class BinaryDispatch
{
    public const int MaxRank = 6;

    public static NodeSupport SupportsRank(DelegateNode node, BroadcastPlan plan)
    {
        int rank = plan.OutputShape.Length;
        return rank > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank {rank}; rank above {MaxRank} is not supported")
            : NodeSupport.Supported;
    }

    /// <summary>Dispatches <paramref name="shader"/> over the output with the clamp bounds as raw 32-bit words.</summary>
    public static unsafe void Build(DelegateNode node, VulkanPartitionBuilder builder, string shader, int operation, BroadcastPlan plan,
        uint lo, uint hi)
    {
        long total = node.Outputs[0].ElementCount;
        var push = new Push { Total = (uint)total, Lo = lo, Hi = hi };
        int pad = MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < MaxRank; d++)
        {
            bool padded = d < pad;
            push.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            push.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
            push.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        builder.DispatchElements(shader,
            [ShaderBinding.Read(builder.Buffer(node.Inputs[0]!)), ShaderBinding.Read(builder.Buffer(node.Inputs[1]!)),
             ShaderBinding.Write(builder.Buffer(node.Outputs[0]))],
            push, total, [operation]);
    }

    /// <summary>The shaders' push constants (std430: three int[6], then total, lo, hi; 84 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Push
    {
        public fixed int Dims[MaxRank];
        public fixed int StrideA[MaxRank];
        public fixed int StrideB[MaxRank];
        public uint Total;
        public uint Lo, Hi;
    }
}
