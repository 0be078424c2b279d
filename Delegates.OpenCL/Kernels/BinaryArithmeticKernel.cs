using System.Runtime.InteropServices;
using Accel.Kernels.Reference;
using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// The binary element-wise ops with NumPy broadcasting up to rank 6, float32 and int32 (Cl/binary.cl): ADD, SUB, MUL
/// (one rounded operation — int32: wrapping — then the fused-activation clamp), MAXIMUM, MINIMUM (the reference's
/// operand-ordered selection) and SQUARED_DIFFERENCE (d = a − b, then d · d, each rounded, no fma). The definition's
/// BroadcastPlan gives the strides (0 where an operand broadcasts). This class claims ADD, SUB, MUL (also int8/uint8,
/// through Cl/quant.cl); <see cref="BinaryElementwiseKernel"/> the other three, float32 and int32 only.
/// </summary>
[OpCodes(BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul)]
internal sealed class BinaryArithmeticKernel : OpenClKernel<OpParams>
{
    private const int MaxRank = 6;

    public override IReadOnlyList<OpId> Ops =>
    [
        BuiltinOperator.Add, BuiltinOperator.Sub, BuiltinOperator.Mul,
    ];

    // int8/uint8: Cl/quant.cl's binary_q8 (QuantizedKernels.Binary).
    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types];

    protected override NodeSupport Supports(DelegateNode node, OpParams p, OpenClDeviceInfo device) =>
        !QuantizedKernels.IsQuantized(node) || p is BinaryArithmeticParams { QuantizedAdd: not null } or BinaryArithmeticParams { QuantizedMul: not null }
            ? SupportsRank(node, p)
            : NodeSupport.Refuse($"{node.Code.Name}: the node's 8-bit data carries no quantized parameters");

    /// <summary>Refuses broadcasts above rank 6 (shared with <see cref="DivKernel"/> and <see cref="BinaryElementwiseKernel"/>).</summary>
    internal static NodeSupport SupportsRank(DelegateNode node, OpParams p)
    {
        int rank = Operands(p).Plan.OutputShape.Length;
        return rank > MaxRank
            ? NodeSupport.Refuse($"{node.Code.Name}: operands of rank {rank}; rank above {MaxRank} is not supported")
            : NodeSupport.Supported;
    }

    protected override void Build(DelegateNode node, OpParams p, OpenClPartitionBuilder builder)
    {
        if (QuantizedKernels.IsQuantized(node)) QuantizedKernels.Binary(node, (BinaryArithmeticParams)p, builder);
        else Launch(node, p, builder);
    }

    /// <summary>Records binary.cl's launch for the node (shared with <see cref="DivKernel"/> and <see cref="BinaryElementwiseKernel"/>).</summary>
    internal static unsafe void Launch(DelegateNode node, OpParams p, OpenClPartitionBuilder builder)
    {
        var (plan, range, intRange) = Operands(p);
        bool int32 = node.Inputs[0]!.Type == TensorType.Int32;
        var args = new Args
        {
            Operation = node.Builtin switch
            {
                BuiltinOperator.Add => 0,
                BuiltinOperator.Sub => 1,
                BuiltinOperator.Mul => 2,
                BuiltinOperator.Maximum => 3,
                BuiltinOperator.Minimum => 4,
                BuiltinOperator.SquaredDifference => 5,
                BuiltinOperator.Div => 6,
                _ => throw new InvalidOperationException($"{node.Code.Name} is not a binary arithmetic op"),
            },
            Lo = int32 ? (uint)intRange.Min : BitConverter.SingleToUInt32Bits(range.Min),
            Hi = int32 ? (uint)intRange.Max : BitConverter.SingleToUInt32Bits(range.Max),
        };
        int pad = MaxRank - plan.OutputShape.Length;
        for (int d = 0; d < MaxRank; d++)
        {
            bool padded = d < pad;
            args.Dims[d] = padded ? 1 : plan.OutputShape[d - pad];
            args.StrideA[d] = padded ? 0 : plan.StridesA[d - pad];
            args.StrideB[d] = padded ? 0 : plan.StridesB[d - pad];
        }
        builder.Dispatch(int32 ? "binary_int32" : "binary",
            [builder.Buffer(node.Inputs[0]!), builder.Buffer(node.Inputs[1]!), builder.Buffer(node.Outputs[0])],
            args, node.Outputs[0].ElementCount, file: "binary");
    }

    /// <summary>ADD/SUB/MUL's fused activation; the others have none (the whole range passes every value unchanged).</summary>
    private static (BroadcastPlan Plan, ActivationRange Range, Int32ActivationRange IntRange) Operands(OpParams p) => p switch
    {
        BinaryArithmeticParams arithmetic => (arithmetic.Broadcast, arithmetic.FloatActivation, arithmetic.Int32Activation),
        BinaryElementwiseParams elementwise => (elementwise.Broadcast, new ActivationRange(float.NegativeInfinity, float.PositiveInfinity),
            new Int32ActivationRange(int.MinValue, int.MaxValue)),
        _ => throw new InvalidOperationException($"unexpected params {p.GetType().Name}"),
    };

    /// <summary>binary.cl's BinaryArgs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Args
    {
        public fixed int Dims[MaxRank];
        public fixed int StrideA[MaxRank];
        public fixed int StrideB[MaxRank];
        public uint Lo, Hi;
        public int Operation;
    }
}
