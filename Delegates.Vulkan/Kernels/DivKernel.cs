using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.Vulkan.Kernels;

/// <summary>
/// DIV, float32 (Shaders/binary.comp, operation 6): the correctly rounded quotient by specDivide (integer long
/// division: OpFDiv's 2.5 ulp would not be the reference's bits), then the fused-activation clamp, broadcasting up to
/// rank 6. int8/uint8: the node's <see cref="BytePairTables"/> table of the reference's fixed-point quotient
/// (Shaders/pair_table_q8.comp); a denominator at its zero point (a real 0) is the reference's error at Invoke, so
/// unless the denominator is a constant free of it, Shaders/domain_check.comp checks it on the device first
/// (<see cref="VulkanPartitionBuilder.CheckInput"/>) and the invoke fails with that error before any output reaches the
/// host. int32 (Shaders/binary_int32.comp, operation 6): truncation toward zero, −2³¹ / −1 saturating, then the int32
/// activation clamp; a zero denominator fails the invoke by the same device check (bound 0) before any output reaches
/// the host (docs/numerics.md §DIV). int16 (zero points 0): Shaders/div_q16.comp, the reference's fixed-point quotient
/// per element, after the same check against 0.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : VulkanKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p, VulkanDeviceInfo device)
    {
        var rank = BinaryDispatch.SupportsRank(node, p.Broadcast);
        if (!rank.IsSupported || !QuantizedKernels.IsQuantized(node)) return rank;
        return QuantizedKernels.SupportsSize(node);
    }

    protected override void Build(DelegateNode node, BinaryArithmeticParams p, VulkanPartitionBuilder builder)
    {
        if (QuantizedKernels.IsQuantized(node))
        {
            if (InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, InputDomain.DenominatorZeroPoint(node),
                    (index, _) => InputDomain.DivisionByZero(node, index));
            QuantizedKernels.PairTable(node, p.Broadcast, builder);
            return;
        }
        if (node.Inputs[0]!.Type == TensorType.Int16)
        {
            if (InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            QuantizedKernels.Divide16(node, p.Broadcast, builder);
            return;
        }
        if (node.Inputs[0]!.Type == TensorType.Int32)
        {
            if (InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            BinaryDispatch.Build(node, builder, "binary_int32", 6, p.Broadcast, (uint)p.Int32Activation.Min, (uint)p.Int32Activation.Max);
            return;
        }
        BinaryDispatch.Build(node, builder, "binary", 6, p.Broadcast,
            BitConverter.SingleToUInt32Bits(p.FloatActivation.Min), BitConverter.SingleToUInt32Bits(p.FloatActivation.Max));
    }
}
