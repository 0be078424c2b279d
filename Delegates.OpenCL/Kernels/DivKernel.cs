using Accel.Operators;
using Accel.Operators.Definitions;

namespace Accel.Delegates.OpenCL.Kernels;

/// <summary>
/// DIV, float32 (Cl/binary.cl, operation 6): the correctly rounded quotient by specDivide (integer long division, as
/// SpecMath.Divide: OpenCL's '/' may be off by 2.5 ulp in single precision unless -cl-fp32-correctly-rounded-divide-sqrt
/// is honoured), then the fused-activation clamp, broadcasting up to rank 6. int8/uint8: the node's
/// <see cref="BytePairTables"/> table of the reference's fixed-point quotient (pair_table_q8); a denominator at its zero
/// point (a real 0) is the reference's error at Invoke, so unless the denominator is a constant free of it, quant.cl's
/// domain_check checks it on the device first (<see cref="OpenClPartitionBuilder.CheckInput"/>) and the invoke fails
/// with that error before any output reaches the host. int32 (binary_int32, operation 6): truncation toward zero,
/// −2³¹ / −1 saturating, then the int32 activation clamp; a zero denominator fails the invoke by the same device check
/// (domain_check_i32, bound 0) before any output reaches the host (docs/numerics.md §DIV). int16 (zero points 0):
/// quant.cl's div_q16, the reference's fixed-point quotient per element, after domain_check_q16 against 0.
/// </summary>
[OpCodes(BuiltinOperator.Div)]
internal sealed class DivKernel : OpenClKernel<BinaryArithmeticParams>
{
    public override IReadOnlyList<OpId> Ops => [BuiltinOperator.Div];

    public override IReadOnlyList<TensorType> Types => [TensorType.Float32, TensorType.Int32, .. QuantizedKernels.Types, TensorType.Int16];

    protected override NodeSupport Supports(DelegateNode node, BinaryArithmeticParams p, OpenClDeviceInfo device)
    {
        return BinaryArithmeticKernel.SupportsRank(node, p);
    }

    protected override void Build(DelegateNode node, BinaryArithmeticParams p, OpenClPartitionBuilder builder)
    {
        if (QuantizedKernels.IsQuantized(node))
        {
            if (InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, InputDomain.DenominatorZeroPoint(node),
                    (index, _) => InputDomain.DivisionByZero(node, index));
            QuantizedKernels.PairTable(node, p.Broadcast, builder);
        }
        else if (node.Inputs[0]!.Type == TensorType.Int16)
        {
            if (InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            QuantizedKernels.Divide16(node, p.Broadcast, builder);
        }
        else
        {
            if (node.Inputs[0]!.Type == TensorType.Int32 && InputDomain.DivisionNeedsCheck(node))
                builder.CheckInput(node.Inputs[1]!, InputCondition.Equal, 0, (index, _) => InputDomain.DivisionByZero(node, index));
            BinaryArithmeticKernel.Launch(node, p, builder);
        }
    }
}
